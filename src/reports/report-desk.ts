// Consumer reports on live listings. Reports on one listing gather on one review
// item in the `low` tier (below rights-holder complaints); each new reporter
// raises its priority, and enough of them move it up to the `normal` tier. A
// reporter reporting the same listing again adds nothing; a reporter over the
// rate limit is refused with 429 and a retry-after. The open item's id and its
// reporters are kept while it is open, and deleted when it is decided or a
// decision on the listing closes it (issue 23).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GateError } from '../errors/gate-error.js';
import { contentHash } from '../gate/content-hash.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import { listingOfRecord } from '../review/listing-of-record.js';
import type { ReviewQueue } from '../review/review-queue.js';

export interface ReportPolicy {
  /** Reports one reporter may file per window. */
  perReporter: number;
  windowSeconds: number;
  /** Distinct reporters at which the item moves from the low to the normal tier. */
  escalateAt: number;
}

export interface ReportResult {
  listingId: string;
  reviewId: string;
  /** False when this reporter had already reported the listing. */
  counted: boolean;
  reporters: number;
  tier: 'low' | 'normal';
}

const REASONS_SHOWN = 20;

export class ReportDesk {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly verdicts: ListingVerdicts,
    private readonly reviews: ReviewQueue,
    private readonly policy: ReportPolicy,
  ) {}

  async file(listingId: string, reporterId: string, reason: string, evidence?: string): Promise<ReportResult> {
    const { redis, keys, policy } = this;
    const window = Math.floor(Date.now() / 1000 / policy.windowSeconds);
    const windowKey = keys.reporterWindow(reporterId, window);
    const [[, used]] = (await redis
      .multi()
      .incr(windowKey)
      .expire(windowKey, policy.windowSeconds * 2)
      .exec()) as [[Error | null, number]];
    if (used > policy.perReporter) {
      await redis.decr(windowKey);
      const retryAfter = (window + 1) * policy.windowSeconds - Math.floor(Date.now() / 1000);
      throw new GateError(
        'GATE_ERR_RATE_LIMITED',
        `reporter "${reporterId}" has filed ${policy.perReporter} reports in this ${policy.windowSeconds} s window`,
        { field: 'reporterId', details: { retryAfterSeconds: retryAfter } },
      );
    }
    const stored = await this.verdicts.getStored(listingId);
    if (!stored) {
      await redis.decr(windowKey);
      throw new GateError('GATE_ERR_NOT_FOUND', `the gate has not checked a listing "${listingId}"`, { field: 'listingId' });
    }
    const openId = await redis.get(keys.openReport(listingId));
    // Reporters gather in the open item's set; with none open, this report starts an item (and a set) below.
    const added = openId ? (await redis.sadd(keys.listingReporters(listingId), reporterId)) === 1 : true;
    if (!added) await redis.decr(windowKey); // a repeat costs the reporter nothing
    const reporters = openId ? await redis.scard(keys.listingReporters(listingId)) : 1;
    const line = evidence ? `${reason}: ${evidence}` : reason;
    if (openId) {
      const item = await redis.hmget(keys.reviewItem(openId), 'status', 'context', 'tier');
      if (item[0] === 'pending') {
        const context = JSON.parse(item[1] || '{}') as { reports?: { count: number; reasons: string[] } };
        const reasons = added ? [...(context.reports?.reasons ?? []), line].slice(-REASONS_SHOWN) : (context.reports?.reasons ?? []);
        const escalate = reporters >= policy.escalateAt;
        const moved = await this.reviews.escalate(openId, reporters, { ...context, reports: { count: reporters, reasons } }, escalate ? 'normal' : undefined);
        if (moved !== 'decided')
          return { listingId, reviewId: openId, counted: added, reporters, tier: moved === 'moved' || item[2] === 'normal' ? 'normal' : 'low' };
      }
    }
    // No open item (first report, or the last one was decided): a new one, counting from this reporter.
    const reportId = `rp_${randomUUID()}`;
    const { listing, context: kept } = listingOfRecord(stored);
    const queued = await this.reviews.enqueue({
      listingId,
      sellerId: listing.sellerId,
      contentHash: `${contentHash(listing)}:report:${reportId}`,
      policyVersion: stored.policyVersion ?? '',
      checkId: stored.checkId ?? '',
      score: 0,
      tier: 'low',
      priority: 1,
      reasons: stored.reasons ?? [],
      listing,
      source: 'report',
      context: { reports: { count: 1, reasons: [line] }, ...kept },
    });
    if (queued.kind !== 'queued') throw new Error('a report item cannot already be decided');
    // Written with the item only, so that nothing is left when it could not be queued; its decision deletes both (enforcement-outcomes.ts).
    await redis
      .multi()
      .del(keys.listingReporters(listingId))
      .sadd(keys.listingReporters(listingId), reporterId)
      .set(keys.openReport(listingId), queued.reviewId)
      .exec();
    return { listingId, reviewId: queued.reviewId, counted: true, reporters: 1, tier: 'low' };
  }
}
