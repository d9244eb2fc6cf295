// Two gate processes on one intake stream (issue 25 point 2): they share the
// entries through the consumer group with none checked twice, and when one is
// killed with SIGKILL mid-stream the other claims what it held: no entry lost,
// none with two verdicts.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import { intakeKeys } from '../src/redis/redis-keys.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { eventually } from './helpers/gate-calls.js';
import { stopGateProcess, type GateProcess } from './helpers/gate-process.js';
import { addEntries, pendingCount, readStream } from './helpers/intake-streams.js';
import { intakeListings, metricSum, startIntakeGate } from './helpers/intake-gate.js';

/** Verdict records by entry id, waiting until every id has one. */
async function recordsOf(admin: Redis, stream: string, ids: readonly string[]): Promise<Map<string, number>> {
  return eventually(
    `verdicts for ${ids.length} entries`,
    async () => {
      const counts = new Map<string, number>();
      for (const record of await readStream(admin, intakeKeys(stream).verdicts)) {
        const id = String(record.fields.entryId);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return ids.every((id) => counts.has(id)) ? counts : undefined;
    },
    90_000,
  );
}

describe('intake stream, two gate processes', () => {
  let redis: TestRedis;
  let admin: Redis;
  let dataDir: string;
  const gates: GateProcess[] = [];
  const prefix = `t${randomUUID().slice(0, 8)}:`;
  const stream = `${prefix}{intake}`;

  before(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.adminUrl);
    dataDir = mkdtempSync(join(tmpdir(), 'intake-instances-'));
    gates.push(await startIntakeGate(redis.url, prefix, stream, dataDir, 0), await startIntakeGate(redis.url, prefix, stream, dataDir, 0));
  });
  after(async () => {
    for (const gate of gates) await stopGateProcess(gate);
    admin.disconnect();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shares the entries of one stream between two instances, none checked twice', async () => {
    const ids = await addEntries(admin, stream, intakeListings('share', 3000));
    const records = await recordsOf(admin, stream, ids);
    assert.deepEqual(
      [...records.values()].filter((n) => n !== 1),
      [],
      'one verdict per entry',
    );
    const [a, b] = gates as [GateProcess, GateProcess];
    const checked: [number, number] = [await metricSum(a, 'gate_checks_total'), await metricSum(b, 'gate_checks_total')];
    const claimed = (await metricSum(a, 'gate_intake_claimed_total')) + (await metricSum(b, 'gate_intake_claimed_total'));
    const skipped = (await metricSum(a, 'gate_intake_entries_total{outcome="skipped"}')) + (await metricSum(b, 'gate_intake_entries_total{outcome="skipped"}'));
    assert.equal(
      checked[0] + checked[1],
      ids.length,
      `checks by instance: ${checked.join(' + ')} (claimed ${claimed}, skipped ${skipped}); an entry checked twice would make more`,
    );
    assert.ok(checked[0] > 0 && checked[1] > 0, `both instances took entries: ${checked.join(' + ')}`);
    assert.equal(await pendingCount(admin, stream), 0);
  });

  it('after a SIGKILL of one instance mid-stream, the other claims what it held: none lost, one verdict each', async () => {
    const [victim, survivor] = gates as [GateProcess, GateProcess];
    const before = await admin.xlen(intakeKeys(stream).verdicts);
    const ids = await addEntries(admin, stream, intakeListings('kill', 6000));
    // Mid-stream: some of these entries recorded, and the victim holding others.
    await eventually(
      'the victim holding entries mid-stream',
      async () => {
        const done = (await admin.xlen(intakeKeys(stream).verdicts)) - before;
        return done > 500 && (await metricSum(victim, 'gate_intake_held_entries')) > 0 ? true : undefined;
      },
      60_000,
    );
    victim.child.kill('SIGKILL');
    await victim.exited;
    const records = await recordsOf(admin, stream, ids);
    assert.deepEqual(
      [...records.values()].filter((n) => n !== 1),
      [],
      'one verdict per entry',
    );
    assert.ok((await metricSum(survivor, 'gate_intake_claimed_total')) > 0, 'the survivor claimed the entries the victim held');
    assert.equal(await pendingCount(admin, stream), 0, 'nothing left pending');
  });
});
