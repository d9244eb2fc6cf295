// POST /v1/check and the admin API on a real gate: uWS on a free port, a private
// redis-server, the real addon and worker pool.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { pack as packMsgpack, unpack as unpackMsgpack } from 'msgpackr';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { sellerOfStoredListing } from '../src/review/stored-listing.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, admin, startTestGate, type TestGate } from './helpers/test-gate.js';

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

const demoPack = (): Record<string, unknown> => JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;

describe('POST /v1/check', () => {
  let redis: TestRedis;
  let gate: TestGate;
  let client: Redis;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ redisUrl: redis.url });
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await gate.stop();
    await redis.stop();
  });

  it('blocks a disguised brand with a strong indicator, with offsets into the original text', async () => {
    const title = '特价 Ｌ.Ｖ 高|仿 手提包';
    const response = await gate.post('/v1/check', { listingId: 'L1', sellerId: 's1', title, category: 'bags', price: { amount: 100, currency: 'CNY' } });
    assert.equal(response.status, 200);
    const body = (await response.json()) as {
      verdict: string;
      score: number;
      policyVersion: string;
      tookMicros: number;
      checkId: string;
      reasons: Array<{ code: string; ref: string; field: string; start: number; end: number }>;
    };
    assert.equal(body.verdict, 'block');
    assert.equal(body.policyVersion, 'demo-1');
    assert.ok(body.checkId.length > 0 && body.tookMicros > 0);
    const indicator = body.reasons.find((r) => r.code === 'indicator_with_brand');
    assert.ok(indicator);
    assert.equal(indicator.ref, '高仿');
    assert.equal(title.slice(indicator.start, indicator.end), '高|仿');
    const floor = body.reasons.find((r) => r.code === 'brand_below_floor');
    assert.equal(title.slice(floor?.start, floor?.end), 'Ｌ.Ｖ');
  });

  it('answers MessagePack with MessagePack', async () => {
    const response = await fetch(`${gate.url}/v1/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/msgpack', accept: 'application/msgpack' },
      body: packMsgpack({ listingId: 'M1', sellerId: 's1', title: 'super copy handbag' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/msgpack');
    const body = unpackMsgpack(Buffer.from(await response.arrayBuffer())) as { verdict: string; reviewId: string };
    assert.equal(body.verdict, 'review');
    assert.ok(body.reviewId);
  });

  it('queues the same listing content once, and new content again', async () => {
    const listing = { listingId: 'IDEM-1', sellerId: 's9', title: 'top grade replica handbag' };
    const first = (await (await gate.post('/v1/check', listing)).json()) as { verdict: string; reviewId: string };
    const second = (await (await gate.post('/v1/check', { title: listing.title, sellerId: 's9', listingId: 'IDEM-1' })).json()) as { reviewId: string };
    assert.equal(first.verdict, 'review');
    assert.equal(second.reviewId, first.reviewId);
    const stream = redisKeys(gate.prefix).reviewStream('normal');
    const items = await client.xrange(stream, '-', '+');
    // An entry keeps the review id and the listing as checked, without its id (its other fields are on the item).
    const forListing = items.filter(
      ([, fields]) =>
        fields[fields.indexOf('reviewId') + 1] === first.reviewId || sellerOfStoredListing(fields[fields.indexOf('listing') + 1] ?? '{}') === 's9',
    );
    assert.equal(forListing.length, 1);
    const edited = (await (await gate.post('/v1/check', { ...listing, title: 'top grade replica handbag, new colour' })).json()) as { reviewId: string };
    assert.notEqual(edited.reviewId, first.reviewId);
  });

  const badBodies: Array<[string, string | Uint8Array, Record<string, string>, number, string, string?]> = [
    ['malformed JSON', '{"listingId": "x",', {}, 400, 'GATE_ERR_INVALID_BODY', 'body'],
    ['an empty body', '', {}, 400, 'GATE_ERR_EMPTY_BODY', 'body'],
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), {}, 400, 'GATE_ERR_INVALID_BODY', 'body'],
    ['a JSON array', '[1,2]', {}, 400, 'GATE_ERR_INVALID_FIELD', 'body'],
    ['a wrong type', '{"listingId":"a","sellerId":"s","title":5}', {}, 400, 'GATE_ERR_INVALID_FIELD', 'title'],
    ['a missing field', '{"listingId":"a","title":"x"}', {}, 400, 'GATE_ERR_INVALID_FIELD', 'sellerId'],
    ['a too long title', JSON.stringify({ listingId: 'a', sellerId: 's', title: 'x'.repeat(513) }), {}, 400, 'GATE_ERR_INVALID_FIELD', 'title'],
    ['a bad phash', '{"listingId":"a","sellerId":"s","title":"x","images":[{"phash":"zz"}]}', {}, 400, 'GATE_ERR_INVALID_FIELD', 'images[0].phash'],
    [
      'a negative price',
      '{"listingId":"a","sellerId":"s","title":"x","price":{"amount":-1,"currency":"CNY"}}',
      {},
      400,
      'GATE_ERR_INVALID_FIELD',
      'price.amount',
    ],
    ['too many images', JSON.stringify({ listingId: 'a', sellerId: 's', title: 'x', images: Array(21).fill({}) }), {}, 400, 'GATE_ERR_INVALID_FIELD', 'images'],
    ['a text/plain body', '{}', { 'content-type': 'text/plain' }, 415, 'GATE_ERR_UNSUPPORTED_MEDIA_TYPE', 'content-type'],
    ['a bad deadline', '{"listingId":"a","sellerId":"s","title":"x"}', { 'x-deadline-ms': 'soon' }, 400, 'GATE_ERR_INVALID_FIELD', 'x-deadline-ms'],
    ['garbage MessagePack', new Uint8Array([0xc1, 0xc1, 0xc1]), { 'content-type': 'application/msgpack' }, 400, 'GATE_ERR_INVALID_BODY', 'body'],
  ];
  for (const [name, body, headers, status, code, field] of badBodies) {
    it(`answers ${status} ${code} for ${name}`, async () => {
      const response = await gate.post('/v1/check', body, headers);
      assert.equal(response.status, status);
      const error = ((await response.json()) as ErrorBody).error;
      assert.equal(error.code, code);
      if (field !== undefined) assert.equal(error.field, field);
      assert.ok(error.message.length > 0);
    });
  }

  it('answers 413 for a body over the limit, and accepts one at the limit', async () => {
    const limit = 1024 * 1024;
    const base = JSON.stringify({ listingId: 'big', sellerId: 's', title: 'x', pad: '' });
    const atLimit = base.replace('"pad":""', `"pad":"${'a'.repeat(limit - base.length)}"`);
    assert.equal(Buffer.byteLength(atLimit), limit);
    assert.equal((await gate.post('/v1/check', atLimit)).status, 200);
    const over = await gate.post('/v1/check', `${atLimit} `);
    assert.equal(over.status, 413);
    assert.equal(((await over.json()) as ErrorBody).error.code, 'GATE_ERR_BODY_TOO_LARGE');
  });

  it('answers 404 and 405 with codes', async () => {
    const missing = await gate.get('/nope');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as ErrorBody).error.code, 'GATE_ERR_NOT_FOUND');
    const wrongMethod = await gate.get('/v1/check');
    assert.equal(wrongMethod.status, 405);
  });

  it('serves /healthz, /readyz and Prometheus /metrics', async () => {
    assert.equal((await gate.get('/healthz')).status, 200);
    const ready = await gate.get('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { pack: string }).pack, 'demo-1');
    const metrics = await (await gate.get('/metrics')).text();
    assert.match(metrics, /# TYPE gate_checks_total counter/);
    assert.match(metrics, /gate_checks_total\{verdict="block"\} \d+/);
    assert.match(metrics, /gate_check_duration_seconds_bucket\{le="0.001"\}/);
    // Every check answered so far waited for the pool, and each review verdict for its item's write.
    const sample = (pattern: RegExp): number => [...metrics.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
    const checked = sample(/^gate_checks_total\{verdict="[a-z]+"\} (\d+)$/gm);
    assert.ok(checked > 0);
    assert.equal(sample(/^gate_check_matching_seconds_count (\d+)$/gm), checked);
    const reviews = sample(/^gate_checks_total\{verdict="review"\} (\d+)$/gm);
    assert.ok(reviews > 0);
    assert.equal(sample(/^gate_review_queue_wait_seconds_count (\d+)$/gm), reviews);
    assert.match(metrics, /gate_pack_info\{version="demo-1",key="[0-9a-f]+"\} 1/);
    assert.match(metrics, /^# TYPE gate_event_loop_delay_seconds histogram$/m);
    assert.match(metrics, /^gate_event_loop_delay_seconds_bucket\{le="0.005"\} \d+$/m);
  });
});

describe('admin API and tokens', () => {
  let redis: TestRedis;
  let gate: TestGate;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ redisUrl: redis.url, publisherTokens: true });
  });
  after(async () => {
    await gate.stop();
    await redis.stop();
  });
  const listing = { listingId: 'A1', sellerId: 's-later-banned', title: 'Plain cotton t-shirt' };
  const publisher = { authorization: `Bearer ${PUBLISHER_TOKEN}` };

  it('needs a publisher token for checks once publisher tokens are configured', async () => {
    assert.equal((await gate.post('/v1/check', listing)).status, 401);
    assert.equal((await gate.post('/v1/check', listing, { authorization: 'Bearer wrong-token-00000000' })).status, 401);
    assert.equal((await gate.post('/v1/check', listing, { authorization: `Bearer ${REVIEWER_TOKEN}` })).status, 403);
    assert.equal((await gate.post('/v1/check', listing, publisher)).status, 200);
    assert.equal((await gate.post('/v1/check', listing, { authorization: `Bearer ${ADMIN_TOKEN}` })).status, 200);
  });

  it('refuses admin calls without the admin token', async () => {
    assert.equal((await gate.get('/v1/admin/pack')).status, 401);
    assert.equal((await gate.get('/v1/admin/pack', publisher)).status, 403);
    assert.equal((await gate.get('/v1/admin/pack', admin())).status, 200);
  });

  it('adds and removes list entries at run time', async () => {
    const verdict = async (): Promise<string> => ((await (await gate.post('/v1/check', listing, publisher)).json()) as { verdict: string }).verdict;
    assert.equal(await verdict(), 'allow');
    const added = await gate.post('/v1/admin/lists/sellers', { values: ['s-later-banned'] }, admin());
    assert.equal(added.status, 200);
    assert.equal(await verdict(), 'block');
    const removed = await fetch(`${gate.url}/v1/admin/lists/sellers`, {
      method: 'DELETE',
      headers: { ...admin(), 'content-type': 'application/json' },
      body: JSON.stringify({ values: ['s-later-banned'] }),
    });
    assert.equal(removed.status, 200);
    assert.equal(await verdict(), 'allow');
    const badKind = await gate.post('/v1/admin/lists/cats', { values: ['x'] }, admin());
    assert.equal(badKind.status, 404);
    const badBody = await gate.post('/v1/admin/lists/sellers', { values: [1] }, admin());
    assert.equal(((await badBody.json()) as ErrorBody).error.field, 'values[0]');
  });

  it('replaces the pack at run time, and a bad pack leaves the old one live', async () => {
    const put = (body: unknown): Promise<Response> =>
      fetch(`${gate.url}/v1/admin/pack`, { method: 'PUT', headers: { ...admin(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const bad = demoPack();
    bad.packVersion = 'bad-1';
    bad.indicators = [{ term: '', score: 10 }];
    bad.rules = [{ id: 'r', type: 'regex', pattern: 'a(', score: 10 }];
    const refused = await put(bad);
    assert.equal(refused.status, 400);
    const error = ((await refused.json()) as ErrorBody & { error: { details: Array<{ path: string }> } }).error;
    assert.equal(error.code, 'GATE_ERR_INVALID_PACK');
    assert.ok(error.details.some((d) => d.path === 'indicators[0].term'));
    assert.ok(
      error.details.some((d) => d.path === 'exceptions[0].term'),
      'exceptions that now name no indicator are reported too',
    );
    const check = async (): Promise<{ verdict: string; policyVersion: string }> =>
      (await (await gate.post('/v1/check', { listingId: 'P1', sellerId: 's', title: 'knockoff sneakers' }, publisher)).json()) as {
        verdict: string;
        policyVersion: string;
      };
    const before = await check();
    assert.equal(before.policyVersion, 'demo-1');
    assert.equal(before.verdict, 'allow');

    const regexBad = demoPack();
    regexBad.rules = [{ id: 'r', type: 'regex', pattern: 'a(', score: 10 }];
    const refusedRegex = await put(regexBad);
    assert.equal(((await refusedRegex.json()) as ErrorBody).error.field, 'rules[0].pattern');

    const good = demoPack();
    good.packVersion = 'demo-2';
    (good.indicators as unknown[]).push({ term: 'knockoff', score: 60, withBrand: 100 });
    const accepted = await put(good);
    assert.equal(accepted.status, 200);
    const after = await check();
    assert.equal(after.policyVersion, 'demo-2');
    assert.equal(after.verdict, 'review');
  });
});
