// The example receiver the README shows (src/webhook/webhook-receiver.ts), fed a
// real delivery by the dispatcher over a real Redis (issue 27, point 5): a replay
// of that delivery is not applied again, and once its timestamp is older than the
// tolerance (300 s by default) it is refused even by a receiver that never saw it.
import { strict as assert } from 'node:assert';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { MetricsRegistry } from '../src/observability/metrics.js';
import { metricValue } from './helpers/metric-value.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { WebhookDeadLetters } from '../src/webhook/webhook-dead-letters.js';
import { WebhookDispatcher } from '../src/webhook/webhook-dispatcher.js';
import { WebhookOutbox } from '../src/webhook/webhook-outbox.js';
import { webhookReceiver } from '../src/webhook/webhook-receiver.js';
import { signWebhook, verifyWebhook } from '../src/webhook/standard-webhook.js';
import { eventually } from './helpers/gate-calls.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { silentLog } from '../src/observability/gate-logger.js';

const SECRET = 'webhook-receiver-secret-0123';

interface Marketplace {
  url: string;
  applied: string[];
  /** What reached it: headers and body as sent. */
  deliveries: Array<{ headers: IncomingHttpHeaders; body: string }>;
  server: Server;
}

/** A receiver as the README runs it, its clock `skewMs` ahead of the gate's. */
async function marketplace(skewMs = 0): Promise<Marketplace> {
  const applied: string[] = [];
  const deliveries: Marketplace['deliveries'] = [];
  const receive = webhookReceiver(SECRET, (event) => void applied.push((event as { listingId: string }).listingId), { now: () => Date.now() + skewMs });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString() }));
    receive(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, applied, deliveries, server };
}

/** Sends a captured delivery again, byte for byte. */
async function replay(
  to: Marketplace,
  delivery: { headers: IncomingHttpHeaders; body: string },
  body = delivery.body,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'webhook-id', 'webhook-timestamp', 'webhook-signature']) headers[name] = String(delivery.headers[name]);
  const response = await fetch(to.url, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

describe('the example webhook receiver', () => {
  let redis: TestRedis;
  let client: Redis;
  const servers: Server[] = [];
  before(async () => {
    redis = await startTestRedis();
    client = new Redis(redis.url);
  });
  after(async () => {
    for (const server of servers) server.close();
    client.disconnect();
    await redis.stop();
  });

  it('applies a delivery once, takes its replay as seen, and refuses it once older than the tolerance', async () => {
    const shop = await marketplace();
    servers.push(shop.server);
    const keys = redisKeys('receiver:');
    await new WebhookOutbox(client, keys, true).enqueue({
      eventId: 'ev-R1',
      type: 'listing.verdict',
      listingId: 'R1',
      verdict: 'block',
      decidedBy: 'reviewer:test',
      decidedAt: new Date().toISOString(),
      sequence: 1,
    });
    const registry = new MetricsRegistry();
    const delivered = registry.counter('delivered_total', 'delivered');
    const dispatcher = new WebhookDispatcher(client, keys, {
      url: shop.url,
      secret: SECRET,
      consumer: 'c1',
      pollMs: 50,
      concurrency: 2,
      timeoutMs: 2000,
      maxAttempts: 3,
      deadLetters: new WebhookDeadLetters(client, keys, 100),
      delivered,
      failed: registry.counter('failed_total', 'failed'),
      deadLettered: registry.counter('dead_total', 'dead'),
      log: silentLog,
    });
    await dispatcher.start();
    try {
      await eventually('the event delivered', async () => ((await metricValue(delivered)) === 1 ? true : undefined), 5000);
    } finally {
      await dispatcher.stop();
    }
    assert.deepEqual(shop.applied, ['R1']);
    const [captured] = shop.deliveries;
    assert.ok(captured);

    assert.deepEqual(await replay(shop, captured), { status: 200, text: 'replayed' }, 'a replay within the tolerance: acknowledged, not applied');
    assert.deepEqual(shop.applied, ['R1']);
    assert.equal((await replay(shop, captured, captured.body.replace('block', 'allow'))).text, 'bad signature');

    // A receiver that does not remember the id (restarted, or another instance): the timestamp decides.
    const later = await marketplace(302_000);
    const justInTime = await marketplace(298_000);
    servers.push(later.server, justInTime.server);
    assert.deepEqual(await replay(later, captured), { status: 400, text: 'stale' }, 'replayed 302 s later');
    assert.deepEqual(later.applied, []);
    assert.equal((await replay(justInTime, captured)).status, 204, 'within the 300 s tolerance it is still taken');
    assert.deepEqual(justInTime.applied, ['R1']);
    // The verifier under it, on its own: 300 s unless told.
    assert.deepEqual(verifyWebhook(SECRET, captured.headers, captured.body, { now: Date.now() + 302_000 }), { ok: false, why: 'stale' });
    assert.deepEqual(
      verifyWebhook(SECRET, captured.headers, captured.body, { now: Date.now() - 302_000 }),
      { ok: false, why: 'stale' },
      'signed in the future',
    );
    assert.equal(verifyWebhook(SECRET, captured.headers, captured.body, { now: Date.now() + 298_000 }).ok, true);
  });

  it('takes the retry of a delivery it failed to apply', async () => {
    let failures = 1;
    const applied: string[] = [];
    const receive = webhookReceiver(SECRET, (event) => {
      if (failures-- > 0) throw new Error('database away');
      applied.push((event as { listingId: string }).listingId);
    });
    const server = createServer(receive);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const body = JSON.stringify({ eventId: 'ev-R2', listingId: 'R2' });
    const send = async (): Promise<number> =>
      (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { method: 'POST', headers: { ...signWebhook(SECRET, 'ev-R2', body) }, body }))
        .status;
    assert.equal(await send(), 500);
    assert.equal(await send(), 204, 'an id whose apply failed is not remembered');
    assert.deepEqual(applied, ['R2']);
  });
});
