// The client's retries (client/, issue 27 point 2): a real gate past its bound on
// checks in flight refuses with 503 and retry-after, and past its limit on failed
// authentications with 429; the client waits as told, within the deadline. A
// stand-in server covers the protocol's edge cases the gate never produces (an
// HTTP-date retry-after, a 503 without one, no answer at all, a proxy's HTML).
import { strict as assert } from 'node:assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { GateClient, GateClientError, type CheckRequest } from '../client/src/index.js';
import { gateFixture } from './helpers/gate-fixture.js';
import { recordingFetch, type RecordedCall } from './helpers/recording-fetch.js';
import { PUBLISHER_TOKEN } from './helpers/test-gate.js';

const listing = (i: number): CheckRequest => ({
  listingId: `RT${i}`,
  sellerId: `s-rt${i}`,
  title: `plain cotton tote number ${i}`,
  description: 'canvas '.repeat(500),
});

function listingIdOf(call: RecordedCall): string {
  return (JSON.parse(String(call.body)) as CheckRequest).listingId;
}

function byListing(calls: RecordedCall[]): Map<string, RecordedCall[]> {
  const out = new Map<string, RecordedCall[]>();
  for (const call of calls) out.set(listingIdOf(call), [...(out.get(listingIdOf(call)) ?? []), call]);
  return out;
}

describe('the client against a gate that refuses', () => {
  // The event loop's bounds (check threads would answer most checks themselves), with no adaptive bound.
  const fixture = gateFixture({
    publisherTokens: true,
    env: { GATE_MAX_CHECKS_IN_FLIGHT: '8', GATE_ADMISSION_TARGET_MS: '0', GATE_CHECK_THREADS: '0', GATE_AUTH_FAILURE_LIMIT: '1' },
  });
  const client = (options: { retries: number; deadlineMs?: number; fetch: typeof fetch }): GateClient =>
    new GateClient({ baseUrl: fixture.gate.url, token: PUBLISHER_TOKEN, ...options });

  it('without retries, throws the 503 with GATE_ERR_OVERLOADED and retry-after in ms', { timeout: 60_000 }, async () => {
    const recorder = recordingFetch();
    const outcomes = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => client({ retries: 0, fetch: recorder.fetch }).check(listing(i))));
    const refused = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    assert.ok(refused.length > 0, 'some checks were refused');
    assert.ok(refused.length < outcomes.length, 'some checks were answered');
    for (const error of refused) {
      assert.ok(error instanceof GateClientError, String(error));
      assert.deepEqual(
        { status: error.status, code: error.code, retryAfterMs: error.retryAfterMs },
        { status: 503, code: 'GATE_ERR_OVERLOADED', retryAfterMs: 1000 },
      );
    }
    assert.equal(recorder.calls.length, outcomes.length, 'nothing was sent twice');
  });

  it('retries a 503 once its retry-after has passed, until every check is answered', { timeout: 60_000 }, async () => {
    const recorder = recordingFetch();
    // About 50 of the refused get through at each second's return (8 in flight, checks of a few ms, a 100 ms spread): 100 need 2 or 3.
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => client({ retries: 10, fetch: recorder.fetch }).check(listing(1000 + i))));
    assert.equal(answers.length, 100);
    const refusals = recorder.calls.filter((call) => call.status === 503);
    assert.ok(refusals.length > 0, 'the gate refused some checks: the retries were exercised');
    for (const [id, calls] of byListing(recorder.calls)) {
      for (let i = 1; i < calls.length; i++) {
        const previous = calls[i - 1] as RecordedCall;
        assert.equal(previous.status, 503, `${id} was sent again after a ${previous.status}`);
        const waited = (calls[i] as RecordedCall).at - previous.at;
        assert.ok(waited >= 1000, `${id} was sent again ${waited.toFixed(0)} ms after a 503 asking for 1 s`);
      }
      assert.equal(calls.at(-1)?.status, 200, id);
    }
  });

  it('does not retry when the retry-after ends past the deadline', { timeout: 60_000 }, async () => {
    const recorder = recordingFetch();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => client({ retries: 8, deadlineMs: 900, fetch: recorder.fetch }).check(listing(2000 + i))),
    );
    const errors = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as GateClientError] : []));
    assert.ok(
      errors.some((error) => error.status === 503 && error.retryAfterMs === 1000),
      'some checks were refused',
    );
    // The gate runs in this process: on a loaded machine an answer may come after the deadline's grace.
    for (const error of errors) assert.ok(error.status === 503 || error.code === 'CLIENT_ERR_TIMEOUT', `${error.code} ${error.status}`);
    assert.equal(recorder.calls.length, outcomes.length, 'no check was sent twice');
  });

  // Last: one failed authentication makes the gate refuse this address for a minute.
  it('throws the 429 of the failed-authentication limit, whose minute no deadline fits', async () => {
    const recorder = recordingFetch();
    const stranger = new GateClient({ baseUrl: fixture.gate.url, token: 'not-a-token-0123456789', deadlineMs: 5000, fetch: recorder.fetch });
    await assert.rejects(stranger.check(listing(3000)), (error: GateClientError) => error.status === 401);
    await assert.rejects(client({ retries: 8, deadlineMs: 5000, fetch: recorder.fetch }).check(listing(3001)), (error: unknown) => {
      assert.ok(error instanceof GateClientError);
      assert.equal(error.status, 429);
      assert.equal(error.code, 'GATE_ERR_RATE_LIMITED');
      assert.ok(error.retryAfterMs !== undefined && error.retryAfterMs > 5000 && error.retryAfterMs <= 60_000, String(error.retryAfterMs));
      return true;
    });
    assert.equal(recorder.calls.length, 2);
  });
});

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A mock of the gate for protocol edge cases only: it answers each request with the next handler. */
describe('the client against a stand-in server', () => {
  let server: Server;
  let handlers: Handler[] = [];
  const seen: number[] = [];
  let baseUrl = '';
  before(async () => {
    server = createServer((request, response) => {
      seen.push(performance.now());
      request.resume();
      request.on('end', () => (handlers.shift() ?? ((_q, r) => r.writeHead(500).end()))(request, response));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  const answer =
    (status: number, body: string, headers: Record<string, string> = {}): Handler =>
    (_request, response) =>
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body);
  const ok = answer(200, JSON.stringify({ checkId: 'ck', listingId: 'X1', verdict: 'allow', score: 0, reasons: [], policyVersion: 'p', tookMicros: 1 }));
  const overloaded = JSON.stringify({ error: { code: 'GATE_ERR_OVERLOADED', message: 'busy' } });
  const x1: CheckRequest = { listingId: 'X1', sellerId: 's', title: 't' };

  it('reads a retry-after given as an HTTP date', async () => {
    seen.length = 0;
    handlers = [answer(503, overloaded, { 'retry-after': new Date(Date.now() + 2000).toUTCString() }), ok];
    const response = await new GateClient({ baseUrl }).check(x1);
    assert.equal(response.verdict, 'allow');
    assert.equal(seen.length, 2);
    assert.ok((seen[1] as number) - (seen[0] as number) >= 900, `waited ${((seen[1] as number) - (seen[0] as number)).toFixed(0)} ms`);
  });

  it('retries a 429 as a 503, and not a 503 without retry-after', async () => {
    seen.length = 0;
    handlers = [answer(429, JSON.stringify({ error: { code: 'GATE_ERR_RATE_LIMITED', message: 'slow down' } }), { 'retry-after': '0' }), ok];
    assert.equal((await new GateClient({ baseUrl }).check(x1)).verdict, 'allow');
    assert.equal(seen.length, 2);
    handlers = [answer(503, overloaded)];
    await assert.rejects(
      new GateClient({ baseUrl }).check(x1),
      (error: GateClientError) => error.status === 503 && error.code === 'GATE_ERR_OVERLOADED' && error.retryAfterMs === undefined,
    );
    assert.equal(seen.length, 3);
  });

  it('gives up at the deadline plus its grace when no answer comes', async () => {
    handlers = [() => undefined];
    const started = performance.now();
    await assert.rejects(
      new GateClient({ baseUrl, deadlineMs: 100, graceMs: 100 }).check(x1),
      (error: GateClientError) => error.code === 'CLIENT_ERR_TIMEOUT' && error.status === undefined,
    );
    const took = performance.now() - started;
    assert.ok(took >= 190 && took < 3000, `gave up after ${took.toFixed(0)} ms`);
  });

  it('stops waiting to retry when the caller aborts', async () => {
    handlers = [answer(503, overloaded, { 'retry-after': '30' })];
    const started = performance.now();
    await assert.rejects(
      new GateClient({ baseUrl }).check(x1, { signal: AbortSignal.timeout(100) }),
      (error: GateClientError) => error.code === 'CLIENT_ERR_ABORTED',
    );
    assert.ok(performance.now() - started < 5000);
  });

  it("reports a proxy's page as a bad answer, with its status", async () => {
    handlers = [answer(502, '<html>Bad Gateway</html>', { 'content-type': 'text/html' })];
    await assert.rejects(new GateClient({ baseUrl }).check(x1), (error: GateClientError) => error.code === 'CLIENT_ERR_BAD_ANSWER' && error.status === 502);
  });
});
