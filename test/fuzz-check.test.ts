// Fuzzing the HTTP surface with fast-check: random JSON, listings with fields
// replaced by random values, random bytes under random content types; and random
// mutations of a pack. Every answer is 200 or a 4xx with a code: no 5xx, no crash,
// no hang, and the gate answers normally afterwards.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { admin } from './helpers/test-gate.js';
import { gateFixture } from './helpers/gate-fixture.js';

const CASES = Number(process.env.FUZZ_CASES ?? 100_000);
const PACK_CASES = Number(process.env.FUZZ_PACK_CASES ?? 300);

const fixture = gateFixture();

const valid = {
  listingId: 'F1',
  sellerId: 's-f',
  title: 'plain shirt',
  description: 'cotton',
  category: 'misc',
  price: { amount: 10, currency: 'CNY' },
  images: [{ phash: '0123456789abcdef' }],
  seller: { phoneHash: 'x' },
  attributes: { color: 'red' },
};
const FIELDS = Object.keys(valid);

const body = fc.oneof(
  fc.jsonValue().map((v) => ({ type: 'application/json', payload: JSON.stringify(v) ?? 'null' })),
  fc
    .tuple(
      fc.subarray(FIELDS),
      fc.dictionary(fc.constantFrom(...FIELDS, 'extra', '__proto__', 'constructor'), fc.oneof(fc.jsonValue(), fc.string({ unit: 'grapheme', maxLength: 600 }))),
    )
    .map(([keep, replaced]) => ({
      type: 'application/json',
      payload: JSON.stringify({ ...Object.fromEntries(keep.map((k) => [k, (valid as Record<string, unknown>)[k]])), ...replaced }),
    })),
  fc.string({ unit: 'grapheme', maxLength: 300 }).map((title) => ({ type: 'application/json', payload: JSON.stringify({ ...valid, title }) })),
  fc.uint8Array({ maxLength: 400 }).map((bytes) => ({ type: 'application/json', payload: bytes })),
  fc.uint8Array({ maxLength: 400 }).map((bytes) => ({ type: 'application/msgpack', payload: bytes })),
  fc
    .tuple(fc.constantFrom('text/plain', '', 'application/xml', 'application/json; charset=latin1', 'multipart/form-data'), fc.string({ maxLength: 50 }))
    .map(([type, payload]) => ({ type, payload })),
);

describe('fuzzing', () => {
  it(`answers ${CASES.toLocaleString('en')} random requests with 200 or a coded 4xx`, { timeout: 900_000 }, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, async ({ type, payload }) => {
        const headers: Record<string, string> = type === '' ? {} : { 'content-type': type };
        const response = await fetch(`${fixture.gate.url}/v1/check`, { method: 'POST', headers, body: payload });
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const answer = (await response.json()) as { verdict?: string; error?: { code?: string } };
        assert.ok(response.status === 200 || (response.status >= 400 && response.status < 500), `status ${response.status}: ${JSON.stringify(answer)}`);
        assert.ok(response.status === 200 ? typeof answer.verdict === 'string' : typeof answer.error?.code === 'string');
      }),
      { numRuns: CASES },
    );
    console.log(`# fuzz /v1/check: ${CASES} cases, statuses ${JSON.stringify([...statuses].sort())}`);
    assert.equal((await fixture.gate.get('/healthz')).status, 200);
  });

  it(`answers ${PACK_CASES} random pack mutations with 200 or 400, keeping a working pack live`, { timeout: 600_000 }, async () => {
    const demo = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;
    const keys = Object.keys(demo);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys, 'brands[0]', 'rules[0]'), fc.jsonValue(), async (where, value) => {
        const pack = structuredClone(demo) as Record<string, unknown> & { brands: unknown[]; rules: unknown[] };
        if (where === 'brands[0]') pack.brands[0] = value;
        else if (where === 'rules[0]') pack.rules[0] = value;
        else pack[where] = value;
        const response = await fetch(`${fixture.gate.url}/v1/admin/pack`, {
          method: 'PUT',
          headers: { ...admin(), 'content-type': 'application/json' },
          body: JSON.stringify(pack),
        });
        assert.ok(response.status === 200 || response.status === 400, `status ${response.status}`);
        const check = await fixture.gate.post('/v1/check', valid);
        assert.equal(check.status, 200);
      }),
      { numRuns: PACK_CASES },
    );
  });
});
