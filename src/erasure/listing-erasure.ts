// Erases every trace of listings (issue 23, point 6): what each family of
// docs/redis-keys.md holds about them, found from the listing's own keys (its verdict
// record, its review items index) and followed from there to what they name. Each
// family goes in one step where its keys share a slot (a Lua script or MULTI); the
// streams, shared by all listings, are searched only over the times the listing's
// items could have written to them. Idempotent: a second erasure finds nothing.
import type { Redis } from 'ioredis';
import { INTAKE_GROUP, WEBHOOK_GROUP, type IntakeKeys, type RedisKeys } from '../redis/redis-keys.js';
import { luaCommand } from '../redis/lua-command.js';
import { verdictShardOf } from '../redis/verdict-shard.js';
import { unpackAllowRecord } from '../review/allow-record.js';
import { REVIEW_GROUP } from '../review/review-queue.js';
import { EFFECTS_GROUP } from '../review/decision-effects.js';
import { RING_ERASED_MESSAGE } from '../rings/seller-rings.js';
import { erasedReviewItem, type ErasedReviewItem } from './erased-review-item.js';
import { noListingErased, type ListingErased } from './erased-families.js';
import { sellerOfStoredListing } from '../review/stored-listing.js';
import { idRanges, StreamEraser, type IdRange, type TimeSpan } from './stream-eraser.js';

/** How far the gate's clock (an item's times) may be from Redis's (its entries' ids). */
const CLOCK_MARGIN_MS = 60_000;

export interface ListingErasureParts {
  redis: Redis;
  keys: RedisKeys;
  /** Writes what this instance holds back for Redis (verdict records, ring links) and applies decisions waiting here, so that none lands after the erasure. */
  settle: () => Promise<void>;
  /** The intake's keys, when GATE_INTAKE_STREAM is set: its verdicts and dead letters name listings too. */
  intake?: IntakeKeys | undefined;
  /** Entries' figures (enforced and shadow) keep recent listing ids as samples. */
  entrySamples: ReadonlyArray<{ erase(listingIds: readonly string[]): Promise<number> }>;
}

/** What a listing's verdict record named, for the families that follow it. */
interface RecordFacts {
  reviewIds: string[];
  contentHashes: string[];
  complaintIds: string[];
}

type EraseVerdict = (key: string, allowPrefix: string, listingId: string, bucketHash: string) => Promise<[number, number, string[], string[]]>;
type EraseReviews = (key: string, ...args: string[]) => Promise<[number[], string[][]]>;
type EraseHistory = (key: string, ...listingIds: string[]) => Promise<number>;

function fieldsOf(flat: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] ?? ''] = flat[i + 1] ?? '';
  return out;
}

function sum(erased: ListingErased): number {
  return Object.values(erased).reduce((a, b) => a + b, 0);
}

export class ListingErasure {
  private readonly eraseVerdict: EraseVerdict;
  private readonly eraseReviews: EraseReviews;
  private readonly eraseHistory: EraseHistory;
  private readonly streams: StreamEraser;

  constructor(private readonly parts: ListingErasureParts) {
    this.eraseVerdict = luaCommand<EraseVerdict>(parts.redis, 'erase-listing-verdict', 1);
    this.eraseReviews = luaCommand<EraseReviews>(parts.redis, 'erase-listing-reviews', 1, ['review-item-keys', 'review-cluster-index', 'open-items']);
    this.eraseHistory = luaCommand<EraseHistory>(parts.redis, 'erase-seller-history', 1);
    this.streams = new StreamEraser(parts.redis);
  }

  /** Erases the listings; `listings` counts those of which anything was found. */
  async erase(listingIds: readonly string[]): Promise<{ erased: ListingErased; listings: number }> {
    const ids = [...new Set(listingIds)];
    await this.parts.settle();
    const erased = noListingErased();
    const sellers = new Set<string>();
    const items: ErasedReviewItem[] = [];
    const complaintIds = new Set<string>();
    let listings = 0;
    for (const listingId of ids) {
      const before = sum(erased);
      const record = await this.verdictsOf(listingId, erased, sellers);
      const listingItems = await this.reviewsOf(listingId, record, erased);
      erased.reports += await this.parts.redis.del(this.parts.keys.openReport(listingId), this.parts.keys.listingReporters(listingId));
      for (const id of record.complaintIds) complaintIds.add(id);
      for (const item of listingItems) {
        if (item.sellerId) sellers.add(item.sellerId);
        const complaintId = item.context.complaint?.complaintId ?? item.context.appeal?.complaintId;
        if (complaintId) complaintIds.add(complaintId);
      }
      erased.outcomeMarkers += await this.eraseOutcomeMarkers(listingItems);
      items.push(...listingItems);
      if (sum(erased) > before) listings++;
    }
    const wanted = new Set(ids);
    erased.complaints += await this.eraseComplaints(complaintIds, wanted);
    erased.appeals += await this.eraseAppeals(
      items.flatMap((item) => (item.context.appeal ? [item.context.appeal.appealId] : [])),
      wanted,
    );
    for (const sellerId of sellers) {
      erased.sellerHistoryEntries += await this.eraseHistory(this.parts.keys.sellerHistory(sellerId), ...ids);
      erased.ringListings += await this.parts.redis.zrem(`${this.parts.keys.rings}listings:${sellerId}`, ...ids);
    }
    await this.eraseEntries(ids, items, erased);
    for (const figures of this.parts.entrySamples) erased.entrySamples += await figures.erase(ids);
    // Every instance forgets the links it made recently (a re-check links the listing again) and its ring answers.
    await this.parts.redis.publish(this.parts.keys.ringChanges, RING_ERASED_MESSAGE);
    return { erased, listings };
  }

  /** The verdict record and allow records (the listing's shard), and a record of earlier versions. */
  private async verdictsOf(listingId: string, erased: ListingErased, sellers: Set<string>): Promise<RecordFacts> {
    const { redis, keys } = this.parts;
    const [records, allows, flat, packed] = await this.eraseVerdict(
      keys.listingVerdict(listingId),
      keys.allowRecords(listingId),
      listingId,
      String(verdictShardOf(listingId).bucketHash),
    );
    erased.verdictRecords += Number(records);
    erased.allowRecords += Number(allows);
    for (const record of packed) {
      const { sellerId } = unpackAllowRecord(listingId, record);
      if (sellerId) sellers.add(sellerId);
    }
    const legacyKey = keys.legacyListingVerdict(listingId);
    const [[, legacy], [, legacyRemoved]] = (await redis.multi().hgetall(legacyKey).del(legacyKey).exec()) as [
      [Error | null, Record<string, string>],
      [Error | null, number],
    ];
    erased.verdictRecords += legacyRemoved;
    const facts: RecordFacts = { reviewIds: [], contentHashes: [], complaintIds: [] };
    for (const fields of [fieldsOf(flat), legacy]) {
      const seller = fields.listing ? sellerOfStoredListing(fields.listing) : undefined;
      if (seller) sellers.add(seller);
      if (fields.reviewId) facts.reviewIds.push(fields.reviewId);
      if (fields.contentHash) facts.contentHashes.push(fields.contentHash);
      if (fields.complaintId) facts.complaintIds.push(fields.complaintId);
    }
    return facts;
  }

  /** The review family's keys about the listing, in one script (the `{review}` slot). */
  private async reviewsOf(listingId: string, record: RecordFacts, erased: ListingErased): Promise<ErasedReviewItem[]> {
    const { keys } = this.parts;
    const [counts, rows] = await this.eraseReviews(
      keys.reviewOpenPrefix + listingId,
      listingId,
      keys.reviewItemPrefix,
      keys.reviewOpenPrefix + listingId,
      keys.listingVersionPrefix + listingId,
      keys.decidedListings,
      keys.decidedChanges,
      keys.reviewCluster(''),
      keys.reviewDedupe(listingId, ''),
      keys.reviewDecided(listingId, ''),
      REVIEW_GROUP,
      String(record.reviewIds.length),
      ...record.reviewIds,
      ...record.contentHashes,
    );
    const [itemCount = 0, contentKeys = 0, listingKeys = 0, memberships = 0, entries = 0, decided = 0] = counts.map(Number);
    erased.reviewItems += itemCount;
    erased.reviewContentKeys += contentKeys;
    erased.reviewListingKeys += listingKeys;
    erased.clusterMemberships += memberships;
    erased.reviewStreamEntries += entries;
    erased.decidedListings += decided;
    return rows.map(erasedReviewItem);
  }

  /** Markers of what the items' decisions counted (enforcement-outcomes.ts): by decision, and by decision and each item it closed. */
  private async eraseOutcomeMarkers(items: readonly ErasedReviewItem[]): Promise<number> {
    const decisions = items.filter((item) => item.decisionId !== '').map((item) => item.decisionId);
    const closed = items.filter((item) => item.status === 'superseded').map((item) => item.reviewId);
    const markers = [...decisions, ...decisions.flatMap((decisionId) => closed.map((reviewId) => `${decisionId}:${reviewId}`))];
    return markers.length === 0 ? 0 : this.parts.redis.del(...markers.map((id) => this.parts.keys.outcomeCounted(id)));
  }

  /** Complaints about the listings: each with its holder's index entry and open key, in one MULTI (the `{complaints}` slot). */
  private async eraseComplaints(complaintIds: Iterable<string>, listings: ReadonlySet<string>): Promise<number> {
    const { redis, keys } = this.parts;
    let removed = 0;
    for (const complaintId of complaintIds) {
      const raw = await redis.get(keys.complaint(complaintId));
      if (raw === null) continue;
      const complaint = JSON.parse(raw) as { listingId?: string; holder?: string };
      if (complaint.listingId === undefined || !listings.has(complaint.listingId) || complaint.holder === undefined) continue;
      const [[, deleted]] = (await redis
        .multi()
        .del(keys.complaint(complaintId))
        .zrem(keys.holderComplaints(complaint.holder), complaintId)
        .del(keys.openComplaint(complaint.holder, complaint.listingId))
        .exec()) as [[Error | null, number]];
      removed += deleted;
    }
    return removed;
  }

  /** Appeals of the listings' blocks, each with the key that finds it by block, in one MULTI (the `{appeals}` slot). */
  private async eraseAppeals(appealIds: readonly string[], listings: ReadonlySet<string>): Promise<number> {
    const { redis, keys } = this.parts;
    let removed = 0;
    for (const appealId of new Set(appealIds)) {
      const raw = await redis.get(keys.appeal(appealId));
      if (raw === null) continue;
      const appeal = JSON.parse(raw) as { listingId?: string; blockedAt?: string };
      if (appeal.listingId === undefined || !listings.has(appeal.listingId)) continue;
      const [[, deleted]] = (await redis
        .multi()
        .del(keys.appeal(appealId))
        .del(keys.listingAppeal(appeal.listingId, appeal.blockedAt ?? ''))
        .exec()) as [[Error | null, number]];
      removed += deleted;
    }
    return removed;
  }

  /**
   * Stream entries naming the listings: the review streams and decisions over the
   * times their items wrote there, the dead letters of their dead items, the webhook
   * outbox and its dead letters since their first item, the backtest sample, and the
   * intake's stream, verdicts and dead letters whole.
   */
  private async eraseEntries(ids: readonly string[], items: readonly ErasedReviewItem[], erased: ListingErased): Promise<void> {
    const { keys, intake } = this.parts;
    const byStream = new Map<string, TimeSpan[]>();
    for (const item of items) byStream.set(item.stream, [...(byStream.get(item.stream) ?? []), item.written]);
    for (const [stream, spans] of byStream) {
      erased.reviewStreamEntries += await this.streams.erase(
        { stream, field: 'listingId', groups: [REVIEW_GROUP], held: 'ack' },
        idRanges(spans, CLOCK_MARGIN_MS),
        ids,
      );
    }
    const written = items.map((item) => item.written);
    erased.decisionEntries += await this.streams.erase(
      { stream: keys.reviewDecisions, field: 'listingId', groups: [EFFECTS_GROUP], held: 'ack' },
      idRanges(written, CLOCK_MARGIN_MS),
      ids,
    );
    const dead = items.filter((item) => item.status === 'dead').map((item): TimeSpan => ({ from: item.written.from, to: Number.POSITIVE_INFINITY }));
    erased.deadLetters += await this.streams.erase(
      { stream: keys.reviewDeadLetters, field: 'listingId', groups: [], held: 'ack' },
      idRanges(dead, CLOCK_MARGIN_MS),
      ids,
    );
    // Events are written when a decision's effects are applied, which may be late: from the first item on.
    const since = idRanges(
      written.map((span) => ({ from: span.from, to: Number.POSITIVE_INFINITY })),
      CLOCK_MARGIN_MS,
    );
    erased.webhookEvents += await this.streams.erase(
      { stream: keys.webhookOutbox, field: 'event', objectKey: 'listingId', groups: [WEBHOOK_GROUP], held: 'ack' },
      since,
      ids,
    );
    erased.webhookEvents += await this.streams.erase(
      { stream: keys.webhookDeadLetters, field: 'event', objectKey: 'listingId', groups: [], held: 'ack' },
      since,
      ids,
    );
    const whole: IdRange[] = [{ from: '-', to: '+' }];
    erased.backtestSamples += await this.streams.erase({ stream: keys.backtestSample, field: 'id', groups: [], held: 'ack' }, whole, ids);
    if (intake) {
      erased.intakeEntries += await this.streams.erase({ stream: intake.verdicts, field: 'listingId', groups: [], held: 'ack' }, whole, ids);
      erased.intakeEntries += await this.streams.erase({ stream: intake.deadLetters, field: 'listingId', groups: [], held: 'ack' }, whole, ids);
      // Checked entries wait for the next trim; one an instance is checking is its to finish (its verdict comes after the erasure).
      erased.intakeEntries += await this.streams.erase(
        { stream: intake.stream, field: 'listing', objectKey: 'listingId', groups: [INTAKE_GROUP], held: 'skip' },
        whole,
        ids,
      );
    }
  }
}
