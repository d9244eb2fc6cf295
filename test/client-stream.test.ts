// The client's sessions on the check socket (client/, issue 27 point 2) against a
// real gate and Redis, whose per-connection bounds are small: many checks in
// flight, each answered with the answer to its own seq and equal to POST's; the
// window that keeps the gate's queue from overflowing; errors and refusals. A
// stand-in server covers what the gate never does (no answer, an unasked seq).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { GateClient, GateClientError, type CheckRequest, type CheckResponse } from '../client/src/index.js';
import { repoPath } from '../src/config/repo-root.js';
import { gateFixture } from './helpers/gate-fixture.js';
import { admin, PUBLISHER_TOKEN } from './helpers/test-gate.js';

const CORPUS = readFileSync(repoPath('test', 'fixtures', 'mini-corpus.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { listing: CheckRequest }).listing);
/** A listed seller: its checks wait for Redis on the event loop, so answers to later messages overtake theirs. */
const LISTED_SELLER = 's-client-stream-listed';
const LISTINGS: CheckRequest[] = [
  ...CORPUS,
  ...[1, 2, 3].map((i) => ({ listingId: `CS-listed-${i}`, sellerId: LISTED_SELLER, title: `Plain cotton t-shirt ${i}` })),
];
/** The gate's bounds per connection: a client may keep IN_FLIGHT + QUEUE messages unanswered. */
const BOUNDS = { IN_FLIGHT: 2, QUEUE: 8 };

function verdictOf(response: CheckResponse): Omit<CheckResponse, 'checkId' | 'tookMicros'> {
  const { checkId: _checkId, tookMicros: _tookMicros, ...rest } = response;
  return rest;
}

describe('the client on the check socket', () => {
  const fixture = gateFixture({ publisherTokens: true, env: { GATE_STREAM_IN_FLIGHT: String(BOUNDS.IN_FLIGHT), GATE_STREAM_QUEUE: String(BOUNDS.QUEUE) } });
  const client = (token = PUBLISHER_TOKEN): GateClient => new GateClient({ baseUrl: fixture.gate.url, token, deadlineMs: 10_000 });
  const posted = new Map<string, ReturnType<typeof verdictOf>>();
  before(async () => {
    assert.equal((await fixture.gate.post('/v1/admin/lists/sellers', { values: [LISTED_SELLER] }, admin())).status, 200);
    for (const listing of LISTINGS) posted.set(listing.listingId, verdictOf(await client().check(listing)));
  });

  for (const format of ['json', 'msgpack'] as const) {
    it(`answers many checks in flight, each with the answer to its own seq (${format})`, { timeout: 60_000 }, async () => {
      const window = BOUNDS.IN_FLIGHT + BOUNDS.QUEUE;
      const session = await client().stream({ format, window });
      const sent = [0, 1, 2, 3, 4].flatMap(() => LISTINGS);
      const settledInOrder: number[] = [];
      const checks = sent.map((listing, i) => session.check(listing).then((answer) => (settledInOrder.push(i), answer)));
      assert.equal(session.inFlight, window, 'the window is full');
      assert.equal(session.queued, sent.length - window, 'the rest wait their turn here');
      const answers = await Promise.all(checks);
      answers.forEach((answer, i) => {
        const listingId = (sent[i] as CheckRequest).listingId;
        assert.equal(answer.listingId, listingId, `check ${i}`);
        assert.deepEqual(verdictOf(answer), posted.get(listingId), `check ${i} (${listingId}) as POST /v1/check answered it`);
      });
      assert.ok(
        settledInOrder.some((at, i) => at !== i),
        'some answers overtook others (the listed seller waits for Redis)',
      );
      assert.equal(session.inFlight + session.queued, 0);
      await session.close();
      assert.equal(session.closed?.code, 1000);
      await assert.rejects(session.check(CORPUS[0] as CheckRequest), (error: GateClientError) => error.code === 'CLIENT_ERR_CLOSED');
    });
  }

  it("without the window, overflows the gate's queue: the gate closes the socket (1013) and every check gets a typed error", { timeout: 60_000 }, async () => {
    const session = await client().stream({ window: 1000 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 300 }, (_, i) => session.check({ ...(CORPUS[i % CORPUS.length] as CheckRequest), listingId: `CS-over-${i}` })),
    );
    assert.equal(session.closed?.code, 1013);
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as GateClientError] : []));
    assert.ok(refused.length > 0);
    for (const error of refused) {
      assert.equal(error.code, 'CLIENT_ERR_CLOSED');
      assert.match(error.message, /closed \(1013/);
    }
  });

  it('throws the error of a bad listing with the field it names, and goes on', async () => {
    const session = await client().stream({ format: 'msgpack' });
    const [bad, good] = await Promise.allSettled([session.check({ listingId: 'CS-bad', sellerId: 's', title: '' }), session.check(CORPUS[0] as CheckRequest)]);
    assert.equal(bad?.status, 'rejected');
    const error = (bad as PromiseRejectedResult).reason as GateClientError;
    assert.deepEqual(
      { code: error.code, field: error.field, status: error.status },
      { code: 'GATE_ERR_INVALID_FIELD', field: 'listing.title', status: undefined },
    );
    assert.equal(good?.status, 'fulfilled');
    assert.deepEqual(verdictOf((good as PromiseFulfilledResult<CheckResponse>).value), posted.get((CORPUS[0] as CheckRequest).listingId));
    await session.close();
  });

  it("rejects the session with the gate's coded refusal of the upgrade", async () => {
    await assert.rejects(client('not-a-token-0123456789').stream(), (error: unknown) => {
      assert.ok(error instanceof GateClientError);
      assert.deepEqual({ status: error.status, code: error.code }, { status: 401, code: 'GATE_ERR_UNAUTHORIZED' });
      return true;
    });
  });
});

/** A mock of the check socket for protocol edge cases only: `answer` decides what each message gets. */
describe('the client on a stand-in check socket', () => {
  let server: WebSocketServer;
  let answer: (socket: WebSocket, message: { seq: number }) => void = () => undefined;
  let received = 0;
  let baseUrl = '';
  before(async () => {
    server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    server.on('connection', (socket) => socket.on('message', (data) => (received++, answer(socket, JSON.parse(String(data)) as { seq: number }))));
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const socket of server.clients) socket.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  const x1: CheckRequest = { listingId: 'X1', sellerId: 's', title: 't' };

  it('times a check out at its deadline plus the grace, and keeps counting it in the window until its answer', async () => {
    answer = () => undefined;
    received = 0;
    const session = await new GateClient({ baseUrl, deadlineMs: 100, graceMs: 100 }).stream({ window: 1 });
    const started = performance.now();
    const first = session.check(x1);
    const second = session.check(x1);
    assert.deepEqual({ inFlight: session.inFlight, queued: session.queued }, { inFlight: 1, queued: 1 });
    for (const check of [first, second]) await assert.rejects(check, (error: GateClientError) => error.code === 'CLIENT_ERR_TIMEOUT');
    assert.ok(performance.now() - started < 3000);
    // The first is still the server's to answer, so the second never left.
    assert.deepEqual({ inFlight: session.inFlight, queued: session.queued, received }, { inFlight: 1, queued: 0, received: 1 });
    await session.close(); // nothing its caller still waits for
    assert.equal(session.closed?.code, 1000);
  });

  it('ends the session on an answer to a seq it never sent', async () => {
    answer = (socket, message) =>
      socket.send(
        JSON.stringify({ seq: message.seq + 1000, checkId: 'c', listingId: 'X1', verdict: 'allow', score: 0, reasons: [], policyVersion: 'p', tookMicros: 1 }),
      );
    const session = await new GateClient({ baseUrl }).stream();
    await assert.rejects(session.check(x1), (error: GateClientError) => error.code === 'CLIENT_ERR_BAD_ANSWER');
    await assert.rejects(session.check(x1), (error: GateClientError) => error.code === 'CLIENT_ERR_CLOSED');
  });
});
