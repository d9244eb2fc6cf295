// Re-check jobs (issue 25 point 3, docs/rechecks.md) on one gate against a real
// Redis: a job over a stream and over an NDJSON upload; onlyChanged; a list grown
// with `recheck: true` turns an allowed listing into a block, emitted once to the
// webhook outbox and the job's verdicts stream and recorded as its verdict;
// pause, resume and cancel; bad input answered with coded errors naming the field.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { addEntries } from './helpers/intake-streams.js';
import { adminCall, changedEvents, duplicates, jobIn, jobOf, jobVerdicts } from './helpers/recheck-jobs.js';
import { recheckKeys } from '../src/redis/redis-keys.js';
import { SCHED_IDLE, SCHED_OTHER, threadPriorityOf } from './helpers/thread-priority.js';

interface Listing {
  listingId: string;
  sellerId: string;
  title: string;
  category?: string;
  price?: { amount: number; currency: string };
}

function listings(tag: string, count: number): Listing[] {
  return Array.from({ length: count }, (_, i) =>
    i % 3 === 0
      ? { listingId: `${tag}-${i}`, sellerId: `s-${tag}-${i}`, title: `LV 高仿 手提包 ${i}`, category: 'bags', price: { amount: 199, currency: 'CNY' } }
      : { listingId: `${tag}-${i}`, sellerId: `s-${tag}-${i}`, title: `Plain cotton t-shirt no. ${i}` },
  );
}

describe('re-check jobs', () => {
  let redis: TestRedis;
  let gate: TestGate;
  let admin: Redis;
  const logged: string[] = [];
  const prefix = `t${randomUUID().slice(0, 8)}:`;
  const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    adminCall(gate.url, ADMIN_TOKEN, method, path, body, headers);

  /** Checks each listing through POST /v1/check and waits for its verdict to be recorded. */
  async function checkAll(items: readonly Listing[]): Promise<void> {
    for (const listing of items) assert.equal((await gate.post('/v1/check', listing)).status, 200);
    for (const listing of items) {
      await eventually(`the verdict record of ${listing.listingId}`, async () =>
        (await callGate(gate, 'GET', `/v1/listings/${listing.listingId}/verdict`, REVIEWER_TOKEN)).status === 200 ? true : undefined,
      );
    }
  }

  async function streamOf(name: string, items: readonly Listing[]): Promise<{ stream: string; ids: string[] }> {
    const stream = `${prefix}{src}:${name}`;
    return {
      stream,
      ids: await addEntries(
        admin,
        stream,
        items.map((l) => ({ listing: JSON.stringify(l) })),
      ),
    };
  }

  before(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.adminUrl);
    gate = await startTestGate({
      redisUrl: redis.url,
      prefix,
      env: {
        GATE_RECHECK_THREADS: '1',
        GATE_RECHECK_NICE: '12',
        GATE_RECHECK_POLL_MS: '100',
        GATE_RECHECK_LEASE_MS: '2000',
        GATE_RECHECK_BATCH: '40',
        GATE_WEBHOOK_URL: 'http://127.0.0.1:9/nobody-listens',
        GATE_WEBHOOK_SECRET: 'test-webhook-secret-0123456789',
      },
      log: (line) => logged.push(line),
    });
  });
  after(async () => {
    await gate.stop();
    admin.disconnect();
    await redis.stop();
  });

  it("re-checks a stream of listings: every verdict in the job's verdicts stream without onlyChanged, those never checked counted as unrecorded", async () => {
    const items = listings('S', 90);
    await checkAll(items.slice(0, 30));
    const { stream, ids } = await streamOf('all', items);
    const started = await call('POST', '/v1/admin/rechecks', { source: { stream } });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.match(started.body.id, /^rc_/);
    assert.equal(started.body.total, 90);
    const job = await jobIn(gate.url, ADMIN_TOKEN, started.body.id, 'done');
    assert.equal(job.done, 90);
    assert.equal(job.unrecorded, 60);
    assert.equal(job.changed.total, 0, 'nothing changed since the checks');
    const verdicts = await jobVerdicts(admin, prefix, job.id);
    assert.deepEqual(
      verdicts.map((v) => String(v.fields.entryId)),
      ids,
      'one verdict per entry, in order',
    );
    const answers = verdicts.map((v) => JSON.parse(String(v.fields.response)) as { listingId: string; verdict: string; previous: string | null });
    assert.deepEqual(
      answers.map((a) => a.verdict),
      items.map((_, i) => (i % 3 === 0 ? 'block' : 'allow')),
    );
    assert.deepEqual(
      answers.slice(0, 30).map((a) => a.previous),
      answers.slice(0, 30).map((a) => a.verdict),
      'the recorded verdicts are the ones compared with',
    );
    assert.ok(answers.slice(30).every((a) => a.previous === null));
    const listed = await call('GET', '/v1/admin/rechecks');
    assert.ok(
      (listed.body.jobs as Array<{ id: string }>).some((j) => j.id === job.id),
      'the job is listed',
    );
    assert.ok((await admin.ttl(recheckKeys(prefix).job(job.id))) > 0, 'the job expires');
    assert.ok((await admin.ttl(recheckKeys(prefix).verdicts(job.id))) > 0, 'its verdicts expire');
  });

  it('runs jobs on a thread of its own under SCHED_IDLE at GATE_RECHECK_NICE, with a Redis connection of its own, not on the event loop', async () => {
    // The job's pool is made at its thread's first job.
    const { stream } = await streamOf('priority', listings('P', 3));
    await jobIn(gate.url, ADMIN_TOKEN, (await call('POST', '/v1/admin/rechecks', { source: { stream } })).body.id, 'done');
    const threads = readdirSync('/proc/self/task').map((tid) => ({
      tid: Number(tid),
      name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(),
      ...threadPriorityOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')),
    }));
    const job = threads.filter((thread) => thread.name === 'gate-recheck');
    assert.equal(job.length, 1, `one gate-recheck thread among ${threads.map((t) => t.name).join(', ')}`);
    assert.equal(job[0]?.nice, 7, 'five steps above its pool, at GATE_RECHECK_NICE');
    assert.equal(job[0]?.policy, SCHED_IDLE, 'the job thread runs under SCHED_IDLE');
    const pool = threads.filter((thread) => thread.name === 'gate-match' && thread.nice === 12);
    assert.ok(pool.length > 0, 'the re-check pool (made at the first job) runs at GATE_RECHECK_NICE');
    assert.deepEqual(
      pool.map((thread) => thread.policy),
      pool.map(() => SCHED_IDLE),
      'the re-check pool runs under SCHED_IDLE',
    );
    const live = threads.filter((thread) => thread.tid === process.pid || thread.name.startsWith('gate-check'));
    assert.ok(live.length > 1, 'the event loop and the check threads');
    assert.deepEqual(
      live.map((thread) => `${thread.name} ${thread.nice} ${thread.policy}`),
      live.map((thread) => `${thread.name} 0 ${SCHED_OTHER}`),
      'live traffic keeps its priority',
    );
    await eventually('the job thread connected', async () => ((await admin.client('LIST')) as string).includes('name=gate-recheck ') || undefined);
  });

  it('re-checks an NDJSON upload; with onlyChanged nothing unchanged is emitted', async () => {
    const items = listings('U', 25);
    await checkAll(items);
    const body = `${items.map((l) => JSON.stringify(l)).join('\n')}\n\n`;
    const started = await call('POST', '/v1/admin/rechecks?onlyChanged=true', body, { 'content-type': 'application/x-ndjson' });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.equal(started.body.total, 25, 'the blank line is no entry');
    const job = await jobIn(gate.url, ADMIN_TOKEN, started.body.id, 'done');
    assert.equal(job.done, 25);
    assert.equal(job.onlyChanged, true);
    assert.equal(job.unrecorded, 0);
    assert.deepEqual(await jobVerdicts(admin, prefix, job.id), [], 'nothing changed, nothing emitted');
    assert.ok((await admin.ttl(recheckKeys(prefix).upload(job.id))) > 0, 'the uploaded source expires');
  });

  it('a list grown with recheck: true turns an allowed listing into a block: emitted once to the outbox and the verdicts stream, and recorded', async () => {
    const items = listings('L', 60);
    await checkAll(items);
    const target = items[4] as Listing; // an allowed t-shirt
    const { stream, ids } = await streamOf('list', items);
    const grown = await call('POST', '/v1/admin/lists/sellers', { values: [target.sellerId], recheck: true, source: { stream } });
    assert.equal(grown.status, 200, JSON.stringify(grown.body));
    assert.equal(grown.body.added, 1);
    assert.match(grown.body.recheckId, /^rc_/);
    const job = await jobIn(gate.url, ADMIN_TOKEN, grown.body.recheckId, 'done');
    assert.deepEqual(job.changed, { total: 1, byKind: { 'allow->block': 1 } });
    assert.equal(job.onlyChanged, true, 'a job from a change shows what changed by default');
    assert.equal(job.trigger.by, 'list:add:sellers');
    const verdicts = await jobVerdicts(admin, prefix, job.id);
    assert.deepEqual(
      verdicts.map((v) => [
        String(v.fields.entryId),
        String(v.fields.listingId),
        String(v.fields.previous),
        String(v.fields.verdict),
        String(v.fields.changed),
      ]),
      [[ids[4], target.listingId, 'allow', 'block', '1']],
    );
    const events = (await changedEvents(admin, prefix)).filter((e) => e.jobId === job.id);
    assert.equal(events.length, 1, 'one verdict.changed event');
    assert.equal(events[0]?.listingId, target.listingId);
    assert.equal(events[0]?.previous, 'allow');
    assert.equal(events[0]?.verdict, 'block');
    assert.equal(events[0]?.eventId, `${job.id}:${ids[4]}`);
    const recorded = await eventually('the block recorded', async () => {
      const found = await callGate(gate, 'GET', `/v1/listings/${target.listingId}/verdict`, REVIEWER_TOKEN);
      return found.body.verdict === 'block' ? found.body : undefined;
    });
    assert.equal(recorded.decidedBy, 'gate');
    const metrics = await (await gate.get('/metrics')).text();
    assert.match(metrics, /^gate_recheck_changed_total\{from="allow",to="block"\} 1$/m, 'the change counted by kind');
    assert.match(metrics, /^gate_recheck_listings_total \d+$/m);
    assert.match(metrics, /^gate_recheck_jobs_running [01]$/m);
    // The same source again: the change is recorded, so nothing is new.
    const again = await call('POST', '/v1/admin/rechecks', { source: { stream }, onlyChanged: true });
    const second = await jobIn(gate.url, ADMIN_TOKEN, again.body.id, 'done');
    assert.equal(second.changed.total, 0);
    assert.deepEqual(duplicates((await changedEvents(admin, prefix)).map((e) => String(e.eventId))), [], 'no event twice');
  });

  it('pauses, resumes and cancels a job; nothing is emitted while it is paused', async () => {
    const { stream } = await streamOf('pause', listings('P', 3000));
    const started = await call('POST', '/v1/admin/rechecks', { source: { stream } });
    const id = started.body.id as string;
    await eventually('the job under way', async () => ((await jobOf(gate.url, ADMIN_TOKEN, id)).done > 0 ? true : undefined));
    const paused = await call('POST', `/v1/admin/rechecks/${id}/pause`);
    assert.equal(paused.status, 200, JSON.stringify(paused.body));
    assert.equal(paused.body.state, 'paused');
    await new Promise((r) => setTimeout(r, 300)); // a batch in progress is dropped, not emitted
    const held = await jobOf(gate.url, ADMIN_TOKEN, id);
    const emitted = (await jobVerdicts(admin, prefix, id)).length;
    assert.equal(emitted, held.done, 'what is emitted is what is counted');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await jobOf(gate.url, ADMIN_TOKEN, id)).done, held.done, 'no progress while paused');
    assert.equal((await jobVerdicts(admin, prefix, id)).length, emitted, 'nothing emitted while paused');
    assert.ok(held.done < 3000, `paused mid-job (${held.done} of 3000)`);
    assert.equal((await call('POST', `/v1/admin/rechecks/${id}/pause`)).status, 409, 'a paused job cannot be paused');
    assert.equal((await call('POST', `/v1/admin/rechecks/${id}/resume`)).body.state, 'running');
    const done = await jobIn(gate.url, ADMIN_TOKEN, id, 'done');
    assert.equal(done.done, 3000);
    const verdicts = await jobVerdicts(admin, prefix, id);
    assert.equal(verdicts.length, 3000);
    assert.deepEqual(duplicates(verdicts.map((v) => String(v.fields.entryId))), []);
    assert.equal((await call('POST', `/v1/admin/rechecks/${id}/resume`)).status, 409, 'a done job cannot be resumed');

    const other = (await call('POST', '/v1/admin/rechecks', { source: { stream } })).body.id as string;
    await eventually('the second job under way', async () => ((await jobOf(gate.url, ADMIN_TOKEN, other)).done > 0 ? true : undefined));
    const cancelled = await call('POST', `/v1/admin/rechecks/${other}/cancel`);
    assert.equal(cancelled.body.state, 'cancelled');
    await new Promise((r) => setTimeout(r, 500));
    const stopped = await jobOf(gate.url, ADMIN_TOKEN, other);
    assert.equal(stopped.state, 'cancelled');
    assert.equal(stopped.done, cancelled.body.done, 'no progress after the cancel');
    assert.ok(stopped.done < 3000);
    assert.equal((await call('POST', `/v1/admin/rechecks/${other}/resume`)).status, 409, 'a cancelled job stays cancelled');
  });

  it('reads a batch whose emission failed again from the cursor, not the batch read ahead of it: every entry emitted once, in order', async () => {
    const { stream, ids } = await streamOf('refused', listings('R', 3000));
    const id = (await call('POST', '/v1/admin/rechecks', { source: { stream } })).body.id as string;
    await eventually('the job under way', async () => ((await jobOf(gate.url, ADMIN_TOKEN, id)).done > 0 ? true : undefined));
    // Redis at its memory limit refuses every write, the batch's emission among them; its reads go on.
    await admin.config('SET', 'maxmemory', '1');
    try {
      await eventually('an emission refused', async () => (logged.some((line) => line.includes(`re-check ${id}: batch failed, retrying`)) ? true : undefined));
    } finally {
      await admin.config('SET', 'maxmemory', '0');
    }
    const done = await jobIn(gate.url, ADMIN_TOKEN, id, 'done');
    assert.ok(
      logged.some((line) => line.includes('OOM')),
      'the emission failed for the memory limit',
    );
    assert.equal(done.done, 3000);
    assert.deepEqual(
      (await jobVerdicts(admin, prefix, id)).map((v) => String(v.fields.entryId)),
      ids,
    );
  });

  it('answers bad input with a coded error naming the field, and a grown list with a bad recheck is not changed', async () => {
    const { stream } = await streamOf('bad', listings('B', 3));
    await admin.set(`${prefix}not-a-stream`, 'x');
    await admin.xadd('elsewhere:stream', '*', 'listing', JSON.stringify(listings('E', 1)[0]));
    const cases: Array<[string, unknown, string, number]> = [
      ['no source', {}, 'source', 400],
      ['source not an object', { source: 'x' }, 'source', 400],
      ['stream outside the prefix', { source: { stream: 'elsewhere:stream' } }, 'source.stream', 400],
      ['no such stream', { source: { stream: `${prefix}nothing-here` } }, 'source.stream', 400],
      ['not a stream', { source: { stream: `${prefix}not-a-stream` } }, 'source.stream', 400],
      ['onlyChanged not a boolean', { source: { stream }, onlyChanged: 'yes' }, 'onlyChanged', 400],
      ['an unknown field', { source: { stream }, fast: true }, 'fast', 400],
      ['an unknown source field', { source: { stream, upload: true } }, 'source.upload', 400],
    ];
    for (const [what, body, field, status] of cases) {
      const answer = await call('POST', '/v1/admin/rechecks', body);
      assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.error.code, 'GATE_ERR_INVALID_FIELD', what);
      assert.equal(answer.body.error.field, field, what);
    }
    const ndjson = [
      JSON.stringify({ listingId: 'n1', sellerId: 's', title: 'a mug' }),
      '',
      JSON.stringify({ listingId: 'n3', sellerId: 's' }),
      '{"listingId":',
    ].join('\n');
    const badLine = await call('POST', '/v1/admin/rechecks', ndjson, { 'content-type': 'application/x-ndjson' });
    assert.equal(badLine.status, 400);
    assert.equal(badLine.body.error.code, 'GATE_ERR_INVALID_FIELD');
    assert.equal(badLine.body.error.field, 'lines[3].title');
    const badJson = await call('POST', '/v1/admin/rechecks', '{"listingId":', { 'content-type': 'application/x-ndjson' });
    assert.equal(badJson.body.error.code, 'GATE_ERR_INVALID_BODY');
    assert.equal(badJson.body.error.field, 'lines[1]');
    assert.equal(
      (await call('POST', '/v1/admin/rechecks?onlyChanged=maybe', ndjson, { 'content-type': 'application/x-ndjson' })).body.error.field,
      'onlyChanged',
    );
    assert.equal((await call('POST', '/v1/admin/rechecks', 'x', { 'content-type': 'text/plain' })).body.error.code, 'GATE_ERR_UNSUPPORTED_MEDIA_TYPE');
    assert.equal((await call('GET', `/v1/admin/rechecks/rc_${randomUUID()}`)).status, 404);
    assert.equal((await call('GET', '/v1/admin/rechecks/nonsense')).body.error.code, 'GATE_ERR_NOT_FOUND');
    const job = (await call('POST', '/v1/admin/rechecks', { source: { stream } })).body.id as string;
    const action = await call('POST', `/v1/admin/rechecks/${job}/explode`);
    assert.equal(action.status, 404);
    assert.equal(action.body.error.field, 'action');
    assert.equal((await adminCall(gate.url, 'wrong-token-0123456789', 'GET', '/v1/admin/rechecks')).status, 401);

    const listCases: Array<[unknown, string]> = [
      [{ values: ['s-never-1'], recheck: 'yes', source: { stream } }, 'recheck'],
      [{ values: ['s-never-1'], recheck: true }, 'source'],
      [{ values: ['s-never-1'], source: { stream } }, 'recheck'],
      [{ values: ['s-never-1'], recheck: true, source: { stream: `${prefix}nothing-here` } }, 'source.stream'],
    ];
    for (const [body, field] of listCases) {
      const answer = await call('POST', '/v1/admin/lists/sellers', body);
      assert.equal(answer.status, 400, JSON.stringify(answer.body));
      assert.equal(answer.body.error.field, field);
    }
    assert.equal((await call('GET', '/v1/admin/lists/sellers/s-never-1')).body.listed, false, 'a refused change is not made');
  });
});
