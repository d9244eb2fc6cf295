// Outbound events to the marketplace (a listing's final verdict), kept in a Redis
// stream until delivered (at least once, each with a stable event id the receiver
// de-duplicates by) or, its attempts used up, moved to the dead letters.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';

export interface WebhookEvent {
  eventId: string;
  type: 'listing.verdict';
  listingId: string;
  verdict: string;
  decidedBy: string;
  decidedAt: string;
  reviewId?: string;
  /** The listing's decision version: up by one with each decision and undo. A receiver ignores an event below the highest it applied. */
  sequence?: number;
}

export class WebhookOutbox {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** Without a webhook URL events are not kept: nobody would ever collect them. */
    private readonly enabled: boolean,
  ) {}

  async enqueue(event: WebhookEvent): Promise<void> {
    if (!this.enabled) return;
    await this.redis.xadd(this.keys.webhookOutbox, '*', 'eventId', event.eventId, 'event', JSON.stringify(event));
  }
}
