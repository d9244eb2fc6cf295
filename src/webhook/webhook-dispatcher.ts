// Delivers webhook events: POST signed the Standard Webhooks way (id, timestamp
// and body: standard-webhook.ts), the event id also as `x-gate-event-id`; a
// non-2xx answer or no answer is retried with exponential backoff (0.5 s doubling
// to 60 s), forever: at least once. Each event carries its listing's `sequence`:
// a receiver keeps the highest, since retries can arrive out of order. Instances
// share the work through a consumer group; an instance that dies leaves its
// events to the others.
import type { Redis } from 'ioredis';
import { signWebhook } from './standard-webhook.js';
import { trimBehindGroups } from '../redis/trim-behind-groups.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { Counter } from '../observability/metrics.js';

/** The consumer group through which instances deliver events. */
export const WEBHOOK_GROUP = 'dispatchers';
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 60_000;
/** How often delivered events are trimmed from the outbox. */
const TRIM_EVERY_MS = 60_000;

export interface WebhookDispatcherOptions {
  url: string;
  secret: string;
  consumer: string;
  /** How often to look for events. Default 200 ms. */
  pollMs?: number;
  timeoutMs?: number;
  delivered: Counter;
  failed: Counter;
  log: (message: string) => void;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private trimmedAt = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: WebhookDispatcherOptions,
  ) {}

  async start(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.webhookOutbox, WEBHOOK_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? 200);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.retryDue();
      const fresh = (await this.redis.xreadgroup('GROUP', WEBHOOK_GROUP, this.options.consumer, 'COUNT', 50, 'STREAMS', this.keys.webhookOutbox, '>')) as Array<[string, Array<[string, string[]]>]> | null;
      for (const [, entries] of fresh ?? []) for (const [id, fields] of entries) await this.deliver(id, fields);
      if (Date.now() - this.trimmedAt >= TRIM_EVERY_MS) {
        this.trimmedAt = Date.now();
        await trimBehindGroups(this.redis, this.keys.webhookOutbox);
      }
    } catch (error) {
      this.options.log(`webhook dispatcher: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  private async retryDue(): Promise<void> {
    const pending = (await this.redis.xpending(this.keys.webhookOutbox, WEBHOOK_GROUP, 'IDLE', BASE_BACKOFF_MS, '-', '+', 50)) as Array<[string, string, number, number]>;
    for (const [id, , idle, deliveries] of pending) {
      const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, deliveries - 1));
      if (idle < backoff) continue;
      const claimed = (await this.redis.xclaim(this.keys.webhookOutbox, WEBHOOK_GROUP, this.options.consumer, backoff, id)) as Array<[string, string[]]>;
      for (const [claimedId, fields] of claimed) await this.deliver(claimedId, fields);
    }
  }

  private async deliver(id: string, fields: string[]): Promise<void> {
    const body = fields[fields.indexOf('event') + 1] ?? '{}';
    const eventId = fields[fields.indexOf('eventId') + 1] ?? id;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        // Signed at each attempt: a retry carries a fresh timestamp, within the receiver's tolerance.
        headers: { 'content-type': 'application/json', 'x-gate-event-id': eventId, ...signWebhook(this.options.secret, eventId, body) },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
      await response.body?.cancel(); // the connection goes back to the pool whatever the receiver said
      if (!response.ok) throw new Error(`answered ${response.status}`);
      await this.redis.xack(this.keys.webhookOutbox, WEBHOOK_GROUP, id);
      this.options.delivered.inc();
    } catch (error) {
      this.options.failed.inc();
      this.options.log(`webhook ${eventId} not delivered (${(error as Error).message}); will retry`);
    }
  }
}
