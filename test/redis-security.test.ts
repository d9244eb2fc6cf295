// Issue 8: the embedded Redis lets no one in as its default user, and the gate's
// own ACL user cannot run dangerous commands; its password is never logged. The
// gate also talks to Redis over TLS (`rediss://` with GATE_REDIS_TLS_CA).
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { freePort } from '../src/redis/embedded-redis.js';
import { startTestRedis } from './helpers/test-redis.js';
import { startTestGate } from './helpers/test-gate.js';
import { startGate } from '../src/app/start-gate.js';
import { loadConfig } from '../src/config/gate-config.js';

describe('Redis access', () => {
  it('refuses the default user, and keeps the gate user from dangerous commands', async () => {
    const redis = await startTestRedis();
    try {
      const url = new URL(redis.url);
      assert.equal(url.username, 'gate');
      assert.ok(url.password.length >= 32);
      const anonymous = new Redis({ host: '127.0.0.1', port: Number(url.port), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      anonymous.on('error', () => undefined);
      await anonymous.connect().catch(() => undefined);
      await assert.rejects(anonymous.get('x'), /NOAUTH|WRONGPASS|not allowed|Connection is closed/i);
      anonymous.disconnect();
      const gate = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      await gate.set('k', 'v');
      for (const command of [['flushall'], ['config', 'get', 'maxmemory'], ['keys', '*'], ['debug', 'sleep', '0'], ['acl', 'list'], ['shutdown']]) {
        await assert.rejects(gate.call(command[0] ?? '', ...command.slice(1)), /NOPERM|not allowed/, `${command.join(' ')} is refused`);
      }
      assert.match(await gate.info('server'), /redis_version/);
      gate.disconnect();
      assert.equal(statSync(join(redis.redis.dataDir, 'gate-user.password')).mode & 0o777, 0o600);
    } finally {
      await redis.stop();
    }
  });

  it('never logs the password of the embedded Redis', async () => {
    const lines: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'gate-secret-'));
    const gate = await startGate(loadConfig({ PORT: '0', HOST: '127.0.0.1', GATE_DATA_DIR: dataDir, GATE_WORKERS: '1' }), (line) => lines.push(line));
    try {
      const password = new URL(gate.redisUrl).password;
      assert.ok(password.length > 0);
      assert.ok(lines.length > 0);
      assert.ok(lines.every((line) => !line.includes(password)), lines.join('\n'));
      assert.ok(lines.some((line) => line.includes('gate:***@')));
    } finally {
      await gate.stop();
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
    const server = spawn('redis-server', ['--port', '0', '--tls-port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--tls-cert-file', join(dir, 'redis.pem'), '--tls-key-file', join(dir, 'redis.key'), '--tls-ca-cert-file', join(dir, 'ca.pem'), '--tls-auth-clients', 'no'], { stdio: 'ignore' });
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
