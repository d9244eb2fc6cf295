// Webhook delivery against a real Redis and a real receiver (issue 27, point 5):
// attempts run side by side through the dispatcher's pool, so an event the
// receiver is slow on holds up only itself, and only for its timeout.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MetricsRegistry } from '../src/observability/metrics.js';
import { metricValue } from './helpers/metric-value.js';
import { redisKeys, type RedisKeys } from '../src/redis/redis-keys.js';
import { WebhookDeadLetters } from '../src/webhook/webhook-dead-letters.js';
import { WEBHOOK_GROUP } from '../src/redis/redis-keys.js';
import { WebhookDispatcher } from '../src/webhook/webhook-dispatcher.js';
import { WebhookOutbox, type WebhookEvent } from '../src/webhook/webhook-outbox.js';
import { eventually } from './helpers/gate-calls.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { startWebhookReceiver } from './helpers/webhook-receiver.js';
import { capturedLog } from './helpers/captured-log.js';

const SECRET = 'webhook-delivery-secret-0123';

function event(listingId: string): WebhookEvent {
  return { eventId: `ev-${listingId}`, type: 'listing.verdict', listingId, verdict: 'block', decidedBy: 'reviewer:test', decidedAt: new Date().toISOString() };
}

describe('webhook delivery', () => {
  let redis: TestRedis;
  let client: Redis;
  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    client.disconnect();
    await redis.stop();
  });

  const pending = async (keys: RedisKeys): Promise<number> => ((await client.xpending(keys.webhookOutbox, WEBHOOK_GROUP)) as [number])[0];

  it('holds up only the event a receiver is slow on, and only for its timeout; each answer is read, its connection reused', async () => {
    const keys = redisKeys('slow:');
    // Over undici's 64 KiB high-water mark: an answer left unread would keep its connection busy.
    const answer = Buffer.alloc(100 * 1024, 'x');
    let slowAttempts = 0;
    const receiver = await startWebhookReceiver((hook) => {
      if (hook.event.listingId !== 'slow') return { status: 200, body: answer };
      slowAttempts++;
      return slowAttempts === 1 ? 'hang' : { status: 204 };
    });
    const outbox = new WebhookOutbox(client, keys, true);
    await outbox.enqueue(event('slow'));
    for (let i = 0; i < 12; i++) await outbox.enqueue(event(`fast-${i}`));
    const registry = new MetricsRegistry();
    const delivered = registry.counter('delivered_total', 'delivered');
    const failed = registry.counter('failed_total', 'failed');
    const deadLetters = new WebhookDeadLetters(client, keys, 100);
    const logged = capturedLog();
    const dispatcher = new WebhookDispatcher(client, keys, {
      url: receiver.url,
      secret: SECRET,
      consumer: 'c1',
      pollMs: 50,
      concurrency: 4,
      timeoutMs: 1500,
      maxAttempts: 5,
      deadLetters,
      delivered,
      failed,
      deadLettered: registry.counter('dead_total', 'dead'),
      log: logged.log,
    });
    const started = Date.now();
    await dispatcher.start();
    try {
      await eventually('the 12 fast events delivered', async () => ((await metricValue(delivered)) >= 12 ? true : undefined), 6000);
      const fast = receiver.received.filter((hook) => hook.event.listingId !== 'slow');
      assert.equal(fast.length, 12, 'each fast event arrived once');
      const last = Math.max(...fast.map((hook) => hook.at - started));
      assert.ok(last < 1000, `the last fast event arrived ${last} ms after the start: behind the slow one's 1500 ms timeout`);
      assert.ok(receiver.connections() <= 4, `${receiver.connections()} connections for 4 attempts in flight`);
      // The slow event's attempt ends at its timeout and is retried, then acknowledged.
      await eventually('the slow event retried and acknowledged', async () => (slowAttempts >= 2 && (await pending(keys)) === 0 ? true : undefined), 8000);
      assert.equal(await metricValue(failed), 1, 'one failed attempt: the slow one');
      assert.equal(await metricValue(delivered), 13);
      // The failed attempt is a warning naming its event, and the signing secret is nowhere in the log.
      const retried = logged.records().filter((line) => line.eventId === 'ev-slow');
      assert.equal(retried.length, 1, logged.text());
      assert.equal(retried[0]?.level, 40);
      assert.equal(retried[0]?.attempt, 1);
      assert.match(retried[0]?.msg ?? '', /^webhook ev-slow not delivered at attempt 1 of 5 \(.*\); will retry$/);
      assert.ok(!logged.text().includes(SECRET), logged.text());
    } finally {
      await dispatcher.stop();
      await receiver.close();
    }
  });
});
