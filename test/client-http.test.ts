// The typed client (client/, issue 27 point 2) over POST /v1/check, against a real
// gate and a real Redis: the same verdicts in JSON and MessagePack, the deadline
// sent and kept, coded errors naming their field, and options checked once.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { GateClient, GateClientError, type CheckRequest, type CheckResponse, type GateClientOptions } from '../client/src/index.js';
import { repoPath } from '../src/config/repo-root.js';
import { gateFixture } from './helpers/gate-fixture.js';
import { recordingFetch } from './helpers/recording-fetch.js';
import { PUBLISHER_TOKEN } from './helpers/test-gate.js';

const CORPUS = readFileSync(repoPath('test', 'fixtures', 'mini-corpus.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { listing: CheckRequest }).listing);

/** An answer less what differs from one check to the next. */
function verdictOf(response: CheckResponse): Omit<CheckResponse, 'checkId' | 'tookMicros'> {
  const { checkId: _checkId, tookMicros: _tookMicros, ...rest } = response;
  return rest;
}

function isGateClientError(expected: Partial<Pick<GateClientError, 'status' | 'code' | 'field'>>): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof GateClientError, `not a GateClientError: ${String(error)}`);
    assert.deepEqual({ status: error.status, code: error.code, field: error.field }, { status: undefined, field: undefined, ...expected });
    assert.ok(error.message.length > 0);
    return true;
  };
}

describe('the client over POST /v1/check', () => {
  // A gate's own deadline far above the one the client sends, so that an answer in time shows the header was kept.
  const fixture = gateFixture({ publisherTokens: true, env: { GATE_DEFAULT_DEADLINE_MS: '10000' } });
  const client = (options: Partial<GateClientOptions> = {}): GateClient => new GateClient({ baseUrl: fixture.gate.url, token: PUBLISHER_TOKEN, ...options });

  it('gives the same verdicts in JSON and in MessagePack, and speaks MessagePack when asked', async () => {
    const json = recordingFetch();
    const msgpack = recordingFetch();
    const byJson = client({ format: 'json', fetch: json.fetch });
    const byMsgpack = client({ format: 'msgpack', fetch: msgpack.fetch });
    const verdicts = new Set<string>();
    for (const listing of CORPUS) {
      const a = await byJson.check(listing);
      const b = await byMsgpack.check(listing);
      assert.equal(a.listingId, listing.listingId);
      assert.deepEqual(verdictOf(b), verdictOf(a), listing.listingId);
      verdicts.add(a.verdict);
    }
    assert.deepEqual([...verdicts].sort(), ['allow', 'block', 'review'], 'the corpus has every verdict');
    for (const call of json.calls) {
      assert.equal(call.headers.get('content-type'), 'application/json');
      assert.equal(call.contentType, 'application/json');
    }
    for (const call of msgpack.calls) {
      assert.equal(call.headers.get('content-type'), 'application/msgpack');
      assert.equal(call.headers.get('accept'), 'application/msgpack');
      assert.ok(call.body instanceof Uint8Array, 'the body is MessagePack bytes');
      assert.equal(call.contentType, 'application/msgpack');
    }
    assert.equal(msgpack.calls.length, CORPUS.length);
  });

  it('sends what is left of its deadline as x-deadline-ms, and the gate keeps it while Redis is frozen', async () => {
    const recorder = recordingFetch();
    const withDeadline = client({ deadlineMs: 5000, fetch: recorder.fetch });
    await withDeadline.check({ listingId: 'CD0', sellerId: 's-cd', title: 'plain canvas tote' });
    await withDeadline.check({ listingId: 'CD0', sellerId: 's-cd', title: 'plain canvas tote' }, { deadlineMs: 150 });
    await client({ fetch: recorder.fetch }).check({ listingId: 'CD0', sellerId: 's-cd', title: 'plain canvas tote' });
    const sent = recorder.calls.map((call) => call.headers.get('x-deadline-ms'));
    assert.ok(Number(sent[0]) > 4900 && Number(sent[0]) <= 5000, `the client's deadline: ${sent[0]}`);
    assert.ok(Number(sent[1]) > 100 && Number(sent[1]) <= 150, `the check's deadline: ${sent[1]}`);
    assert.equal(sent[2], null, 'no deadline, no header: the gate applies its own');

    // A review item needs Redis, which does not answer: without the header the check would wait for the
    // gate's own deadline (10 s here) or Redis's command timeout (2 s), whichever ends first.
    fixture.redis.redis.pause();
    try {
      const started = performance.now();
      const answer = await client({ graceMs: 10_000 }).check({ listingId: 'CD1', sellerId: 's-cd', title: 'super copy bag' }, { deadlineMs: 100 });
      const took = performance.now() - started;
      assert.equal(answer.verdict, 'review');
      assert.ok(took < 1000, `answered in ${took.toFixed(0)} ms with a 100 ms deadline`);
    } finally {
      fixture.redis.redis.resume();
    }
  });

  for (const format of ['json', 'msgpack'] as const) {
    it(`throws the gate's 400 with the field it names (${format})`, async () => {
      const bad = client({ format });
      await assert.rejects(
        bad.check({ listingId: 'E1', sellerId: 's-e', title: '' }),
        isGateClientError({ status: 400, code: 'GATE_ERR_INVALID_FIELD', field: 'title' }),
      );
      await assert.rejects(
        bad.check({ listingId: 'E2', sellerId: 's-e', title: 'tote', price: { amount: -1, currency: 'CNY' } }),
        isGateClientError({ status: 400, code: 'GATE_ERR_INVALID_FIELD', field: 'price.amount' }),
      );
    });
  }

  it('throws 401 GATE_ERR_UNAUTHORIZED for a token the gate does not know, and does not retry it', async () => {
    const recorder = recordingFetch();
    await assert.rejects(
      client({ token: 'not-a-token-0123456789', fetch: recorder.fetch }).check(CORPUS[0] as CheckRequest),
      isGateClientError({ status: 401, code: 'GATE_ERR_UNAUTHORIZED' }),
    );
    assert.equal(recorder.calls.length, 1);
  });

  it('checks its options once, naming the one that is wrong', async () => {
    const url = fixture.gate.url;
    const cases: Array<[Partial<GateClientOptions>, RegExp]> = [
      [{ baseUrl: 'localhost:8080' }, /options\.baseUrl must be an http or https URL/],
      [{ baseUrl: 'not a url' }, /options\.baseUrl must be an absolute http or https URL/],
      [{ baseUrl: `${url}/?x=1` }, /options\.baseUrl must have no query or fragment/],
      [{ token: '' }, /options\.token must be a non-empty string/],
      [{ token: 'a\r\nx-injected: 1' }, /options\.token must be a non-empty string on one line/],
      [{ deadlineMs: 0 }, /options\.deadlineMs must be a number of milliseconds from 1 to 60000/],
      [{ deadlineMs: 60_001 }, /options\.deadlineMs must be a number of milliseconds from 1 to 60000/],
      [{ format: 'xml' as 'json' }, /options\.format must be 'json' or 'msgpack'/],
      [{ retries: -1 }, /options\.retries must be a non-negative integer/],
      [{ retries: 1.5 }, /options\.retries must be a non-negative integer/],
      [{ graceMs: Number.NaN }, /options\.graceMs must be a non-negative integer/],
    ];
    for (const [options, message] of cases) assert.throws(() => new GateClient({ baseUrl: url, ...options }), message, JSON.stringify(options));
    await assert.rejects(
      client().check(CORPUS[0] as CheckRequest, { deadlineMs: 90_000 }),
      /options\.deadlineMs must be a number of milliseconds from 1 to 60000/,
    );
    assert.throws(() => client().stream({ window: 0 }), /options\.window must be a positive integer/);
  });
});
