// Issue 8: the embedded Redis lets no one in as its default user, and the gate's
// own ACL user cannot run dangerous commands; its password is never logged. The
// gate also talks to Redis over TLS (`rediss://` with GATE_REDIS_TLS_CA).
// Issue 30, point 7: the default user is off; the gate user may run only the
// gate's commands, on keys and channels under its prefix; no password is on
// redis-server's command line; Redis's files and the spools are 0600 in 0700.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { ReviewSpool } from '../src/review/review-spool.js';
import { startTestRedis } from './helpers/test-redis.js';
import { admin as adminAuth, startTestGate } from './helpers/test-gate.js';
import { startGate } from '../src/app/start-gate.js';
import { loadConfig } from '../src/config/gate-config.js';
import { messageLog } from '../src/observability/gate-logger.js';

/** Every folder and file under `dir` (itself included) with its permission bits. */
function modes(dir: string): Array<{ path: string; directory: boolean; mode: number }> {
  const found = [{ path: dir, directory: true, mode: statSync(dir).mode & 0o777 }];
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(join(dir, name));
    found.push({ path: join(dir, name), directory: stat.isDirectory(), mode: stat.mode & 0o777 });
  }
  return found;
}

function assertPrivate(dir: string): void {
  const open = modes(dir).filter((entry) => entry.mode !== (entry.directory ? 0o700 : 0o600));
  assert.deepEqual(
    open.map((entry) => `${entry.path} ${entry.mode.toString(8)}`),
    [],
    'folders 0700, files 0600',
  );
}

/** ACL GETUSER's answer as an object. */
async function aclUser(admin: Redis, name: string): Promise<Record<string, unknown>> {
  const reply = (await admin.call('ACL', 'GETUSER', name)) as unknown[];
  const user: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) user[String(reply[i])] = reply[i + 1];
  return user;
}

const NOPERM = /NOPERM|can't access|can't run|not allowed/;

describe('Redis access', () => {
  it('turns the default user off: no client is let in as it or signs in as it', async () => {
    const redis = await startTestRedis();
    const anonymous = new Redis({
      host: '127.0.0.1',
      port: redis.redis.port,
      lazyConnect: true,
      enableReadyCheck: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    anonymous.on('error', () => undefined);
    const admin = new Redis(redis.adminUrl);
    try {
      await anonymous.connect();
      await assert.rejects(anonymous.get('x'), /NOAUTH/);
      await assert.rejects(anonymous.call('AUTH', 'default', ''), /WRONGPASS|disabled/);
      await assert.rejects(anonymous.call('AUTH', 'default', 'nopass'), /WRONGPASS|disabled/);
      const user = await aclUser(admin, 'default');
      assert.ok((user.flags as string[]).includes('off'), `flags ${String(user.flags)}`);
      assert.ok(!(user.flags as string[]).some((flag) => flag === 'on' || flag === 'nopass'), `flags ${String(user.flags)}`);
      assert.deepEqual(user.passwords, []);
      assert.doesNotMatch(String(user.commands), /\+@all/);
    } finally {
      anonymous.disconnect();
      admin.disconnect();
      await redis.stop();
    }
  });

  it("keeps the gate user to the gate's commands, and to keys and channels under its prefix", async () => {
    const redis = await startTestRedis({ keyPrefix: 'sec:' });
    const gate = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    const admin = new Redis(redis.adminUrl);
    try {
      const url = new URL(redis.url);
      assert.equal(url.username, 'gate');
      assert.ok(url.password.length >= 32);
      await admin.set('other:key', 'kept');
      const refused: string[][] = [
        ['flushall'],
        ['flushdb'],
        ['script', 'flush'],
        ['script', 'load', 'return 1'],
        ['config', 'get', 'maxmemory'],
        ['config', 'set', 'appendonly', 'no'],
        ['keys', '*'],
        ['debug', 'sleep', '0'],
        ['acl', 'list'],
        ['acl', 'setuser', 'gate', '+@all'],
        ['shutdown'],
        ['monitor'],
        ['bgrewriteaof'],
        ['sort', 'sec:list'],
        ['del', 'other:key'],
        ['unlink', 'sec:k'],
        ['set', 'other:key', 'x'],
        ['get', 'other:key'],
        ['eval', "return redis.call('DEL', KEYS[1])", '1', 'other:key'],
        ['eval', "return redis.call('DEL', 'other:key')", '0'],
        ['eval', "return redis.call('FLUSHALL')", '0'],
        ['publish', 'other:channel', 'x'],
      ];
      for (const command of refused) {
        await assert.rejects(gate.call(command[0] ?? '', ...command.slice(1)), NOPERM, `${command.join(' ')} is refused`);
      }
      const subscriber = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      await assert.rejects(subscriber.subscribe('other:channel'), NOPERM, 'SUBSCRIBE to a channel outside the prefix is refused');
      await subscriber.subscribe('sec:changes');
      subscriber.disconnect();
      assert.equal(await admin.get('other:key'), 'kept');
      // What the gate does, it may.
      await gate.set('sec:k', 'v');
      assert.equal(await gate.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", 1, 'sec:{tag}:k', 'w'), 'w');
      await gate.publish('sec:changes', 'x');
      assert.match(await gate.info('server'), /redis_version/);
    } finally {
      gate.disconnect();
      admin.disconnect();
      await redis.stop();
    }
  });

  it('takes the key prefix literally, whatever characters it holds', async () => {
    const prefix = 'a*b "c\\:';
    const redis = await startTestRedis({ keyPrefix: prefix });
    const gate = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    try {
      await gate.set(`${prefix}k`, 'v');
      await assert.rejects(gate.set('aXb "c\\:k', 'v'), NOPERM, 'the * of the prefix is no wildcard');
      await assert.rejects(gate.set('a*b', 'v'), NOPERM);
    } finally {
      gate.disconnect();
      await redis.stop();
    }
  });

  it('starts redis-server with no password in its arguments or its environment', async () => {
    // A redis-server earlier on PATH records what it was started with, then is the real one.
    const real = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
    const bin = mkdtempSync(join(tmpdir(), 'gate-redis-wrapper-'));
    writeFileSync(join(bin, 'redis-server'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${bin}/argv"\nenv > "${bin}/env"\nexec "${real}" "$@"\n`);
    chmodSync(join(bin, 'redis-server'), 0o700);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path ?? ''}`;
    process.env.GATE_TEST_SECRET = 'a-token-of-the-gate-0123456789';
    const dataDir = mkdtempSync(join(tmpdir(), 'gate-argv-'));
    const redis = new EmbeddedRedis({ dataDir, keyPrefix: 'gate:' });
    try {
      await redis.start();
      const password = new URL(redis.url).password;
      const argv = readFileSync(join(bin, 'argv'), 'utf8').trim().split('\n');
      assert.deepEqual(argv, [join(dataDir, 'redis.conf')], 'only the config file');
      const env = readFileSync(join(bin, 'env'), 'utf8');
      assert.ok(!env.includes(password) && !env.includes('a-token-of-the-gate'), "neither the password nor the gate's environment");
      assert.ok(!readFileSync(`/proc/${redis.pid}/cmdline`, 'utf8').includes(password));
      assert.ok(!readFileSync(join(dataDir, 'redis.conf'), 'utf8').includes(password), 'redis.conf holds the hash, not the password');
    } finally {
      process.env.PATH = path;
      delete process.env.GATE_TEST_SECRET;
      await redis.stop();
    }
  });

  it('keeps its data, config and password 0600 in 0700 folders, and makes what an earlier version left so', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'gate-modes-')), 'redis');
    const redis = new EmbeddedRedis({ dataDir, keyPrefix: 'gate:' });
    await redis.start();
    const gate = new Redis(redis.url);
    try {
      await gate.set('gate:k', 'v');
      const files = modes(dataDir).map((entry) => entry.path);
      for (const name of ['redis.conf', 'gate-user.password', 'redis-server.pid', 'appendonlydir']) assert.ok(files.includes(join(dataDir, name)), name);
      assert.ok(
        files.some((file) => file.endsWith('.incr.aof')),
        'an append-only file',
      );
      assertPrivate(dataDir);
    } finally {
      gate.disconnect();
      await redis.stop();
    }
    // An earlier version's modes: the next start takes group and other access away.
    chmodSync(dataDir, 0o755);
    for (const entry of modes(dataDir)) chmodSync(entry.path, entry.directory ? 0o755 : 0o644);
    await redis.start();
    try {
      assertPrivate(dataDir);
    } finally {
      await redis.stop();
    }
  });

  it('writes the review spool 0600 in a 0700 folder', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'gate-spool-modes-')), 'spool');
    const spool = new ReviewSpool<{ n: number }>(dir);
    await spool.append({ n: 1 });
    await spool.close();
    assert.ok(readdirSync(dir).includes('review-spool.jsonl'));
    assertPrivate(dir);
    await spool.replay(async () => Promise.reject(new Error('Redis is still down')));
    await spool.close();
    assertPrivate(dir);
  });

  it('replays the append-only file after a restart, though the default user it replays as is off', async () => {
    const redis = await startTestRedis();
    let gate = new Redis(redis.url);
    try {
      // A transaction, and a script, whose writes Redis logs as a MULTI/EXEC block.
      await gate.multi().set('aof:a', '1').hset('aof:h', 'f', 'v').exec();
      await gate.eval("redis.call('SET', KEYS[1], ARGV[1]); redis.call('EXPIRE', KEYS[1], 600); return 1", 1, 'aof:b', '2');
      const dir = join(redis.redis.dataDir, 'appendonlydir');
      const incr = readdirSync(dir).find((name) => name.endsWith('.incr.aof')) ?? '';
      assert.match(readFileSync(join(dir, incr), 'utf8'), /MULTI/);
      gate.disconnect();
      await redis.redis.stop();
      await redis.redis.start();
      gate = new Redis(redis.url);
      assert.deepEqual(await gate.multi().get('aof:a').hget('aof:h', 'f').get('aof:b').exec(), [
        [null, '1'],
        [null, 'v'],
        [null, '2'],
      ]);
    } finally {
      gate.disconnect();
      await redis.stop();
    }
  });

  it('runs the gate on its embedded Redis as the limited user, its files private, its password never logged', async () => {
    const lines: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'gate-secret-'));
    const gate = await startGate(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', GATE_DATA_DIR: dataDir, GATE_WORKERS: '1' }),
      messageLog((line) => lines.push(line)),
    );
    try {
      const password = new URL(gate.redisUrl).password;
      assert.ok(password.length > 0);
      assert.ok(lines.length > 0);
      assert.ok(
        lines.every((line) => !line.includes(password)),
        lines.join('\n'),
      );
      assert.ok(lines.some((line) => line.includes('gate:***@')));
      const response = await fetch(`http://127.0.0.1:${gate.port}/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-deadline-ms': '10000' },
        body: JSON.stringify({ listingId: 'ACL1', sellerId: 's', title: 'super copy bag' }),
      });
      const body = (await response.json()) as { verdict: string; reasons: Array<{ code: string }> };
      assert.equal(body.verdict, 'review');
      assert.ok(!body.reasons.some((r) => r.code === 'degraded'), `every signal computed, the review item queued: ${JSON.stringify(body)}`);
      assert.equal((await fetch(`http://127.0.0.1:${gate.port}/readyz`)).status, 200);
      assertPrivate(dataDir);
    } finally {
      await gate.stop();
    }
  });

  it('runs the gate under the limited user with nothing refused (ACL LOG stays empty)', { timeout: 60_000 }, async () => {
    const redis = await startTestRedis({ keyPrefix: 'acl-e2e:' });
    const admin = new Redis(redis.adminUrl);
    await admin.call('ACL', 'LOG', 'RESET');
    const gate = await startTestGate({ redisUrl: redis.url, prefix: 'acl-e2e:' });
    try {
      const deadline = { 'x-deadline-ms': '10000' };
      assert.equal((await gate.post('/v1/admin/lists/sellers', { values: ['acl-listed'] }, adminAuth())).status, 200);
      for (const [listingId, sellerId, title] of [
        ['E1', 's1', 'super copy bag'],
        ['E2', 'acl-listed', 'plain mug'],
        ['E3', 's3', 'replica watch lot'],
      ]) {
        const body = (await (await gate.post('/v1/check', { listingId, sellerId, title }, deadline)).json()) as {
          reasons: Array<{ code: string; ref: string }>;
        };
        assert.ok(!body.reasons.some((r) => r.code === 'degraded'), `${listingId}: ${JSON.stringify(body.reasons)}`);
      }
      const items = ((await (await gate.get('/v1/review/next?count=10', adminAuth())).json()) as { items: Array<{ reviewId: string }> }).items;
      assert.ok(items.length > 0);
      const decided = await gate.post(
        '/v1/review/decisions',
        { decisions: items.map((item) => ({ reviewId: item.reviewId, decision: 'block' })) },
        adminAuth(),
      );
      assert.equal(decided.status, 200);
      // The decisions' effects, the verdict records and the counters are written behind.
      await new Promise((r) => setTimeout(r, 1500));
      // CLIENT SETINFO (Redis 7.2+; unknown to 7.0) is left out: ioredis tries it and lets it fail.
      const refused = ((await admin.call('ACL', 'LOG')) as unknown[][])
        .map((entry) => Object.fromEntries(Array.from({ length: entry.length / 2 }, (_, i) => [String(entry[2 * i]), entry[2 * i + 1]])))
        .filter((entry) => entry.object !== 'client|setinfo')
        .map((entry) => `${String(entry.username)}: ${String(entry.reason)} ${String(entry.object)}`);
      assert.deepEqual(refused, []);
    } finally {
      await gate.stop();
      admin.disconnect();
      await redis.stop();
    }
  });

  it('works against Redis over TLS', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-tls-'));
    const run = (...args: string[]): void => {
      const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
    };
    run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=gate-test-ca');
    run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'redis.key', '-out', 'redis.csr', '-subj', '/CN=127.0.0.1');
    const ext = join(dir, 'san.ext');
    writeFileSync(ext, 'subjectAltName=IP:127.0.0.1\n');
    run('x509', '-req', '-in', 'redis.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'redis.pem', '-days', '2', '-extfile', ext);
    const port = await freePort();
    const server = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--tls-port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--dir',
        dir,
        '--save',
        '',
        '--tls-cert-file',
        join(dir, 'redis.pem'),
        '--tls-key-file',
        join(dir, 'redis.key'),
        '--tls-ca-cert-file',
        join(dir, 'ca.pem'),
        '--tls-auth-clients',
        'no',
      ],
      { stdio: 'ignore' },
    );
    try {
      await new Promise((r) => setTimeout(r, 500));
      const gate = await startTestGate({ redisUrl: `rediss://127.0.0.1:${port}`, env: { GATE_REDIS_TLS_CA: join(dir, 'ca.pem') } });
      try {
        const response = await gate.post('/v1/check', { listingId: 'TLS1', sellerId: 's', title: 'super copy bag' });
        const body = (await response.json()) as { verdict: string; reasons: Array<{ code: string }> };
        assert.equal(body.verdict, 'review');
        assert.ok(!body.reasons.some((r) => r.code === 'degraded'), 'every signal computed over TLS');
        assert.equal((await fetch(`${gate.url}/readyz`)).status, 200);
      } finally {
        await gate.stop();
      }
    } finally {
      server.kill('SIGTERM');
    }
  });
});
