// Webhook dead letters on a real gate, a real Redis and a real receiver (issue 27,
// point 5): an event the receiver keeps refusing is tried GATE_WEBHOOK_MAX_ATTEMPTS
// times, then moved to the dead letters and only then acknowledged; admins list
// it, counted in /metrics, and redeliver (same event id) or drop it.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { redisKeys, type RedisKeys } from '../src/redis/redis-keys.js';
import { verifyWebhook } from '../src/webhook/standard-webhook.js';
import { WEBHOOK_GROUP } from '../src/redis/redis-keys.js';
import { WebhookOutbox, type WebhookEvent } from '../src/webhook/webhook-outbox.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { startWebhookReceiver, type WebhookReceiver } from './helpers/webhook-receiver.js';

const SECRET = 'webhook-dead-letter-secret-0123';
const PATH = '/v1/admin/webhooks/dead-letters';

interface Listed {
  items: Array<{ id: string; eventId: string; event: { listingId?: string }; attempts: number; error: string; deadAt: string }>;
  total: number;
}

function event(listingId: string): WebhookEvent {
  return {
    eventId: `ev-${listingId}`,
    type: 'listing.verdict',
    listingId,
    verdict: 'block',
    decidedBy: 'reviewer:test',
    decidedAt: new Date().toISOString(),
    sequence: 1,
  };
}

describe('webhook dead letters', () => {
  let redis: TestRedis;
  let client: Redis;
  let receiver: WebhookReceiver;
  let gate: TestGate;
  let keys: RedisKeys;
  let accepting = false;

  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
    receiver = await startWebhookReceiver(() => (accepting ? { status: 204 } : { status: 503, body: 'down for maintenance' }));
    gate = await startTestGate({
      redisUrl: redis.url,
      publisherTokens: true,
      env: { GATE_WEBHOOK_URL: receiver.url, GATE_WEBHOOK_SECRET: SECRET, GATE_WEBHOOK_MAX_ATTEMPTS: '3', GATE_WEBHOOK_TIMEOUT_MS: '500' },
    });
    keys = redisKeys(gate.prefix);
  });
  after(async () => {
    await gate.stop();
    await receiver.close();
    client.disconnect();
    await redis.stop();
  });

  const attemptsAt = (listingId: string): number => receiver.received.filter((hook) => hook.event.listingId === listingId).length;
  const metric = async (name: string): Promise<number> => {
    const text = await (await gate.get('/metrics')).text();
    return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  };

  it('moves an event refused GATE_WEBHOOK_MAX_ATTEMPTS times to the dead letters, acknowledged, listed and counted', async () => {
    const outbox = new WebhookOutbox(client, keys, true);
    await outbox.enqueue(event('L-dead-1'));
    await outbox.enqueue(event('L-dead-2'));
    const listed = await eventually(
      'both events in the dead letters',
      async () => {
        const { body } = await callGate(gate, 'GET', PATH, ADMIN_TOKEN);
        return (body as Listed).items.length === 2 ? (body as Listed) : undefined;
      },
      15_000,
    );
    assert.equal(listed.total, 2);
    assert.deepEqual(
      listed.items.map((item) => [item.eventId, item.event.listingId, item.attempts]),
      [
        ['ev-L-dead-1', 'L-dead-1', 3],
        ['ev-L-dead-2', 'L-dead-2', 3],
      ],
    );
    assert.match(listed.items[0]?.error ?? '', /attempt 3: answered 503/);
    assert.equal(attemptsAt('L-dead-1'), 3, 'tried exactly GATE_WEBHOOK_MAX_ATTEMPTS times');
    assert.equal(attemptsAt('L-dead-2'), 3);
    const [held] = (await client.xpending(keys.webhookOutbox, WEBHOOK_GROUP)) as [number];
    assert.equal(held, 0, 'acknowledged in the outbox once dead-lettered');
    assert.equal(await metric('gate_webhooks_dead_lettered_total'), 2);
    assert.equal(await metric('gate_webhook_attempts_failed_total'), 6);
    await eventually('gate_webhook_dead_letters at 2', async () => ((await metric('gate_webhook_dead_letters')) === 2 ? true : undefined), 3000);
    // Past GATE_WEBHOOK_MAX_ATTEMPTS nothing more is sent.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal(receiver.received.length, 6);
  });

  it('redelivers a dead letter with its event id, and drops another', async () => {
    accepting = true;
    const { body } = await callGate(gate, 'GET', PATH, ADMIN_TOKEN);
    const [first, second] = (body as Listed).items;
    assert.ok(first && second);
    const redelivered = await callGate(gate, 'POST', `${PATH}/${first.id}/redeliver`, ADMIN_TOKEN);
    assert.equal(redelivered.status, 200, JSON.stringify(redelivered.body));
    const hook = await eventually('the redelivered event accepted', async () => (attemptsAt('L-dead-1') === 4 ? receiver.received.at(-1) : undefined), 5000);
    assert.deepEqual(verifyWebhook(SECRET, hook.headers, hook.body), { ok: true, id: 'ev-L-dead-1' }, 'the same event id, freshly signed');
    await eventually(
      'the redelivered event acknowledged',
      async () => (((await client.xpending(keys.webhookOutbox, WEBHOOK_GROUP)) as [number])[0] === 0 ? true : undefined),
      3000,
    );

    assert.equal((await callGate(gate, 'DELETE', `${PATH}/${second.id}`, ADMIN_TOKEN)).status, 200);
    assert.equal((await callGate(gate, 'DELETE', `${PATH}/${second.id}`, ADMIN_TOKEN)).status, 404, 'dropped already');
    assert.equal((await callGate(gate, 'POST', `${PATH}/${first.id}/redeliver`, ADMIN_TOKEN)).status, 404, 'redelivered already');
    assert.equal((await callGate(gate, 'POST', `${PATH}/not-an-id/redeliver`, ADMIN_TOKEN)).status, 400);
    const after = (await callGate(gate, 'GET', PATH, ADMIN_TOKEN)).body as Listed;
    assert.deepEqual([after.items.length, after.total], [0, 0]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(attemptsAt('L-dead-2'), 3, 'a dropped event is not sent');
    const audit = (await callGate(gate, 'GET', '/v1/admin/audit', ADMIN_TOKEN)).body as { records: Array<{ record: { what?: string; subject?: string } }> };
    const whats = audit.records.map(({ record }) => `${record.what} ${record.subject}`);
    assert.ok(whats.includes(`webhook:redeliver ${first.id}`) && whats.includes(`webhook:drop ${second.id}`), whats.join(', '));
  });

  it("erases a listing's dead letters with it", async () => {
    accepting = false;
    const listingId = 'L-dead-erased';
    const checked = await callGate(gate, 'POST', '/v1/check', PUBLISHER_TOKEN, { listingId, sellerId: 's-dead', title: 'super copy handbag' });
    assert.equal(checked.body.verdict, 'review', JSON.stringify(checked.body));
    const claimed = await callGate(gate, 'GET', '/v1/review/next?count=1', REVIEWER_TOKEN);
    const item = (claimed.body as { items: Array<{ reviewId: string; listingId: string }> }).items[0];
    assert.equal(item?.listingId, listingId);
    assert.equal((await callGate(gate, 'POST', `/v1/review/${item.reviewId}/decision`, REVIEWER_TOKEN, { decision: 'block' })).status, 200);
    const dead = (): Promise<Listed> => callGate(gate, 'GET', PATH, ADMIN_TOKEN).then(({ body }) => body as Listed);
    await eventually(
      "the decision's event dead-lettered",
      async () => ((await dead()).items.some((entry) => entry.event.listingId === listingId) ? true : undefined),
      15_000,
    );
    const erasure = await callGate(gate, 'DELETE', `/v1/admin/listings/${listingId}`, ADMIN_TOKEN);
    assert.equal(erasure.status, 200);
    assert.ok(
      (erasure.body as { erased: { webhookEvents: number } }).erased.webhookEvents >= 2,
      `the outbox entry and the dead letter: ${JSON.stringify(erasure.body)}`,
    );
    assert.deepEqual((await dead()).items, [], 'no dead letter names it');
  });
});
