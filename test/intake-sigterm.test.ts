// A gate process stopped with SIGTERM in the middle of an intake batch (docs/intake.md,
// "Shutdown"): what it read is either finished (verdict appended, then XACK) before
// it exits, or left pending for another instance; it exits in bounded time; and a
// gate started afterwards gives every entry of the stream exactly one verdict.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import { INTAKE_GROUP, intakeKeys } from '../src/redis/redis-keys.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { eventually } from './helpers/gate-calls.js';
import { stopGateProcess, type GateProcess } from './helpers/gate-process.js';
import { addEntries, pendingCount, readStream } from './helpers/intake-streams.js';
import { intakeListings, metricSum, startIntakeGate } from './helpers/intake-gate.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The intake's own bound on a stop (10 s, stream-intake.ts) and the HTTP drain's, with room for a busy machine. */
const EXIT_WITHIN_MS = 25_000;

/** Verdicts by entry id: how many each has. */
async function verdictCounts(admin: Redis, stream: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const record of await readStream(admin, intakeKeys(stream).verdicts)) {
    const id = String(record.fields.entryId);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Stream ids compare as (ms, seq). */
function idAtMost(id: string, limit: string): boolean {
  const [ms, seq] = id.split('-').map(BigInt) as [bigint, bigint];
  const [limitMs, limitSeq] = limit.split('-').map(BigInt) as [bigint, bigint];
  return ms < limitMs || (ms === limitMs && seq <= limitSeq);
}

async function groupInfo(admin: Redis, stream: string): Promise<{ lastDelivered: string; consumers: string[] }> {
  const groups = (await admin.xinfo('GROUPS', stream)) as Array<Array<string | number>>;
  const row = groups.find((g) => g[g.indexOf('name') + 1] === INTAKE_GROUP);
  assert.ok(row, 'the intake group exists');
  const consumers = (await admin.xinfo('CONSUMERS', stream, INTAKE_GROUP)) as Array<Array<string | number>>;
  return { lastDelivered: String(row[row.indexOf('last-delivered-id') + 1]), consumers: consumers.map((c) => String(c[c.indexOf('name') + 1])) };
}

/** SIGTERM once the gate has recorded some entries and holds others; resolves with its exit code and how long it took. */
async function sigtermMidBatch(gate: GateProcess, admin: Redis, stream: string): Promise<{ code: number | null; tookMs: number; heldAtSignal: number }> {
  const heldAtSignal = await eventually(
    'the gate holding entries mid-stream',
    async () => {
      const done = await admin.xlen(intakeKeys(stream).verdicts);
      const held = await metricSum(gate, 'gate_intake_held_entries');
      return done > 300 && held > 0 ? held : undefined;
    },
    60_000,
  );
  const signalledAt = Date.now();
  gate.child.kill('SIGTERM');
  const code = await Promise.race([gate.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), EXIT_WITHIN_MS))]);
  assert.notEqual(code, 'hung', `the gate did not exit within ${EXIT_WITHIN_MS} ms of SIGTERM:\n${gate.output()}`);
  return { code: code as number | null, tookMs: Date.now() - signalledAt, heldAtSignal };
}

describe('intake on SIGTERM', { timeout: 600_000 }, () => {
  let redis: TestRedis;
  let admin: Redis;
  let dataDir: string;
  const gates: GateProcess[] = [];
  const prefix = `t${randomUUID().slice(0, 8)}:`;

  before(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.adminUrl, { maxRetriesPerRequest: null });
    dataDir = mkdtempSync(join(tmpdir(), 'intake-sigterm-'));
  });
  after(async () => {
    if (redis.redis.pid !== undefined) process.kill(redis.redis.pid, 'SIGCONT');
    for (const gate of gates) await stopGateProcess(gate);
    admin.disconnect();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes what it read (verdict, then XACK) before it exits; a restarted gate checks the rest, one verdict each', async () => {
    const stream = `${prefix}{healthy}`;
    const first = await startIntakeGate(redis.url, prefix, stream, dataDir, 1);
    gates.push(first);
    const ids = await addEntries(admin, stream, intakeListings('term', 3000));
    const { code, tookMs, heldAtSignal } = await sigtermMidBatch(first, admin, stream);
    assert.equal(code, 0, first.output());
    assert.match(first.output(), /SIGTERM: draining/);

    // What the stopped gate read: everything up to the group's last delivered id.
    const { lastDelivered, consumers } = await groupInfo(admin, stream);
    const delivered = ids.filter((id) => idAtMost(id, lastDelivered));
    const counts = await verdictCounts(admin, stream);
    assert.ok(delivered.length < ids.length, `SIGTERM came mid-stream (${delivered.length} of ${ids.length} read)`);
    assert.equal(await pendingCount(admin, stream), 0, `it finished the ${heldAtSignal}+ entries it held (exited in ${tookMs} ms):\n${first.output()}`);
    assert.deepEqual(
      delivered.filter((id) => counts.get(id) !== 1),
      [],
      'each entry it read has exactly one verdict',
    );
    assert.equal(counts.size, delivered.length, 'no verdict for an entry it did not read');
    assert.deepEqual(consumers, [], 'holding nothing, it left the group');

    const second = await startIntakeGate(redis.url, prefix, stream, dataDir, 1);
    gates.push(second);
    const final = await eventually(
      'a verdict for every entry',
      async () => {
        const now = await verdictCounts(admin, stream);
        return ids.every((id) => now.has(id)) ? now : undefined;
      },
      180_000,
    );
    assert.deepEqual(
      ids.filter((id) => final.get(id) !== 1),
      [],
      'one verdict per entry',
    );
    assert.equal(final.size, ids.length);
    assert.equal(await pendingCount(admin, stream), 0);
    await stopGateProcess(second);
  });

  it('leaves what it cannot record pending when Redis does not answer, exits all the same, and a gate started later records it once', async () => {
    const stream = `${prefix}{frozen}`;
    const first = await startIntakeGate(redis.url, prefix, stream, dataDir, 1);
    gates.push(first);
    const ids = await addEntries(admin, stream, intakeListings('frozen', 3000));
    const redisPid = redis.redis.pid as number;
    await eventually(
      'the gate holding entries mid-stream',
      async () => ((await admin.xlen(intakeKeys(stream).verdicts)) > 300 && (await metricSum(first, 'gate_intake_held_entries')) > 0 ? true : undefined),
      60_000,
    );
    // Redis stops answering (a stall, a network partition) just before the signal.
    process.kill(redisPid, 'SIGSTOP');
    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    // Its own bounds: 10 s for the intake, then the rest of the stop, each Redis call failing after 2 s.
    const code = await Promise.race([first.exited, new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 45_000))]);
    const tookMs = Date.now() - signalledAt;
    process.kill(redisPid, 'SIGCONT');
    assert.notEqual(code, 'hung', `the gate did not exit within 45 s of SIGTERM while Redis was stopped:\n${first.output()}`);
    assert.equal(code, 0, first.output());
    const unrecorded = /intake: stopped with (\d+) entries unrecorded; they stay pending/.exec(first.output());
    assert.ok(unrecorded, `exited in ${tookMs} ms without saying what it left:\n${first.output()}`);
    assert.ok(Number(unrecorded[1]) > 0, `it held entries it could not record:\n${first.output()}`);

    // Redis runs what the gate had sent it before it froze (a record call may have been on the
    // wire, so how many stay pending depends on timing); then every entry the gate read
    // has its verdict (and is acknowledged) or is pending, never acknowledged without one.
    await sleep(1000);
    const { lastDelivered } = await groupInfo(admin, stream);
    const pending = new Set(((await admin.xpending(stream, INTAKE_GROUP, '-', '+', ids.length)) as Array<[string]>).map(([id]) => id));
    const counts = await verdictCounts(admin, stream);
    const delivered = ids.filter((id) => idAtMost(id, lastDelivered));
    assert.deepEqual(
      delivered.filter((id) => (counts.get(id) ?? 0) + (pending.has(id) ? 1 : 0) !== 1),
      [],
      'each entry read is either recorded once or pending',
    );

    const second = await startIntakeGate(redis.url, prefix, stream, dataDir, 1);
    gates.push(second);
    const final = await eventually(
      'a verdict for every entry',
      async () => {
        const now = await verdictCounts(admin, stream);
        return ids.every((id) => now.has(id)) ? now : undefined;
      },
      180_000,
    );
    assert.deepEqual(
      ids.filter((id) => final.get(id) !== 1),
      [],
      'one verdict per entry',
    );
    assert.equal(final.size, ids.length);
    assert.equal(await eventually('nothing pending', async () => ((await pendingCount(admin, stream)) === 0 ? 0 : undefined), 30_000), 0);
    await stopGateProcess(second);
  });
});
