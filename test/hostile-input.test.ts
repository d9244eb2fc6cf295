// A fixed corpus of hostile bodies and headers against /v1/check: every one gets
// an answer with a code (4xx, or 200 for odd but valid text), none crashes or
// hangs the gate, and the gate still answers afterwards.
import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { pack as packMsgpack } from 'msgpackr';
import { gateFixture } from './helpers/gate-fixture.js';

const fixture = gateFixture();

const valid = { listingId: 'H1', sellerId: 's-h', title: 'plain shirt' };

async function post(body: string | Uint8Array, contentType = 'application/json'): Promise<{ status: number; code?: string }> {
  const response = await fixture.gate.post('/v1/check', body, { 'content-type': contentType });
  const json = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: json.error?.code };
}

describe('hostile input', () => {
  it('refuses JSON nested 10,000 deep', async () => {
    assert.deepEqual(await post('['.repeat(10_000) + ']'.repeat(10_000)), { status: 400, code: 'GATE_ERR_INVALID_BODY' });
    assert.equal((await post(`{"listingId":"a","sellerId":"s","title":"x","attributes":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`)).status, 400);
  });

  it('refuses 2^17 numeric-string keys', async () => {
    const keys = Array.from({ length: 2 ** 17 }, (_, i) => `"${i}":1`).join(',');
    const result = await post(`{${keys}}`);
    assert.ok(result.status === 400 || result.status === 413, `status ${result.status}`);
    const attributes = await post(JSON.stringify({ ...valid, attributes: Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [String(i), 'x'])) }));
    assert.equal(attributes.status, 400);
  });

  it('refuses huge arrays and non-finite numbers', async () => {
    assert.equal((await post(JSON.stringify({ ...valid, images: Array.from({ length: 100_000 }, () => ({})) }))).status, 400);
    for (const amount of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0.5, 1e300]) {
      const result = await post(packMsgpack({ ...valid, price: { amount, currency: 'CNY' } }), 'application/msgpack');
      assert.deepEqual(result, { status: 400, code: 'GATE_ERR_INVALID_FIELD' }, String(amount));
    }
    assert.equal((await post('{"listingId":"a","sellerId":"s","title":"x","price":{"amount":1e999,"currency":"CNY"}}')).status, 400);
  });

  it('answers emoji, RTL, combining and astral text normally', async () => {
    for (const title of [
      '😀🔥 hot sale 🔥',
      'حقيبة يد أصلية \u202e fake \u202c',
      'e\u0301'.repeat(200),
      '𝐍𝐢𝐤𝐞 𠀀𠀁',
      '\ud800 lone surrogate',
      '\u0000\u0001 control',
    ]) {
      const result = await post(JSON.stringify({ ...valid, title }));
      assert.equal(result.status, 200, title);
    }
  });

  it('survives headers over 4 KB and keeps answering', async () => {
    const status = await new Promise<number | string>((resolve) => {
      const req = request(
        `${fixture.gate.url}/v1/check`,
        { method: 'POST', headers: { 'content-type': 'application/json', 'x-padding': 'a'.repeat(16 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', (error) => resolve(error.message));
      req.end(JSON.stringify(valid));
    });
    assert.ok(status === 200 || (typeof status === 'number' && status >= 400 && status < 500) || typeof status === 'string', `answered ${status}`);
    assert.equal((await fixture.gate.get('/healthz')).status, 200);
    assert.equal((await fixture.gate.post('/v1/check', valid)).status, 200);
  });

  it('refuses wrong types everywhere with the field named', async () => {
    const cases: Array<[unknown, string]> = [
      [{ ...valid, listingId: ['a'] }, 'listingId'],
      [{ ...valid, seller: { phoneHash: 5 } }, 'seller.phoneHash'],
      [{ ...valid, attributes: { color: 7 } }, 'attributes.color'],
      [{ ...valid, images: [null] }, 'images[0]'],
      [{ ...valid, price: 5 }, 'price'],
      [{ ...valid, price: { amount: 5, currency: 'yuan' } }, 'price.currency'],
      [{ ...valid, description: 'x'.repeat(20_001) }, 'description'],
      [null, 'body'],
      ['a string', 'body'],
    ];
    for (const [body, field] of cases) {
      const response = await fixture.gate.post('/v1/check', JSON.stringify(body));
      const error = ((await response.json()) as { error: { field: string } }).error;
      assert.equal(response.status, 400, JSON.stringify(body).slice(0, 80));
      assert.equal(error.field, field);
    }
  });
});
