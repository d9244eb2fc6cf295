// The check socket (GET /v1/check/stream, contract section 6) against a real gate
// and Redis, with check threads and with the pool (GATE_CHECK_THREADS=0): answers
// matched by seq and equal to POST /v1/check's, bad messages, the close on a message
// without a usable seq, refused upgrades, and back-pressure with a client that
// stops reading.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { repoPath } from '../src/config/repo-root.js';
import { openStream, type StreamAnswer, type StreamClient, type StreamEncoding } from './helpers/stream-client.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';

const AUTH = { authorization: `Bearer ${PUBLISHER_TOKEN}` };
const CORPUS = readFileSync(repoPath('test', 'fixtures', 'mini-corpus.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { listing: Record<string, unknown> }).listing);
/** A seller the test lists: its checks go to the event loop (a thread cannot answer them alone). */
const LISTED_SELLER = 's-stream-listed';
const LISTINGS = [...CORPUS, { listingId: 'S-listed', sellerId: LISTED_SELLER, title: 'Plain cotton t-shirt' }];

// Rules each listing of the back-pressure tests matches 300 times: a 22 KB answer,
// so that a few hundred fill the kernel's socket buffers (~4 MB on loopback).
const RULE_TERMS = Array.from({ length: 300 }, (_, i) => `zq${String(i).padStart(3, '0')}`);
const PACK = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as { rules: unknown[] };
PACK.rules.push(...RULE_TERMS.map((term) => ({ id: `stream-${term}`, type: 'literal', pattern: term, score: 1, fields: ['description'] })));
const BIG_ANSWER_LISTING = { listingId: 'S-big', sellerId: 's-stream-big', title: 'Notebook', description: RULE_TERMS.join(' ') };

/** A message's deadline runs from its arrival, waiting included: these wait for seconds while the client does not read. */
const HELD_DEADLINE_MS = 60_000;
/** Small bounds, so that the tests reach them. */
const LIMITS = { inFlight: 4, queued: 200 };

/** What must be equal between the socket's answer and POST /v1/check's for the same listing. */
function verdictOf(answer: Record<string, unknown>): unknown {
  return {
    listingId: answer.listingId,
    verdict: answer.verdict,
    score: answer.score,
    reasons: answer.reasons,
    policyVersion: answer.policyVersion,
    queued: typeof answer.reviewId === 'string',
  };
}

function metric(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length).trim());
}

async function streamMetrics(gate: TestGate): Promise<{ answered: number; held: number; unread: number }> {
  const text = await (await gate.get('/metrics', admin())).text();
  return {
    answered: metric(text, 'gate_stream_answers_total{outcome="response"}'),
    held: metric(text, 'gate_stream_held_total{reason="in_flight"}') + metric(text, 'gate_stream_held_total{reason="unread"}'),
    unread: metric(text, 'gate_stream_held_total{reason="unread"}'),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends big-answer listings in batches to a client that does not read, until the
 * gate holds one back because its answers are not read (the kernel's buffers and
 * then uWS's past GATE_STREAM_BUFFER_BYTES are full). Returns how many were sent.
 */
async function fillUntilStalled(gate: TestGate, client: StreamClient): Promise<number> {
  const start = await streamMetrics(gate);
  let sent = 0;
  while (sent < 3000) {
    for (let i = 0; i < 20; i++) client.send({ seq: sent++, listing: BIG_ANSWER_LISTING, deadlineMs: HELD_DEADLINE_MS }, 'msgpack');
    // The next batch waits for this one to be answered: on a busy machine the gate's queue
    // would otherwise fill with unchecked messages before any answer goes unread.
    // Answers stop coming once uWS holds more than it may for a client that does not read.
    let answered = -1;
    let sinceProgress = 0;
    for (;;) {
      await sleep(20);
      const now = await streamMetrics(gate);
      if (now.unread > start.unread) return sent;
      if (now.answered - start.answered >= sent) break;
      sinceProgress = now.answered === answered ? sinceProgress + 1 : 0;
      answered = now.answered;
      if (sinceProgress >= 25) break;
    }
  }
  throw new Error(`the gate kept checking ${sent} messages for a client that read none`);
}

function streamSuite(mode: string, threads: string): void {
  describe(`the check socket (${mode})`, () => {
    let redis: TestRedis;
    let gate: TestGate;
    let posted: Map<string, unknown>;
    before(async () => {
      redis = await startTestRedis();
      gate = await startTestGate({
        redisUrl: redis.url,
        publisherTokens: true,
        pack: PACK,
        env: {
          GATE_CHECK_THREADS: threads,
          GATE_STREAM_IN_FLIGHT: String(LIMITS.inFlight),
          GATE_STREAM_QUEUE: String(LIMITS.queued),
          GATE_STREAM_BUFFER_BYTES: '65536',
        },
      });
      assert.equal((await gate.post('/v1/admin/lists/sellers', { values: [LISTED_SELLER] }, admin())).status, 200);
      posted = new Map();
      for (const listing of LISTINGS) {
        const response = await gate.post('/v1/check', listing, AUTH);
        assert.equal(response.status, 200);
        posted.set(listing.listingId as string, verdictOf((await response.json()) as Record<string, unknown>));
      }
    });
    after(async () => {
      await gate.stop();
      await redis.stop();
    });

    for (const encoding of ['json', 'msgpack'] as StreamEncoding[]) {
      it(`answers many messages in flight by seq, each as POST /v1/check answered its listing (${encoding})`, async () => {
        const client = await openStream(gate.url, AUTH);
        // Three rounds of every listing, all sent before any answer is read; seqs out of order.
        const sent = new Map<number, Record<string, unknown>>();
        for (let round = 0; round < 3; round++) {
          LISTINGS.forEach((listing, i) => {
            const seq = 1_000_000 - (round * LISTINGS.length + i) * 7;
            sent.set(seq, listing);
            client.send({ seq, listing, deadlineMs: 2000 }, encoding);
          });
        }
        const answers = await client.waitForAnswers(sent.size);
        assert.deepEqual(answers.map((a) => a.seq).sort(), [...sent.keys()].sort(), 'every seq answered once');
        for (const answer of answers) {
          const listing = sent.get(answer.seq);
          assert.ok(listing && answer.error === undefined, JSON.stringify(answer));
          assert.deepEqual(verdictOf(answer), posted.get(listing.listingId as string), `seq ${answer.seq} (${listing.listingId as string})`);
        }
        assert.ok(answers.some((a) => a.verdict === 'block') && answers.some((a) => a.verdict === 'review') && answers.some((a) => a.verdict === 'allow'));
        assert.equal(client.closedWith, undefined);
        await client.close();
      });
    }

    it('records the verdict and queues the review item of a socket check as an HTTP check does', async () => {
      const client = await openStream(gate.url, AUTH);
      client.send({ seq: 1, listing: { listingId: `S-rec-allow-${threads}`, sellerId: 's-rec', title: 'Plain cotton t-shirt' } });
      client.send({ seq: 2, listing: { listingId: `S-rec-review-${threads}`, sellerId: 's-rec', title: 'super copy handbag' } });
      const answers = new Map((await client.waitForAnswers(2)).map((a) => [a.seq, a]));
      assert.equal(answers.get(1)?.verdict, 'allow');
      assert.equal(answers.get(2)?.verdict, 'review');
      assert.match(String(answers.get(2)?.reviewId), /^rv_/);
      for (const [seq, answer] of answers) {
        const record = await fetch(`${gate.url}/v1/listings/${String(answer.listingId)}/verdict`, { headers: AUTH });
        assert.equal(record.status, 200, `seq ${seq}`);
        const body = (await record.json()) as { verdict: string; reviewId?: string };
        assert.equal(body.verdict, answer.verdict);
        assert.equal(body.reviewId, answer.reviewId);
      }
      await client.close();
    });

    it('answers a bad message with its coded error naming the field, and lives on', async () => {
      const client = await openStream(gate.url, AUTH);
      client.send({ seq: 5, listing: { listingId: 'S-bad', title: 'no seller' } });
      client.send({ seq: 6, listing: LISTINGS[0], deadlineMs: 0 }, 'msgpack');
      client.send({ seq: 7, listing: 'not an object' });
      const errors = await client.waitForAnswers(3);
      const bySeq = new Map(errors.map((a) => [a.seq, a]));
      assert.deepEqual(bySeq.get(5)?.error && { code: bySeq.get(5)?.error?.code, field: bySeq.get(5)?.error?.field }, {
        code: 'GATE_ERR_INVALID_FIELD',
        field: 'listing.sellerId',
      });
      assert.equal(bySeq.get(6)?.error?.field, 'deadlineMs');
      assert.equal(bySeq.get(7)?.error?.field, 'listing');
      client.send({ seq: 8, listing: LISTINGS[0] });
      const [, , , later] = await client.waitForAnswers(4);
      assert.equal(later?.seq, 8);
      assert.deepEqual(verdictOf(later as StreamAnswer), posted.get(LISTINGS[0]?.listingId as string));
      assert.equal(client.closedWith, undefined);
      await client.close();
    });

    it('closes the socket with a reason on a message without a usable seq', async () => {
      for (const [message, reason] of [
        [JSON.stringify({ listing: LISTINGS[0] }), /seq is required/],
        [JSON.stringify({ seq: 1.5, listing: LISTINGS[0] }), /seq must be an integer/],
        ['{"seq": 1, "listing": ', /not valid JSON/],
      ] as const) {
        const client = await openStream(gate.url, AUTH);
        client.sendRaw(message);
        const closed = await client.waitForClose();
        assert.equal(closed.code, 1008);
        assert.match(closed.reason, reason);
        assert.equal(client.answers.length, 0);
      }
    });

    it('refuses an upgrade without a publisher token before upgrading, with the coded error', async () => {
      const refusals: Array<[Record<string, string>, number, string]> = [
        [{}, 401, 'GATE_ERR_UNAUTHORIZED'],
        [{ authorization: 'Bearer unknown-token-0123456789' }, 401, 'GATE_ERR_UNAUTHORIZED'],
        [{ authorization: `Bearer ${REVIEWER_TOKEN}` }, 403, 'GATE_ERR_FORBIDDEN'],
      ];
      for (const [headers, status, code] of refusals) {
        const refused = await openStream(gate.url, headers).then(
          () => assert.fail('the upgrade was accepted'),
          (error: { status?: number; body?: string }) => error,
        );
        assert.equal(refused.status, status);
        assert.equal((JSON.parse(refused.body ?? '{}') as { error: { code: string } }).error.code, code);
      }
      const plain = await fetch(`${gate.url}/v1/check/stream`, { headers: AUTH });
      assert.equal(plain.status, 426);
    });

    it('holds messages back while a client does not read its answers, and answers every one once it reads again', async () => {
      const start = await streamMetrics(gate);
      const client = await openStream(gate.url, AUTH);
      client.socket.pause();
      let sent = await fillUntilStalled(gate, client);
      // Within the bound: these wait, unchecked, in the connection's queue.
      for (let i = 0; i < LIMITS.queued / 2; i++) client.send({ seq: sent++, listing: BIG_ANSWER_LISTING, deadlineMs: HELD_DEADLINE_MS }, 'msgpack');
      await sleep(300);
      const paused = await streamMetrics(gate);
      // What the kernel's buffers take (~4 MB on loopback, growing as they autotune) is
      // checked and answered; the rest waits. Without the bound the gate checks them all.
      const answeredUnread = paused.answered - start.answered;
      assert.ok(answeredUnread <= sent - LIMITS.queued / 4, `${answeredUnread} of ${sent} answered for a client that reads none`);
      assert.ok(paused.unread - start.unread >= LIMITS.queued / 4, `${paused.unread - start.unread} held for unread answers`);
      client.socket.resume();
      const answers = await client.waitForAnswers(sent, 30_000);
      assert.deepEqual(
        answers.map((a) => a.seq).sort((a, b) => a - b),
        Array.from({ length: sent }, (_, i) => i),
      );
      // Each a check response (some may be review for want of time: the 8 ms text budget on a busy machine).
      const notChecks = answers.filter((a) => a.listingId !== BIG_ANSWER_LISTING.listingId || (a.verdict !== 'block' && a.verdict !== 'review'));
      assert.deepEqual(notChecks.slice(0, 1), [], `${notChecks.length} answers not a check of the listing`);
      assert.ok(answers.filter((a) => a.reasons?.length === RULE_TERMS.length).length > sent / 2);
      assert.equal(client.closedWith, undefined);
      await client.close();
    });

    it('closes (1013) a connection that sends past the bounds without reading', async () => {
      const client = await openStream(gate.url, AUTH);
      client.socket.pause();
      let sent = await fillUntilStalled(gate, client);
      for (let i = 0; i <= LIMITS.queued; i++) client.send({ seq: sent++, listing: BIG_ANSWER_LISTING, deadlineMs: HELD_DEADLINE_MS }, 'msgpack');
      await sleep(300); // all of it read by the gate before the client reads anything
      client.socket.resume();
      const closed = await client.waitForClose();
      assert.equal(closed.code, 1013);
      assert.match(closed.reason, /unanswered messages/);
    });
  });
}

streamSuite('check threads', '2');
streamSuite('pool', '0');

describe('the check socket, past GATE_STREAM_CONNECTIONS', () => {
  let redis: TestRedis;
  let gate: TestGate;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ redisUrl: redis.url, publisherTokens: true, env: { GATE_CHECK_THREADS: '1', GATE_STREAM_CONNECTIONS: '2' } });
  });
  after(async () => {
    await gate?.stop();
    await redis?.stop();
  });

  it('refuses an upgrade with 503 (GATE_ERR_OVERLOADED), counts it, and takes one again once a socket closed', async () => {
    const first = await openStream(gate.url, AUTH);
    const second = await openStream(gate.url, AUTH);
    const refused = await openStream(gate.url, AUTH).then(
      () => assert.fail('a third socket was opened'),
      (error: { status?: number; body?: string }) => error,
    );
    assert.equal(refused.status, 503);
    assert.equal((JSON.parse(refused.body ?? '{}') as { error: { code: string } }).error.code, 'GATE_ERR_OVERLOADED');
    const metrics = await (await gate.get('/metrics', admin())).text();
    assert.equal(metric(metrics, 'gate_stream_upgrades_refused_total'), 1);
    // The two open sockets still check.
    second.send({ seq: 1, listing: LISTINGS[0] });
    assert.equal((await second.waitForAnswers(1))[0]?.seq, 1);
    await first.close();
    const third = await eventuallyOpen(gate.url);
    third.send({ seq: 2, listing: LISTINGS[0] });
    assert.equal((await third.waitForAnswers(1))[0]?.seq, 2);
    await Promise.all([second.close(), third.close()]);
  });
});

/** Opens a socket once the gate has seen an earlier one close (its close reaches the listener a moment later). */
async function eventuallyOpen(url: string): Promise<StreamClient> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openStream(url, AUTH);
    } catch (error) {
      if (attempt >= 50 || (error as { status?: number }).status !== 503) throw error;
      await sleep(20);
    }
  }
}
