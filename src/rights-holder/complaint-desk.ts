// One-click complaints: a rights holder names up to 300 listings the gate has
// checked and a reason; each becomes a complaint and a high-priority review item.
// A trusted complainer's complaint also takes the listing down at once, pending
// review. A second complaint by the same holder on a listing whose complaint is
// still open files nothing new and answers the open one. An open complaint is
// kept while it is open; a settled one for the retention window (issue 23).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import { contentHash } from '../gate/content-hash.js';
import type { BrandFigures } from '../enforcement/brand-figures.js';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import { listingOfRecord } from '../review/listing-of-record.js';
import type { ReviewQueue } from '../review/review-queue.js';
import type { WebhookOutbox } from '../webhook/webhook-outbox.js';
import type { ComplainerTrustBook } from './complainer-trust.js';
import { liveBrandId } from './brand-registry.js';

export const MAX_LISTINGS_PER_COMPLAINT = 300;
/** Complaints outrank the gate's own review verdicts within the high tier. */
const COMPLAINT_PRIORITY = 1000;

/** `lapsed`: its review item went to the dead letters and no admin took it back in time; nobody decided it. */
export type ComplaintStatus = 'pending' | 'taken_down' | 'upheld' | 'rejected' | 'overturned' | 'lapsed';

/** A complaint in one of these is open: it has no end, and is the holder's open complaint on its listing. */
const OPEN_STATUSES: ReadonlySet<ComplaintStatus> = new Set(['pending', 'taken_down']);

type KeepComplaint = (
  key: string,
  index: string,
  open: string,
  complaintId: string,
  json: string,
  mode: 'file' | 'reopen' | 'settle',
  filedAtMs: number,
  retentionSeconds: number,
  nowMs: number,
  prefix: string,
) => Promise<number>;

export interface Complaint {
  complaintId: string;
  holder: string;
  brandId: string;
  listingId: string;
  reason: string;
  filedAt: string;
  status: ComplaintStatus;
  /** True when the listing was taken down at filing (good-faith takedown). */
  takedown: boolean;
  reviewId: string;
  decidedAt?: string;
  decidedBy?: string;
}

export type FilingResult = { listingId: string; complaint: Complaint; created: boolean } | { listingId: string; error: string };

export interface ComplaintDeskParts {
  redis: Redis;
  keys: RedisKeys;
  verdicts: ListingVerdicts;
  reviews: ReviewQueue;
  trust: ComplainerTrustBook;
  figures: BrandFigures;
  webhooks: WebhookOutbox;
  audit: AuditLog;
}

export class ComplaintDesk {
  private readonly keep: KeepComplaint;

  constructor(private readonly parts: ComplaintDeskParts) {
    this.keep = luaCommand<KeepComplaint>(parts.redis, 'keep-complaint', 3);
  }

  /** Writes the complaint with its holder's index and open key (keep-complaint.lua): settled, it expires after the retention window. */
  private async write(complaint: Complaint, mode: 'file' | 'reopen' | 'settle'): Promise<void> {
    const { keys, reviews } = this.parts;
    const { complaintId, holder, listingId } = complaint;
    await this.keep(
      keys.complaint(complaintId),
      keys.holderComplaints(holder),
      keys.openComplaint(holder, listingId),
      complaintId,
      JSON.stringify(complaint),
      mode,
      Date.parse(complaint.filedAt),
      reviews.retentionSeconds,
      Date.now(),
      keys.complaint(''),
    );
  }

  async file(holder: string, brandId: string, reason: string, listingIds: readonly string[]): Promise<FilingResult[]> {
    const { redis, keys, verdicts, reviews, trust, figures, webhooks, audit } = this.parts;
    const takedown = (await trust.of(holder)).tier === 'trusted';
    const brand = liveBrandId(holder, brandId);
    const results: FilingResult[] = [];
    for (const listingId of listingIds) {
      const open = await redis.get(keys.openComplaint(holder, listingId));
      const existing = open ? await this.get(open) : undefined;
      if (existing && OPEN_STATUSES.has(existing.status)) {
        results.push({ listingId, complaint: existing, created: false });
        continue;
      }
      const stored = await verdicts.getStored(listingId);
      if (!stored) {
        results.push({ listingId, error: 'the gate has not checked a listing with this id' });
        continue;
      }
      const { listing, context: kept } = listingOfRecord(stored);
      const complaintId = `cp_${randomUUID()}`;
      const filedAt = new Date().toISOString();
      const queued = await reviews.enqueue({
        listingId,
        sellerId: listing.sellerId,
        // Each complaint is its own item, even for content the gate or a reviewer already judged.
        contentHash: `${contentHash(listing)}:complaint:${complaintId}`,
        policyVersion: stored.policyVersion ?? '',
        checkId: stored.checkId ?? '',
        score: 0,
        tier: 'high',
        priority: COMPLAINT_PRIORITY,
        reasons: stored.reasons ?? [],
        listing,
        source: 'complaint',
        context: { complaint: { complaintId, holder, brandId: brand, reason, takedown }, brands: [brand], ...kept },
      });
      if (queued.kind !== 'queued') throw new Error('a complaint item cannot already be decided');
      const complaint: Complaint = {
        complaintId,
        holder,
        brandId: brand,
        listingId,
        reason,
        filedAt,
        status: takedown ? 'taken_down' : 'pending',
        takedown,
        reviewId: queued.reviewId,
      };
      await this.write(complaint, 'file');
      await trust.count(holder, 'filed');
      await figures.count([brand], 'complaintsFiled');
      if (takedown) {
        const decidedBy = `complaint:${complaintId}`;
        // A takedown is a change of the listing's verdict like a decision: it takes the next version.
        const versionKey = keys.listingVersionPrefix + listingId;
        const [[, version]] = (await redis.multi().incr(versionKey).expire(versionKey, reviews.retentionSeconds).exec()) as [[Error | null, number]];
        // The listing as kept (or its ids) stays with the takedown: an appeal finds its seller.
        await verdicts.record(
          { listingId, verdict: 'block', decidedBy, decidedAt: filedAt, reviewId: queued.reviewId, complaintId, reasons: stored.reasons ?? [], version },
          listing,
        );
        await webhooks.enqueue({
          eventId: `${complaintId}:takedown`,
          type: 'listing.verdict',
          listingId,
          verdict: 'block',
          decidedBy,
          decidedAt: filedAt,
          reviewId: queued.reviewId,
          sequence: version,
        });
      }
      await audit.record({
        who: `rights_holder:${holder}`,
        what: takedown ? 'complaint:file:takedown' : 'complaint:file',
        subject: complaintId,
        why: reason,
        details: { listingId, brandId: brand },
      });
      results.push({ listingId, complaint, created: true });
    }
    return results;
  }

  async get(complaintId: string): Promise<Complaint | undefined> {
    const raw = await this.parts.redis.get(this.parts.keys.complaint(complaintId));
    return raw === null ? undefined : (JSON.parse(raw) as Complaint);
  }

  /** A holder's complaints, newest first. */
  async ofHolder(holder: string, limit: number, status?: ComplaintStatus): Promise<Complaint[]> {
    const ids = await this.parts.redis.zrevrange(this.parts.keys.holderComplaints(holder), 0, status ? -1 : limit - 1);
    const out: Complaint[] = [];
    for (const id of ids) {
      const complaint = await this.get(id);
      if (complaint && (!status || complaint.status === status)) out.push(complaint);
      if (out.length >= limit) break;
    }
    return out;
  }

  async settle(complaintId: string, status: ComplaintStatus, by: string, at: string): Promise<Complaint | undefined> {
    const complaint = await this.get(complaintId);
    if (!complaint) return undefined;
    const settled: Complaint = { ...complaint, status, decidedAt: at, decidedBy: by };
    // An undo sets a complaint's earlier status again, which may be open.
    await this.write(settled, OPEN_STATUSES.has(status) ? 'reopen' : 'settle');
    return settled;
  }
}
