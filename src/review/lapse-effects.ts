// What a lapse (dead-item-lapse.ts) does beyond the queue, applied by the decisions'
// effects from its `lapse` entry (at least once, like a decision): what the item
// carried is settled as lapsed, the marketplace is told (`review.lapsed`), and the
// audit log records it. The listing's verdict is not touched: nobody decided it.
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { EnforcementOutcomes } from '../enforcement/enforcement-outcomes.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { WebhookOutbox } from '../webhook/webhook-outbox.js';
import type { ReviewContext } from './review-queue.js';

export interface LapseEffectsParts {
  redis: Redis;
  keys: RedisKeys;
  audit: AuditLog;
  webhooks: WebhookOutbox;
  outcomes?: EnforcementOutcomes;
}

/** Applies a `lapse` entry of the decisions stream (its fields as a record). */
export async function applyLapse(parts: LapseEffectsParts, record: Record<string, string>): Promise<void> {
  const { redis, keys, audit, webhooks, outcomes } = parts;
  const reviewId = record.reviewId ?? '';
  const listingId = record.listingId ?? '';
  const lapseId = record.decisionId ?? `lp_${reviewId}`;
  const at = record.at ?? new Date().toISOString();
  const [rawContext, source] = await redis.hmget(keys.reviewItem(reviewId), 'context', 'source');
  const context = JSON.parse(rawContext || '{}') as ReviewContext;
  await outcomes?.lapsed({ reviewId, listingId, at, context });
  const complaintId = context.complaint?.complaintId;
  const appealId = context.appeal?.appealId;
  await webhooks.enqueue({
    eventId: lapseId,
    type: 'review.lapsed',
    listingId,
    reviewId,
    lapsedAt: at,
    ...(complaintId ? { complaintId } : {}),
    ...(appealId ? { appealId } : {}),
  });
  // A drop is an admin's lapse of one item before the window.
  const dropped = record.by !== undefined && record.by !== 'lapse';
  await audit.record({
    who: dropped ? (record.by ?? 'admin') : 'gate',
    what: dropped ? 'review:drop' : 'review:lapse',
    subject: reviewId,
    when: at,
    details: { listingId, source: source || 'gate', deadLetter: record.deadLetter, ...(complaintId ? { complaintId } : {}), ...(appealId ? { appealId } : {}) },
  });
}
