// Counter-notices: a seller (through the marketplace's publisher token) contests a
// block within the appeal window (working days from the block). The appeal is a
// high-tier review item carrying what caused the block; a reviewer's `allow`
// overturns it, which is counted against those causes and the complainer. A
// pending appeal is kept while it is pending; a decided one for the retention
// window, with the key that finds it by block (issue 23).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import { GateError } from '../errors/gate-error.js';
import { contentHash } from '../gate/content-hash.js';
import { addWorkingDays } from '../enforcement/working-days.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import { listingOfRecord } from '../review/listing-of-record.js';
import type { ReviewContext, ReviewQueue } from '../review/review-queue.js';

/** Appeals go before the gate's own review verdicts, after complaints. */
const APPEAL_PRIORITY = 900;

/** `lapsed`: its review item went to the dead letters and no admin took it back in time; nobody decided it. */
export type AppealStatus = 'pending' | 'overturned' | 'upheld' | 'lapsed';

export interface Appeal {
  appealId: string;
  listingId: string;
  sellerId: string;
  reason: string;
  filedAt: string;
  blockedBy: string;
  blockedAt: string;
  windowClosesAt: string;
  status: AppealStatus;
  reviewId: string;
  decidedAt?: string;
  decidedBy?: string;
}

export interface AppealDeskParts {
  redis: Redis;
  keys: RedisKeys;
  verdicts: ListingVerdicts;
  reviews: ReviewQueue;
  audit: AuditLog;
  windowWorkingDays: number;
}

export class AppealDesk {
  constructor(private readonly parts: AppealDeskParts) {}

  async file(listingId: string, sellerId: string, reason: string, now = new Date()): Promise<{ appeal: Appeal; created: boolean }> {
    const { redis, keys, verdicts, reviews, audit, windowWorkingDays } = this.parts;
    const stored = await verdicts.getStored(listingId);
    if (!stored) throw new GateError('GATE_ERR_NOT_FOUND', `the gate has not checked a listing "${listingId}"`, { field: 'listingId' });
    const { listing, context: kept } = listingOfRecord(stored);
    if (listing.sellerId !== sellerId) throw new GateError('GATE_ERR_FORBIDDEN', 'sellerId is not the seller of this listing', { field: 'sellerId' });
    const existingId = await redis.get(keys.listingAppeal(listingId, stored.decidedAt));
    if (existingId) {
      const existing = await this.get(existingId);
      if (existing) return { appeal: existing, created: false };
    }
    if (stored.verdict !== 'block')
      throw new GateError('GATE_ERR_CONFLICT', `only a blocked listing can be appealed; this one is "${stored.verdict}"`, { field: 'listingId' });
    const closes = addWorkingDays(new Date(stored.decidedAt), windowWorkingDays);
    if (now > closes) {
      throw new GateError('GATE_ERR_CONFLICT', `the appeal window (${windowWorkingDays} working days) closed at ${closes.toISOString()}`, {
        field: 'listingId',
        details: { windowClosesAt: closes.toISOString() },
      });
    }
    const appealId = `ap_${randomUUID()}`;
    const blockReasons = stored.reasons ?? [];
    const appealContext: NonNullable<ReviewContext['appeal']> = {
      appealId,
      reason,
      blockedBy: stored.decidedBy,
      blockedAt: stored.decidedAt,
      blockReasons,
    };
    if (stored.complaintId) appealContext.complaintId = stored.complaintId;
    const queued = await reviews.enqueue({
      listingId,
      sellerId,
      contentHash: `${contentHash(listing)}:appeal:${appealId}`,
      policyVersion: stored.policyVersion ?? '',
      checkId: stored.checkId ?? '',
      score: 0,
      tier: 'high',
      priority: APPEAL_PRIORITY,
      reasons: blockReasons,
      listing,
      source: 'appeal',
      // The brands the blocked listing involved: an overturn counts against them.
      context: stored.brands ? { appeal: appealContext, brands: stored.brands, ...kept } : { appeal: appealContext, ...kept },
    });
    if (queued.kind !== 'queued') throw new Error('an appeal item cannot already be decided');
    const appeal: Appeal = {
      appealId,
      listingId,
      sellerId,
      reason,
      filedAt: now.toISOString(),
      blockedBy: stored.decidedBy,
      blockedAt: stored.decidedAt,
      windowClosesAt: closes.toISOString(),
      status: 'pending',
      reviewId: queued.reviewId,
    };
    await redis.multi().set(keys.appeal(appealId), JSON.stringify(appeal)).set(keys.listingAppeal(listingId, stored.decidedAt), appealId).exec();
    await audit.record({ who: `seller:${sellerId}`, what: 'appeal:file', subject: appealId, why: reason, details: { listingId, blockedBy: stored.decidedBy } });
    return { appeal, created: true };
  }

  async get(appealId: string): Promise<Appeal | undefined> {
    const raw = await this.parts.redis.get(this.parts.keys.appeal(appealId));
    return raw === null ? undefined : (JSON.parse(raw) as Appeal);
  }

  async settle(appealId: string, status: AppealStatus, by: string, at: string): Promise<Appeal | undefined> {
    const appeal = await this.get(appealId);
    if (!appeal) return undefined;
    const settled: Appeal = { ...appeal, status, decidedAt: at, decidedBy: by };
    const { redis, keys, reviews } = this.parts;
    const byBlock = keys.listingAppeal(appeal.listingId, appeal.blockedAt);
    // An undo sets the appeal pending again: no end then.
    if (status === 'pending') await redis.multi().set(keys.appeal(appealId), JSON.stringify(settled)).persist(byBlock).exec();
    else
      await redis.multi().set(keys.appeal(appealId), JSON.stringify(settled), 'EX', reviews.retentionSeconds).expire(byBlock, reviews.retentionSeconds).exec();
    return settled;
  }
}
