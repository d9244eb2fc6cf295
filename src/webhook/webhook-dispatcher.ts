// Delivers webhook events: POST signed the Standard Webhooks way (id, timestamp
// and body: standard-webhook.ts), the event id also as `x-gate-event-id`, through
// one undici Pool with up to `concurrency` attempts in flight, so that a receiver
// slow on one event holds up that event only, for at most `timeoutMs` (issue 27,
// point 5). A non-2xx answer or none is retried with exponential backoff (0.5 s
// doubling to 60 s, and never before the attempt's timeout has passed), up to
// `maxAttempts`; then the event goes to the dead letters (webhook-dead-letters.ts),
// and only then is it acknowledged. Each event carries its listing's `sequence`: a
// receiver keeps the highest, since retries and concurrent attempts arrive out of
// order. Instances share the work through a consumer group; an instance that dies
// leaves its events to the others.
import type { Redis } from 'ioredis';
import { Pool } from 'undici';
import { signWebhook } from './standard-webhook.js';
import type { WebhookDeadLetters } from './webhook-dead-letters.js';
import { trimBehindGroups } from '../redis/trim-behind-groups.js';
import { WEBHOOK_GROUP, type RedisKeys } from '../redis/redis-keys.js';
import type { Counter } from '../observability/metrics.js';
import type { GateLog } from '../observability/gate-logger.js';

const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 60_000;
/** Past its timeout an attempt still records its outcome: no instance takes the event over before this much more. */
const OUTCOME_GRACE_MS = 1000;
/** How often delivered events are trimmed from the outbox. */
const TRIM_EVERY_MS = 60_000;
/** How often the dead letters are counted for /metrics. */
const COUNT_EVERY_MS = 1000;
/** Answer bytes read before a connection is dropped instead (undici's dump() default). */
const DRAIN_LIMIT_BYTES = 128 * 1024;

export interface WebhookDispatcherOptions {
  url: string;
  secret: string;
  consumer: string;
  /** How often to look for events. Default 200 ms. */
  pollMs?: number;
  /** Attempts in flight at once (GATE_WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** Time an attempt may take, from its start to the answer's body read (GATE_WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Attempts after which an event is dead-lettered (GATE_WEBHOOK_MAX_ATTEMPTS). */
  maxAttempts: number;
  deadLetters: WebhookDeadLetters;
  delivered: Counter;
  failed: Counter;
  deadLettered: Counter;
  log: GateLog;
}

type StreamEntry = [id: string, fields: string[]];

function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private stopping = false;
  private trimmedAt = 0;
  private countedAt = 0;
  /** Entries in the dead-letter stream, as last counted (gate_webhook_dead_letters). */
  deadLetterCount = 0;
  private readonly pool: Pool;
  private readonly path: string;
  /** Entries this instance is delivering: never claimed again while their attempt runs. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: WebhookDispatcherOptions,
  ) {
    const url = new URL(options.url);
    this.path = `${url.pathname}${url.search}`;
    this.pool = new Pool(url.origin, {
      connections: options.concurrency,
      connectTimeout: options.timeoutMs,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  }

  async start(): Promise<void> {
    try {
      await this.redis.xgroup('CREATE', this.keys.webhookOutbox, WEBHOOK_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? 200);
    this.timer.unref();
  }

  /** Attempts in flight are abandoned, not failed: their events stay pending, and are retried by another instance or the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.pool.destroy();
    await Promise.allSettled(this.inFlight.values());
  }

  private room(): number {
    return this.options.concurrency - this.inFlight.size;
  }

  private async tick(): Promise<void> {
    if (this.busy || this.stopping) return;
    this.busy = true;
    try {
      await this.retryDue();
      if (this.room() > 0) {
        const fresh = (await this.redis.xreadgroup(
          'GROUP',
          WEBHOOK_GROUP,
          this.options.consumer,
          'COUNT',
          this.room(),
          'STREAMS',
          this.keys.webhookOutbox,
          '>',
        )) as Array<[string, StreamEntry[]]> | null;
        for (const [, entries] of fresh ?? []) for (const [id, fields] of entries) this.launch(id, fields, 1);
      }
      if (Date.now() - this.countedAt >= COUNT_EVERY_MS) {
        this.countedAt = Date.now();
        this.deadLetterCount = await this.options.deadLetters.count();
      }
      if (Date.now() - this.trimmedAt >= TRIM_EVERY_MS) {
        this.trimmedAt = Date.now();
        await trimBehindGroups(this.redis, this.keys.webhookOutbox);
      }
    } catch (error) {
      this.options.log.warn(`webhook dispatcher: ${(error as Error).message}`);
    } finally {
      this.busy = false;
    }
  }

  /** How long after an attempt started (the entry's idle time) the next one is due. */
  private retryAfter(deliveries: number): number {
    return Math.max(Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** Math.max(0, deliveries - 1)), this.options.timeoutMs + OUTCOME_GRACE_MS);
  }

  private async retryDue(): Promise<void> {
    if (this.room() <= 0) return;
    const pending = (await this.redis.xpending(this.keys.webhookOutbox, WEBHOOK_GROUP, 'IDLE', this.retryAfter(1), '-', '+', 100)) as Array<
      [string, string, number, number]
    >;
    for (const [id, , idle, deliveries] of pending) {
      if (this.room() <= 0) return;
      if (this.inFlight.has(id) || idle < this.retryAfter(deliveries)) continue;
      if (deliveries >= this.options.maxAttempts) {
        // Its last attempt's outcome was not recorded (a crash, or Redis away then): taken over without another attempt.
        const taken = (await this.redis.xclaim(
          this.keys.webhookOutbox,
          WEBHOOK_GROUP,
          this.options.consumer,
          this.retryAfter(deliveries),
          id,
          'JUSTID',
        )) as string[];
        for (const takenId of taken) await this.bury(takenId, `outbox entry ${takenId}`, "the last attempt's outcome was not recorded");
        continue;
      }
      const claimed = (await this.redis.xclaim(
        this.keys.webhookOutbox,
        WEBHOOK_GROUP,
        this.options.consumer,
        this.retryAfter(deliveries),
        id,
      )) as StreamEntry[];
      for (const [claimedId, fields] of claimed) this.launch(claimedId, fields, deliveries + 1);
    }
  }

  private launch(id: string, fields: string[], attempt: number): void {
    const delivery = this.deliver(id, fields, attempt).finally(() => {
      this.inFlight.delete(id);
      void this.tick(); // the freed place takes the next event without waiting for the poll
    });
    this.inFlight.set(id, delivery);
  }

  private async deliver(id: string, fields: string[], attempt: number): Promise<void> {
    const body = field(fields, 'event') ?? '{}';
    const eventId = field(fields, 'eventId') ?? id;
    try {
      await this.post(eventId, body);
    } catch (error) {
      this.options.failed.inc();
      if (this.stopping) return;
      const why = (error as Error).message;
      if (attempt >= this.options.maxAttempts) await this.bury(id, eventId, `attempt ${attempt}: ${why}`);
      else
        this.options.log.warn(`webhook ${eventId} not delivered at attempt ${attempt} of ${this.options.maxAttempts} (${why}); will retry`, {
          eventId,
          attempt,
        });
      return;
    }
    try {
      await this.redis.xack(this.keys.webhookOutbox, WEBHOOK_GROUP, id);
      this.options.delivered.inc();
    } catch (error) {
      this.options.log.warn(`webhook ${eventId} delivered but not acknowledged (${(error as Error).message}); it will be delivered again`, { eventId });
    }
  }

  /** A failure here leaves the entry pending: retryDue() takes it over again. */
  private async bury(id: string, eventId: string, why: string): Promise<void> {
    try {
      const deadId = await this.options.deadLetters.bury(id, this.options.consumer, why);
      if (deadId === undefined) return;
      this.options.deadLettered.inc();
      this.options.log.error(`webhook ${eventId} dead-lettered as ${deadId} after ${this.options.maxAttempts} attempts (${why})`, { eventId, deadId });
    } catch (error) {
      this.options.log.error(`webhook ${eventId}: not dead-lettered (${(error as Error).message}); will try again`, { eventId });
    }
  }

  private async post(eventId: string, body: string): Promise<void> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    const response = await this.pool.request({
      path: this.path,
      method: 'POST',
      // Signed at each attempt: a retry carries a fresh timestamp, within the receiver's tolerance.
      headers: { 'content-type': 'application/json', 'x-gate-event-id': eventId, ...signWebhook(this.options.secret, eventId, body) },
      body,
      signal,
    });
    // Read to its end whatever the status: an unread answer keeps its connection from the
    // pool. The request's signal still bounds the read (it destroys the body).
    await response.body.dump({ limit: DRAIN_LIMIT_BYTES });
    if (response.statusCode < 200 || response.statusCode > 299) throw new Error(`answered ${response.statusCode}`);
  }
}
