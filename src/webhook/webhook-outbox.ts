// Outbound events to the marketplace (a listing's final verdict, a review item lapsed), kept in a Redis
// stream until delivered (at least once, each with a stable event id the receiver
// de-duplicates by) or, its attempts used up, moved to the dead letters.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';

export type WebhookEvent = ListingVerdictEvent | ReviewLapsedEvent;

export interface ListingVerdictEvent {
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

/**
 * A dead review item no admin took back in time lapsed: no person decided it, and
 * the listing's verdict stays what it was (no `sequence`: nothing about it changed).
 */
export interface ReviewLapsedEvent {
  eventId: string;
  type: 'review.lapsed';
  listingId: string;
  reviewId: string;
  lapsedAt: string;
  /** What the item carried, now settled as lapsed. */
  complaintId?: string;
  appealId?: string;
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
