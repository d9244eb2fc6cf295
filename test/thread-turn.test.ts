// A check thread's turn (GATE_THREAD_TURN_MS): the bound on how long it works
// before its event loop polls the other connections again. The turn's own rules,
// then a real gate with one check thread and a 1 ms turn: a check socket's deep
// window is answered whole (its messages wait for later turns, none is refused),
// and a burst of costly HTTP checks gets some 503s with retry-after and the rest
// answered.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { ThreadTurn } from '../src/check-thread/thread-turn.js';
import { openStream } from './helpers/stream-client.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, startTestGate, type TestGate } from './helpers/test-gate.js';

function busyFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('thread turn', () => {
  it('is over its bound once the work since the first call passes it, and past a share of it sooner', () => {
    // Wide margins: a busy machine may take the thread's core between two calls.
    const turn = new ThreadTurn(50, 0);
    assert.equal(turn.overdue(), false, 'the first call opens the turn');
    busyFor(30);
    assert.equal(turn.pastShare(0.5), true, 'past half of the bound');
    assert.equal(turn.overdue(), false, 'not past the whole bound');
    busyFor(25);
    assert.equal(turn.overdue(), true);
  });

  it('starts afresh once the event loop has turned', async () => {
    const turn = new ThreadTurn(1, 0);
    turn.overdue();
    busyFor(2);
    assert.equal(turn.overdue(), true);
    await nextTurn();
    assert.equal(turn.overdue(), false);
  });

  it('runs deferred work after the turn, without charging it to the next one', async () => {
    const turn = new ThreadTurn(1, 0);
    const order: string[] = [];
    turn.overdue();
    turn.later(() => {
      order.push('deferred');
      assert.equal(turn.overdue(), false, 'the deferred work has a turn of its own');
      busyFor(3);
      assert.equal(turn.overdue(), true);
    });
    order.push('this turn');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await nextTurn();
    assert.deepEqual(order, ['this turn', 'deferred']);
    assert.equal(turn.overdue(), false, 'the turn after the deferred work starts afresh');
  });

  it('is not over its bound with fewer calls than its minimum in the turn: a thread that lost its core is not overloaded', () => {
    const turn = new ThreadTurn(1, 4);
    turn.overdue();
    busyFor(2);
    assert.equal(turn.overdue(), false, 'two calls');
    assert.equal(turn.overdue(), false, 'three calls');
    assert.equal(turn.overdue(), true, 'four calls');
  });

  it('does not count work that can wait towards the calls that allow a refusal', () => {
    const turn = new ThreadTurn(1, 3);
    turn.overdue();
    busyFor(2);
    for (let i = 0; i < 10; i++) assert.equal(turn.pastShare(0.5), true);
    assert.equal(turn.overdue(), false, 'two calls');
    assert.equal(turn.overdue(), true, 'three calls');
  });

  it('is never over a bound of 0', () => {
    const turn = new ThreadTurn(0, 0);
    turn.overdue();
    busyFor(3);
    assert.equal(turn.overdue(), false);
  });
});

function metric(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length).trim());
}

describe('a check thread with a 1 ms turn', () => {
  let redis: TestRedis;
  let gate: TestGate;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ redisUrl: redis.url, env: { GATE_CHECK_THREADS: '1', GATE_THREAD_TURN_MS: '1', GATE_SHED_MODE: 'review' } });
  });
  after(async () => {
    await gate?.stop();
    await redis?.stop();
  });

  it('answers every message of a deep socket window, holding some for later turns', async () => {
    const client = await openStream(gate.url);
    const count = 800;
    for (let seq = 0; seq < count; seq++)
      client.send({ seq, deadlineMs: 60_000, listing: { listingId: `turn-${seq}`, sellerId: 's-turn', title: `Plain cotton t-shirt ${seq}` } });
    const answers = await client.waitForAnswers(count, 30_000);
    await client.close();
    assert.deepEqual(
      answers.filter((answer) => answer.verdict === undefined),
      [],
      'no message refused',
    );
    assert.deepEqual(new Set(answers.map((answer) => answer.seq)).size, count);
    const text = await (await gate.get('/metrics', admin())).text();
    assert.ok(metric(text, 'gate_stream_held_total{reason="turn"}') > 0, 'some messages waited for a later turn');
  });

  it('refuses HTTP checks past the turn with 503 and retry-after, in either shed mode, and answers the rest', async () => {
    // Each listing takes the thread a fraction of a millisecond to normalize and match: a few fill a turn.
    const description = 'genuine leather strap, stainless steel case, sapphire glass. '.repeat(300);
    const responses = await Promise.all(
      Array.from({ length: 400 }, (_, i) => gate.post('/v1/check', { listingId: `burst-${i}`, sellerId: 's-burst', title: `Watch ${i}`, description })),
    );
    const refused = responses.filter((response) => response.status === 503);
    const answered = responses.filter((response) => response.status === 200);
    assert.equal(refused.length + answered.length, responses.length, `statuses: ${responses.map((r) => r.status).join(',')}`);
    assert.ok(refused.length > 0, 'some checks were refused');
    assert.ok(answered.length > 0, 'some checks were answered');
    for (const response of refused) {
      assert.ok(Number(response.headers.get('retry-after')) >= 1);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'GATE_ERR_OVERLOADED');
    }
    for (const response of answered) await response.arrayBuffer();
    // Each refusal's time from arrival to its answer reaches /metrics, as the event loop's own do.
    const metrics = await (await gate.get('/metrics')).text();
    assert.equal(metric(metrics, 'gate_refusal_duration_seconds_count'), refused.length);
    assert.ok(metric(metrics, 'gate_refusal_duration_seconds_sum') > 0);
  });
});
