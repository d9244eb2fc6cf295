// The Redis Streams intake (issue 25 point 2, contract section 6) on one gate:
// entries in, verdicts out, the same as POST /v1/check gives for the same listing
// (JSON and MessagePack); bad entries answered with their error; acknowledged
// only once the verdict is appended; review items and verdict records as for HTTP;
// an entry delivered too often dead-lettered.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pack, unpack } from 'msgpackr';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { addEntries, pendingCount, readStream, verdictsOf } from './helpers/intake-streams.js';
import { intakeKeys } from '../src/redis/redis-keys.js';

const LISTINGS = [
  { listingId: 'I-allow', sellerId: 's-i1', title: 'Plain cotton t-shirt', category: 'apparel' },
  { listingId: 'I-block', sellerId: 's-i2', title: 'LV 高仿 手提包 包邮', category: 'bags', price: { amount: 199, currency: 'CNY' } },
  { listingId: 'I-review', sellerId: 's-i3', title: 'super copy handbag' },
];

/** A check response without what differs between two checks of the same listing. */
function comparable(response: Record<string, unknown>): Record<string, unknown> {
  const { checkId: _checkId, tookMicros: _took, ...rest } = response;
  return rest;
}

describe('intake stream', () => {
  let redis: TestRedis;
  let gate: TestGate;
  let admin: Redis;
  const prefix = `t${randomUUID().slice(0, 8)}:`;
  const stream = `${prefix}{intake}`;
  const logs: string[] = [];

  before(async () => {
    redis = await startTestRedis();
    admin = new Redis(redis.adminUrl);
    gate = await startTestGate({
      redisUrl: redis.url,
      prefix,
      env: { GATE_INTAKE_STREAM: stream, GATE_INTAKE_CLAIM_IDLE_MS: '300', GATE_INTAKE_MAX_DELIVERIES: '3' },
      log: (line) => logs.push(line),
    });
  });
  after(async () => {
    await gate.stop();
    admin.disconnect();
    await redis.stop();
  });

  it('answers JSON and MessagePack entries with the response POST /v1/check gives, and acknowledges them', async () => {
    const ids = await addEntries(admin, stream, [
      ...LISTINGS.map((l) => ({ listing: JSON.stringify(l) })),
      ...LISTINGS.map((l) => ({ listing: pack({ ...l, listingId: `${l.listingId}-mp` }) })),
    ]);
    const verdicts = await verdictsOf(admin, stream, ids);
    for (const [i, listing] of LISTINGS.entries()) {
      const viaJson = verdicts.get(ids[i] as string);
      assert.ok(viaJson, `a verdict for entry ${ids[i]}`);
      assert.equal(String(viaJson.fields.listingId), listing.listingId);
      const intakeAnswer = JSON.parse(String(viaJson.fields.response)) as Record<string, unknown>;
      const http = (await (await gate.post('/v1/check', listing, { 'x-deadline-ms': '2000' })).json()) as Record<string, unknown>;
      assert.deepEqual(comparable(intakeAnswer), comparable(http), listing.listingId);

      const viaMsgpack = verdicts.get(ids[LISTINGS.length + i] as string);
      assert.ok(viaMsgpack);
      const mpAnswer = unpack(viaMsgpack.fields.response as Buffer) as Record<string, unknown>;
      const httpMp = await gate.post('/v1/check', pack({ ...listing, listingId: `${listing.listingId}-mp` }), {
        'content-type': 'application/msgpack',
        accept: 'application/msgpack',
        'x-deadline-ms': '2000',
      });
      assert.deepEqual(
        comparable(mpAnswer),
        comparable(unpack(Buffer.from(await httpMp.arrayBuffer())) as Record<string, unknown>),
        `${listing.listingId} (MessagePack)`,
      );
    }
    assert.deepEqual(
      LISTINGS.map((_l, i) => (JSON.parse(String(verdicts.get(ids[i] as string)?.fields.response)) as { verdict: string }).verdict),
      ['allow', 'block', 'review'],
      'the listings cover each verdict',
    );
    assert.equal(await pendingCount(admin, stream), 0, 'every entry acknowledged');
  });

  it('queues review items and writes verdict records as an HTTP check does', async () => {
    const listing = { listingId: 'I-review-2', sellerId: 's-i4', title: '高仿 手提包 tote' };
    const [id] = await addEntries(admin, stream, [{ listing: JSON.stringify(listing) }]);
    const record = (await verdictsOf(admin, stream, [id as string])).get(id as string);
    const answer = JSON.parse(String(record?.fields.response)) as { verdict: string; reviewId?: string; checkId: string };
    assert.equal(answer.verdict, 'review');
    assert.match(answer.reviewId ?? '', /^rv_/);
    const item = await admin.hgetall(`${prefix}{review}:item:${answer.reviewId}`);
    assert.equal(item.listingId, listing.listingId, 'the review item is queued');
    const verdict = await eventually('the verdict record', async () => {
      const found = await callGate(gate, 'GET', `/v1/listings/${listing.listingId}/verdict`, REVIEWER_TOKEN);
      return found.status === 200 ? (found.body as { verdict: string; reviewId?: string; checkId?: string }) : undefined;
    });
    assert.equal(verdict.verdict, 'review');
    assert.equal(verdict.reviewId, answer.reviewId);
  });

  it('answers a bad entry with its coded error in the verdicts stream, and acknowledges it', async () => {
    const bad: Array<Record<string, string | Buffer>> = [
      { note: 'no listing field' },
      { listing: '{"listingId": "I-bad-json", ' },
      { listing: Buffer.from([0xc1, 0x00]) }, // 0xc1: never used in MessagePack
      { listing: JSON.stringify({ listingId: 'I-no-title', sellerId: 's-i5' }) },
      { listing: pack({ listingId: 'I-no-seller-mp', title: 'shirt' }) },
    ];
    const ids = await addEntries(admin, stream, bad);
    const verdicts = await verdictsOf(admin, stream, ids);
    const errors = ids.map((id) => {
      const record = verdicts.get(id);
      assert.ok(record, `a record for ${id}`);
      assert.equal(record.fields.response, undefined, 'no response for a bad entry');
      const raw = record.fields.error as Buffer;
      const error = (raw[0] === 0x7b ? JSON.parse(String(raw)) : unpack(raw)) as { code: string; field?: string };
      return { listingId: String(record.fields.listingId), code: error.code, field: error.field };
    });
    assert.deepEqual(errors, [
      { listingId: '', code: 'GATE_ERR_INVALID_FIELD', field: 'listing' },
      { listingId: '', code: 'GATE_ERR_INVALID_BODY', field: 'listing' },
      { listingId: '', code: 'GATE_ERR_INVALID_BODY', field: 'listing' },
      { listingId: 'I-no-title', code: 'GATE_ERR_INVALID_FIELD', field: 'title' },
      { listingId: 'I-no-seller-mp', code: 'GATE_ERR_INVALID_FIELD', field: 'sellerId' },
    ]);
    assert.equal(await pendingCount(admin, stream), 0);
  });

  it('acknowledges an entry only once its verdict is appended: while the append fails it stays pending, then is recorded once', async () => {
    const keys = intakeKeys(stream);
    // The verdicts key of another type: XADD to it fails inside the script (and Redis keeps what a script wrote before an error).
    await admin.del(keys.verdicts);
    await admin.set(keys.verdicts, 'not a stream');
    const [id] = await addEntries(admin, stream, [{ listing: JSON.stringify({ listingId: 'I-held', sellerId: 's-i6', title: 'Plain mug' }) }]);
    await eventually('a failed append logged', async () => (logs.some((l) => /outcomes not written yet/.test(l)) ? true : undefined));
    assert.equal(await pendingCount(admin, stream), 1, 'not acknowledged while its verdict could not be appended');
    await admin.del(keys.verdicts);
    const verdicts = await verdictsOf(admin, stream, [id as string]);
    assert.equal([...verdicts.keys()].filter((entryId) => entryId === id).length, 1);
    assert.equal(await pendingCount(admin, stream), 0);
  });

  it('dead-letters an entry delivered more than GATE_INTAKE_MAX_DELIVERIES times, with its error and listing, and acknowledges it', async () => {
    const keys = intakeKeys(stream);
    const listing = JSON.stringify({ listingId: 'I-poison', sellerId: 's-i7', title: 'Plain mug' });
    // Delivered, in the same transaction that adds it, to a consumer that never answers
    // (the gate reads with '>' and cannot take it first); then counted as delivered three times.
    const added =
      (await admin.multi().xadd(stream, '*', 'listing', listing).xreadgroup('GROUP', 'gate-intake', 'crashed', 'COUNT', 1, 'STREAMS', stream, '>').exec()) ??
      [];
    const id = String(added[0]?.[1]);
    await admin.xclaim(stream, 'gate-intake', 'crashed', 0, id, 'RETRYCOUNT', 3);
    const dead = await eventually(
      'the dead letter',
      async () => {
        const letters = await readStream(admin, keys.deadLetters);
        return letters.find((l) => String(l.fields.entryId) === id);
      },
      10_000,
    );
    assert.equal(String(dead.fields.listingId), 'I-poison');
    assert.equal(String(dead.fields.listing), listing);
    const error = JSON.parse(String(dead.fields.error)) as { code: string; message: string };
    assert.equal(error.code, 'GATE_ERR_DEAD_LETTER');
    assert.match(error.message, /delivered 4 times/);
    assert.equal(await pendingCount(admin, stream), 0);
  });
});
