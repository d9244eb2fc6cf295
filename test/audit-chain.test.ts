// The audit chain against someone who can write to Redis (issue 30 point 4): a
// record deleted and the chain rebuilt (with sha1 as the old chain was, or with
// another key), the last records deleted, are reported; appends from two gates
// sharing a Redis stay one chain; trimming before a signed checkpoint (issue 23)
// still verifies. Against a real redis-server, a key prefix per test.
import { strict as assert } from 'node:assert';
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { AuditLog } from '../src/audit/audit-log.js';
import { auditKey } from '../src/audit/audit-key.js';
import { ConfigError, loadConfig } from '../src/config/gate-config.js';
import { connectRedis } from '../src/redis/connect-redis.js';
import { redisKeys, type RedisKeys } from '../src/redis/redis-keys.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { messageLog } from '../src/observability/gate-logger.js';

const KEY = Buffer.from('audit-chain-test-key-0123456789abcdef');

interface Row {
  id: string;
  record: string;
  previous: string;
  hash: string;
  n: number;
}

describe('audit chain', () => {
  let redis: TestRedis;
  let client: Redis;
  let other: Redis;
  /** An operator archiving old records: XTRIM is not the gate's to send. */
  let operator: Redis;
  const dirs: string[] = [];
  const opened: AuditLog[] = [];
  let keys: RedisKeys;
  const used: RedisKeys[] = [];

  before(async () => {
    redis = await startTestRedis();
    client = await connectRedis(redis.url, 'audit-chain-test');
    other = await connectRedis(redis.url, 'audit-chain-test-other');
    operator = await connectRedis(redis.adminUrl, 'audit-chain-test-operator');
  });
  after(async () => {
    client.disconnect();
    other.disconnect();
    operator.disconnect();
    await redis.stop();
  });
  /** A key prefix of the test's own. */
  const fresh = (): void => {
    keys = redisKeys(`a${randomUUID().slice(0, 8)}:`);
    used.push(keys);
  };
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close();
    for (const k of used.splice(0)) await client.del(k.auditLog, k.auditHead, k.auditCount);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const checkpointFile = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-audit-'));
    dirs.push(dir);
    return join(dir, 'checkpoints.jsonl');
  };
  /** An audit log as a gate has it; `file`: its checkpoints (none written on their own within a test). */
  const auditLog = (connection: Redis, file?: string, every = 1_000_000): AuditLog => {
    const log = new AuditLog(connection, keys, {
      key: KEY,
      ...(file ? { checkpoints: { checkpointFile: file, checkpointEvery: every, checkpointSeconds: 3600 } } : {}),
    });
    opened.push(log);
    return log;
  };
  const append = async (log: AuditLog, count: number, what = 'step'): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push(await log.record({ who: 'admin', what: `${what}:${i}` }));
    return ids;
  };
  const rows = async (): Promise<Row[]> =>
    (await client.xrange(keys.auditLog, '-', '+')).map(([id, f]) => {
      const get = (name: string): string => f[f.indexOf(name) + 1] ?? '';
      return { id, record: get('record'), previous: get('previous'), hash: get('hash'), n: Number(get('n')) };
    });

  /** What someone who can write to Redis does: delete the records from `from` on and append `kept` again, chained with `hash`. */
  const rebuild = async (from: Row, kept: Row[], hash: (n: number, previous: string, raw: string) => string): Promise<string[]> => {
    const all = await rows();
    for (const row of all.filter((r) => r.n >= from.n)) await client.xdel(keys.auditLog, row.id);
    let previous = from.previous;
    let n = from.n - 1;
    const ids: string[] = [];
    for (const row of kept) {
      n++;
      const h = hash(n, previous, row.record);
      ids.push((await client.xadd(keys.auditLog, '*', 'record', row.record, 'previous', previous, 'hash', h, 'n', String(n))) ?? '');
      previous = h;
    }
    await client.set(keys.auditHead, previous);
    await client.set(keys.auditCount, String(n));
    return ids;
  };

  it('reports a record deleted and the chain rebuilt with sha1 (the old chain) or with another key', async () => {
    const attacks = {
      sha1: (_n: number, previous: string, raw: string) => createHash('sha1').update(`${previous}\n${raw}`).digest('hex'),
      'another key': (n: number, previous: string, raw: string) => createHmac('sha256', randomBytes(32)).update(`${n}\n${previous}\n${raw}`).digest('hex'),
      // The control: with the gate's own key the same rebuild passes, so what the others trip on is the key.
      'the gate key': (n: number, previous: string, raw: string) => createHmac('sha256', KEY).update(`${n}\n${previous}\n${raw}`).digest('hex'),
    };
    for (const [name, hash] of Object.entries(attacks)) {
      fresh();
      const log = auditLog(client);
      await append(log, 6);
      assert.deepEqual({ ...(await log.verify()), checkpoint: null }, { intact: true, firstBroken: null, reason: null, checkpoint: null, from: 1, records: 6 });
      const all = await rows();
      const third = all[2] as Row;
      // Record 3 goes; 4 to 6 come back as 3 to 5, chained again.
      const rebuilt = await rebuild(third, all.slice(3), hash);
      const verdict = await auditLog(other).verify();
      if (name === 'the gate key') {
        assert.equal(verdict.intact, true, `${name}: ${verdict.reason}`);
        continue;
      }
      assert.equal(verdict.intact, false, name);
      assert.equal(verdict.firstBroken, rebuilt[0], `${name}: the first rebuilt record`);
      assert.match(verdict.reason ?? '', /does not match its hash under the gate's audit key/, name);
    }
  });

  it('never signs a checkpoint over records it cannot verify, and says why once', async () => {
    fresh();
    const file = checkpointFile();
    const lines: string[] = [];
    const log = new AuditLog(client, keys, {
      key: KEY,
      checkpoints: { checkpointFile: file, checkpointEvery: 1_000_000, checkpointSeconds: 3600 },
      log: messageLog((line) => lines.push(line)),
    });
    opened.push(log);
    await append(log, 5);
    assert.equal((await log.checkpoint())?.count, 5);
    await append(log, 3, 'later');
    const all = await rows();
    const rebuilt = await rebuild(all[6] as Row, all.slice(7), (_n, previous, raw) => createHash('sha1').update(`${previous}\n${raw}`).digest('hex'));
    assert.equal(await log.checkpoint(), undefined);
    assert.equal(await log.checkpoint(), undefined);
    assert.deepEqual(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { count: number }).count),
      [5],
      'no checkpoint past record 5',
    );
    assert.deepEqual(lines, [
      `audit chain: record ${rebuilt[0]} does not match its hash under the gate's audit key (altered, or written without the key); no checkpoint written (GET /v1/admin/audit/verify)`,
    ]);
  });

  it('reports the last records deleted: by the checkpoint when head and count were set back too, else by the head or the count', async () => {
    fresh();
    const file = checkpointFile();
    const log = auditLog(client, file);
    await append(log, 12);
    const checkpoint = await log.checkpoint();
    assert.equal(checkpoint?.count, 12);
    const all = await rows();
    const tenth = all[9] as Row;
    for (const row of all.slice(10)) await client.xdel(keys.auditLog, row.id);

    // Head and count left as they were: the checkpoint shows it, and without it the head does.
    let verdict = await auditLog(other, file).verify();
    assert.equal(verdict.intact, false);
    assert.equal(verdict.reason, 'truncated: checkpoint at count 12 but the stream ends at record 10');
    verdict = await auditLog(other).verify();
    assert.equal(verdict.intact, false);
    assert.match(verdict.reason ?? '', /^head: the stored head hash is not the hash of the last record/);
    // The head set back too: the count shows it.
    await client.set(keys.auditHead, tenth.hash);
    verdict = await auditLog(other).verify();
    assert.equal(verdict.intact, false);
    assert.equal(verdict.reason, 'count: stored count 12 but the stream ends at record 10');
    // Head and count set back: the chain in Redis is consistent again, and only the checkpoint outside Redis shows it.
    await client.set(keys.auditCount, '10');
    assert.equal((await auditLog(other).verify()).intact, true);
    verdict = await auditLog(other, file).verify();
    assert.deepEqual(
      { intact: verdict.intact, firstBroken: verdict.firstBroken, reason: verdict.reason, checkpoint: verdict.checkpoint?.count },
      { intact: false, firstBroken: null, reason: 'truncated: checkpoint at count 12 but the stream ends at record 10', checkpoint: 12 },
    );
    // A record appended since does not hide the gap.
    const later = await append(auditLog(other, file), 3, 'after');
    verdict = await auditLog(other, file).verify();
    assert.equal(verdict.intact, false);
    assert.equal(verdict.firstBroken, later[1], 'record 12, written since');
    assert.match(verdict.reason ?? '', /^checkpoint at count 12 .* names another record than the stream holds there$/);
  });

  it('keeps appends from two gates sharing a Redis one chain, each checkpointing it', async () => {
    fresh();
    const [fileA, fileB] = [checkpointFile(), checkpointFile()];
    const a = auditLog(client, fileA, 7);
    const b = auditLog(other, fileB, 5);
    await Promise.all([append(a, 60, 'a'), append(b, 60, 'b'), append(a, 20, 'a2'), append(b, 20, 'b2')]);
    for (const log of [a, b]) {
      const verdict = await log.verify();
      assert.equal(verdict.intact, true, verdict.reason ?? '');
      assert.equal(verdict.records, 160);
      assert.equal((await log.checkpoint())?.count, 160);
      const checked = await log.verify();
      assert.deepEqual({ intact: checked.intact, checkpoint: checked.checkpoint?.count }, { intact: true, checkpoint: 160 });
    }
    const all = await rows();
    assert.deepEqual(
      all.map((r) => r.n),
      Array.from({ length: 160 }, (_, i) => i + 1),
    );
    assert.equal(new Set(all.map((r) => (JSON.parse(r.record) as { what: string }).what)).size, 160, 'every record once');
  });

  it('still verifies after records before a checkpoint are trimmed, but not after a trim past the last one', async () => {
    fresh();
    const file = checkpointFile();
    const log = auditLog(client, file);
    const ids = await append(log, 30);
    assert.equal((await log.checkpoint())?.count, 30);
    ids.push(...(await append(log, 10, 'later')));

    await operator.xtrim(keys.auditLog, 'MINID', ids[19] as string);
    let verdict = await auditLog(other, file).verify();
    assert.deepEqual(
      { intact: verdict.intact, reason: verdict.reason, from: verdict.from, records: verdict.records },
      { intact: true, reason: null, from: 20, records: 21 },
    );
    // Cut right after the checkpoint's record: the chain starts from the checkpoint.
    await operator.xtrim(keys.auditLog, 'MINID', ids[30] as string);
    verdict = await auditLog(other, file).verify();
    assert.deepEqual(
      { intact: verdict.intact, reason: verdict.reason, from: verdict.from, records: verdict.records },
      { intact: true, reason: null, from: 31, records: 10 },
    );
    verdict = await auditLog(other, checkpointFile()).verify();
    assert.equal(verdict.intact, false, 'without a checkpoint, a trimmed stream has nothing to start from');
    assert.equal(verdict.firstBroken, ids[30]);

    // The checkpointer carries on from its checkpoint; a trim past the last one is reported.
    ids.push(...(await append(log, 5, 'after-trim')));
    assert.equal((await log.checkpoint())?.count, 45);
    ids.push(...(await append(log, 2, 'tail')));
    await operator.xtrim(keys.auditLog, 'MINID', ids[46] as string);
    verdict = await auditLog(other, file).verify();
    assert.equal(verdict.intact, false);
    assert.equal(verdict.firstBroken, ids[46]);
    assert.equal(verdict.reason, 'trimmed: the stream starts at record 47, and no checkpoint at or after record 46 vouches for it');
  });

  it('reports a checkpoint file line not signed with the key', async () => {
    fresh();
    const file = checkpointFile();
    const log = auditLog(client, file);
    await append(log, 3);
    await log.checkpoint();
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    appendFileSync(file, `${JSON.stringify({ ...line, count: 2 })}\n`);
    const verdict = await auditLog(other, file).verify();
    assert.equal(verdict.intact, false);
    assert.equal(verdict.reason, "checkpoint file: line 2 not signed with the gate's audit key");
  });
});

describe('audit key', () => {
  it('is made at the first start in a file only its owner can read, and kept', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-audit-key-'));
    try {
      const settings = loadConfig({ GATE_DATA_DIR: dir }).audit;
      assert.equal(settings.keyFile, join(dir, 'audit', 'audit.key'));
      assert.equal(settings.checkpointFile, join(dir, 'audit', 'checkpoints.jsonl'));
      const key = auditKey(settings);
      assert.equal(key.length, 64);
      assert.equal(statSync(settings.keyFile).mode & 0o777, 0o600);
      assert.deepEqual(auditKey(settings), key, 'the same key at the next start');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the variable when the configured key is unusable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-audit-key-'));
    try {
      const problems = (env: Record<string, string>): string[] => {
        try {
          loadConfig({ GATE_DATA_DIR: dir, ...env });
        } catch (error) {
          if (error instanceof ConfigError) return error.problems;
          throw error;
        }
        return [];
      };
      assert.deepEqual(problems({ GATE_AUDIT_KEY: 'short' }), ['GATE_AUDIT_KEY must be at least 32 characters']);
      assert.deepEqual(problems({ GATE_AUDIT_KEY: 'k'.repeat(32), GATE_AUDIT_KEY_FILE: join(dir, 'k') }), [
        'GATE_AUDIT_KEY and GATE_AUDIT_KEY_FILE: set one of them, not both',
      ]);
      assert.match(problems({ GATE_AUDIT_KEY_FILE: join(dir, 'missing') })[0] ?? '', /^GATE_AUDIT_KEY_FILE: cannot read .*missing: ENOENT/);
      writeFileSync(join(dir, 'short'), 'abc\n');
      assert.deepEqual(problems({ GATE_AUDIT_KEY_FILE: join(dir, 'short') }), [
        `GATE_AUDIT_KEY_FILE: ${join(dir, 'short')} must hold a key of at least 32 characters`,
      ]);
      assert.deepEqual(problems({ GATE_AUDIT_CHECKPOINT_EVERY: '0', GATE_AUDIT_CHECKPOINT_SECONDS: 'x' }), [
        'GATE_AUDIT_CHECKPOINT_EVERY must be an integer from 1 to 1000000, got "0"',
        'GATE_AUDIT_CHECKPOINT_SECONDS must be an integer from 1 to 86400, got "x"',
      ]);
      writeFileSync(join(dir, 'good'), `${'g'.repeat(40)}\n`);
      assert.equal(loadConfig({ GATE_DATA_DIR: dir, GATE_AUDIT_KEY_FILE: join(dir, 'good') }).audit.key, 'g'.repeat(40));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
