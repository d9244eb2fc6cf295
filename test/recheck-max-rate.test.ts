// GATE_RECHECK_MAX_RATE reaches a running job: a job of 300 listings at most 150
// a second, read 50 at a time, cannot finish before its sixth batch falls due,
// 1,667 ms after its first (a lower bound: a slow machine only makes it longer;
// the same job unpaced took 0.65-0.68 s here).
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { addEntries } from './helpers/intake-streams.js';
import { adminCall, jobIn } from './helpers/recheck-jobs.js';
import { gateFixture } from './helpers/gate-fixture.js';
import { ADMIN_TOKEN } from './helpers/test-gate.js';

const LISTINGS = 300;
const BATCH = 50;
const MAX_RATE = 150;

describe('a re-check job at GATE_RECHECK_MAX_RATE', () => {
  const prefix = `t${randomUUID().slice(0, 8)}:`;
  const fixture = gateFixture({
    prefix,
    env: { GATE_RECHECK_THREADS: '1', GATE_RECHECK_POLL_MS: '100', GATE_RECHECK_BATCH: String(BATCH), GATE_RECHECK_MAX_RATE: String(MAX_RATE) },
  });

  it('reads no faster than its rate', async () => {
    const stream = `${prefix}{src}:paced`;
    const items = Array.from({ length: LISTINGS }, (_, i) => ({
      listing: JSON.stringify({ listingId: `P-${i}`, sellerId: `s-${i}`, title: `Plain cotton tee ${i}` }),
    }));
    const admin = new Redis(fixture.redis.adminUrl);
    try {
      await addEntries(admin, stream, items);
    } finally {
      admin.disconnect();
    }
    const { gate } = fixture;
    const started = performance.now();
    const answer = await adminCall(gate.url, ADMIN_TOKEN, 'POST', '/v1/admin/rechecks', { source: { stream } });
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    const job = await jobIn(gate.url, ADMIN_TOKEN, answer.body.id as string, 'done');
    const tookMs = performance.now() - started;
    assert.equal(job.done, LISTINGS);
    const lastBatchDueMs = ((LISTINGS / BATCH - 1) * BATCH * 1000) / MAX_RATE;
    assert.ok(
      tookMs >= lastBatchDueMs,
      `${LISTINGS} listings at most ${MAX_RATE}/s took ${tookMs.toFixed(0)} ms, under the ${lastBatchDueMs.toFixed(0)} ms the rate allows`,
    );
  });
});
