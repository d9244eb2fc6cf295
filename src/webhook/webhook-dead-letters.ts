// Webhook events that used up their attempts (issue 27, point 5): kept in a
// stream bounded by GATE_WEBHOOK_DEAD_MAXLEN, where an admin sees them and
// redelivers (back to the outbox, attempts from zero) or drops each.
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';
import { WEBHOOK_GROUP, type RedisKeys } from '../redis/redis-keys.js';

export interface WebhookDeadLetter {
  /** The dead letter's stream id: what redeliver and drop name. */
  id: string;
  eventId: string;
  /** The event as it would have been POSTed (its JSON, parsed). */
  event: unknown;
  attempts: number;
  /** Why the last attempt failed. */
  error: string;
  deadAt: string;
}

type Bury = (outbox: string, dead: string, group: string, consumer: string, outboxId: string, maxLen: number, error: string) => Promise<string | number>;
type Redeliver = (dead: string, outbox: string, id: string) => Promise<string | number>;

function parsed(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json; // shown as written: the admin still sees what was not delivered
  }
}

export class WebhookDeadLetters {
  private readonly buryScript: Bury;
  private readonly redeliverScript: Redeliver;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Approximate most dead letters kept (GATE_WEBHOOK_DEAD_MAXLEN). */
    private readonly maxLen: number,
  ) {
    this.buryScript = luaCommand<Bury>(redis, 'bury-webhook-event', 2);
    this.redeliverScript = luaCommand<Redeliver>(redis, 'redeliver-webhook-event', 2);
  }

  /** Dead-letters the outbox entry `consumer` holds and acknowledges it; undefined when that consumer no longer holds it. */
  async bury(outboxId: string, consumer: string, error: string): Promise<string | undefined> {
    const id = await this.buryScript(this.keys.webhookOutbox, this.keys.webhookDeadLetters, WEBHOOK_GROUP, consumer, outboxId, this.maxLen, error);
    return typeof id === 'string' ? id : undefined;
  }

  /** Oldest first, from after `after` (a dead letter's id). */
  async list(after: string | undefined, count: number): Promise<{ items: WebhookDeadLetter[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.redis.xrange(this.keys.webhookDeadLetters, after === undefined ? '-' : `(${after}`, '+', 'COUNT', count),
      this.count(),
    ]);
    const items = rows.map(([id, fields]): WebhookDeadLetter => {
      const record = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) record.set(fields[i] ?? '', fields[i + 1] ?? '');
      return {
        id,
        eventId: record.get('eventId') ?? '',
        event: parsed(record.get('event') ?? '{}'),
        attempts: Number(record.get('attempts') ?? 0),
        error: record.get('error') ?? '',
        deadAt: new Date(Number(id.slice(0, id.indexOf('-')))).toISOString(),
      };
    });
    return { items, total };
  }

  /** Back to the outbox; the new outbox entry's id, or undefined when there is no such dead letter. */
  async redeliver(id: string): Promise<string | undefined> {
    const outboxId = await this.redeliverScript(this.keys.webhookDeadLetters, this.keys.webhookOutbox, id);
    return typeof outboxId === 'string' ? outboxId : undefined;
  }

  /** False when there is no such dead letter. */
  async drop(id: string): Promise<boolean> {
    return (await this.redis.xdel(this.keys.webhookDeadLetters, id)) === 1;
  }

  count(): Promise<number> {
    return this.redis.xlen(this.keys.webhookDeadLetters);
  }
}
