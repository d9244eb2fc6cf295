// A re-check job across a kill -9 of the gate process running it (issue 25
// point 3): a new process takes the job over once its lease expires and finishes
// it from its cursor, with the scope the job was started with (a listed seller):
// every entry in scope is emitted exactly once, every other counted out of scope
// and never emitted, and each changed verdict reaches the webhook outbox exactly
// once.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, AUDIT_KEY, REVIEWER_TOKEN } from './helpers/test-gate.js';
import { eventually } from './helpers/gate-calls.js';
import { startGateProcess, stopGateProcess, type GateProcess } from './helpers/gate-process.js';
import { addEntries } from './helpers/intake-streams.js';
import { adminCall, changedEvents, duplicates, jobIn, jobOf, jobVerdicts } from './helpers/recheck-jobs.js';
import { recheckKeys } from '../src/redis/redis-keys.js';

function startRecheckGate(redisUrl: string, prefix: string, dataDir: string): Promise<GateProcess> {
  return startGateProcess({
    REDIS_URL: redisUrl,
    GATE_REDIS_PREFIX: prefix,
    GATE_DATA_DIR: mkdtempSync(join(dataDir, 'gate-')),
    GATE_AUDIT_KEY: AUDIT_KEY,
    GATE_ADMIN_TOKEN: ADMIN_TOKEN,
    GATE_REVIEWER_TOKENS: REVIEWER_TOKEN,
    GATE_CHECK_THREADS: '0',
    GATE_WORKERS: '1',
    GATE_RECHECK_THREADS: '1',
    GATE_RECHECK_BATCH: '100',
    GATE_RECHECK_LEASE_MS: '1500',
    GATE_RECHECK_POLL_MS: '200',
    GATE_WEBHOOK_URL: 'http://127.0.0.1:9/nobody-listens',
    GATE_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
  });
}

describe('a re-check job across a restart', () => {
  let redis: TestRedis;
  let admin: Redis;
  let dataDir: string;
  const gates: GateProcess[] = [];
  const prefix = `t${randomUUID().slice(0, 8)}:`;

  before(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.adminUrl);
    dataDir = mkdtempSync(join(tmpdir(), 'recheck-restart-'));
    gates.push(await startRecheckGate(redis.url, prefix, dataDir));
  });
  after(async () => {
    for (const gate of gates) await stopGateProcess(gate);
    admin.disconnect();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes after a kill -9 of its process mid-job, still scoped: each entry in scope emitted once, each change to the outbox once', async () => {
    const first = gates[0] as GateProcess;
    // 300 allowed listings of one seller, checked (and so recorded) before the seller is listed.
    const changing = Array.from({ length: 300 }, (_, i) => ({ listingId: `R-c${i}`, sellerId: 's-R-bad', title: `Plain cotton t-shirt no. ${i}` }));
    for (const listing of changing) {
      const answer = await fetch(`${first.url}/v1/check`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(listing) });
      assert.equal(answer.status, 200);
      await answer.arrayBuffer();
    }
    await eventually('the last check recorded', async () =>
      (await adminCall(first.url, REVIEWER_TOKEN, 'GET', `/v1/listings/R-c299/verdict`)).status === 200 ? true : undefined,
    );
    const others = Array.from({ length: 15_000 }, (_, i) => ({
      listingId: `R-o${i}`,
      sellerId: `s-R-${i % 500}`,
      title: i % 4 === 0 ? `LV 高仿 手提包 ${i}` : `Plain mug no. ${i}`,
    }));
    const items = others.map((l) => ({ listing: JSON.stringify(l) }));
    changing.forEach((l, i) => items.splice(i * 50 + 7, 0, { listing: JSON.stringify(l) }));
    const stream = `${prefix}{src}:restart`;
    const ids = await addEntries(admin, stream, items);
    const inScope = ids.filter((_, i) => JSON.parse(String(items[i]?.listing)).sellerId === 's-R-bad');
    assert.equal(inScope.length, changing.length);

    const grown = await adminCall(first.url, ADMIN_TOKEN, 'POST', '/v1/admin/lists/sellers', {
      values: ['s-R-bad'],
      recheck: true,
      source: { stream },
      onlyChanged: false,
    });
    assert.equal(grown.status, 200, JSON.stringify(grown.body));
    const id = grown.body.recheckId as string;
    const at = await eventually(
      'the job a few batches in',
      async () => {
        const job = await jobOf(first.url, ADMIN_TOKEN, id);
        return job.done >= 1000 ? job : undefined;
      },
      60_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const killedAt = Number(await admin.hget(recheckKeys(prefix).job(id), 'done'));
    assert.ok(killedAt < ids.length, `killed mid-job (${killedAt} of ${ids.length} read; ${at.done} when seen)`);

    const second = await startRecheckGate(redis.url, prefix, dataDir);
    gates.push(second);
    const done = await jobIn(second.url, ADMIN_TOKEN, id, 'done', 120_000);
    assert.equal(done.done, ids.length);
    assert.equal(
      (done as unknown as { outOfScope: number }).outOfScope,
      ids.length - inScope.length,
      "the other sellers' listings counted out of scope, before and after the restart",
    );
    const verdicts = await jobVerdicts(admin, prefix, id);
    const emitted = verdicts.map((v) => String(v.fields.entryId));
    assert.deepEqual(duplicates(emitted), [], 'no entry emitted twice');
    assert.deepEqual(emitted, inScope, 'every entry in scope emitted (onlyChanged false), in order, and no other');
    // (A check of the first ones may have been degraded to review on the just-started gate: what was recorded is what is compared.)
    assert.equal(done.changed.total, 300);
    assert.deepEqual(
      Object.keys(done.changed.byKind).filter((kind) => !kind.endsWith('->block')),
      [],
      'each change is to block',
    );
    const events = (await changedEvents(admin, prefix)).filter((e) => e.jobId === id);
    assert.deepEqual(duplicates(events.map((e) => String(e.eventId))), [], 'no verdict.changed twice');
    assert.deepEqual(events.map((e) => e.listingId).sort(), changing.map((l) => l.listingId).sort(), 'every change in the outbox');
  });
});
