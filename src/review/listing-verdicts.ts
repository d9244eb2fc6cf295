// The current verdict of each listing, as the publish path asks for it
// (contract section 5): what decided it (the gate or a reviewer) and when.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { Verdict } from '../gate/reason.js';
import type { CheckRequest } from '../gate/check-request.js';
import { luaCommand } from '../redis/lua-command.js';
import { slotGroups } from '../redis/slot-groups.js';
import type { BookkeepingSpool } from '../redis/bookkeeping-spool.js';
import { BOOKKEEPING_GATHER_MS, WriteBehind } from '../redis/write-behind.js';
import { verdictShardOf } from '../redis/verdict-shard.js';
import { allowRecordMillis, packAllowRecord, packCheckId, unpackAllowRecord, unpackCheckId } from './allow-record.js';
import { packReasons, unpackReasons } from './packed-reasons.js';
import { packStoredListing, unpackStoredListing } from './stored-listing.js';
import type { ListingVerdict } from './listing-verdict.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export type { ListingVerdict } from './listing-verdict.js';

/** The verdict with the listing as last checked (kept for complaints and appeals). */
export interface StoredListingVerdict extends ListingVerdict {
  /** Absent when the listing's latest verdict is the gate's allow: its record keeps no copy. */
  listing?: CheckRequest;
  /** The listing's seller, when its record is a compact allow record (no listing kept). */
  sellerId?: string;
}

/**
 * How long a period of allow records lasts: a thirtieth of the window, between a
 * minute and a day (a day with the default 30-day window). A period's bucket
 * expires a window after the period ends.
 */
function allowPeriodMs(windowSeconds: number): number {
  return Math.min(86_400_000, Math.max(60_000, Math.ceil((windowSeconds * 1000) / 30)));
}

/** A record waiting to be written: a verdict, or a compact allow already packed (by a check thread). */
interface PendingRecord {
  listingId: string;
  verdict: ListingVerdict | undefined;
  /** The packed allow record (allow-record.ts), when `verdict` is undefined. */
  packed?: string;
  listing: CheckRequest | undefined;
  /** Called once written, when the listing's verdict changed (or it had none). */
  onChanged?: (() => void) | undefined;
}

export interface ListingVerdictsOptions {
  /**
   * How long a gate's record may wait to be written with others (reads on this
   * instance see it at once). Default BOOKKEEPING_GATHER_MS: the records of
   * several turns go as one script call instead of one each.
   */
  recordDelayMs?: number;
  log?: GateLog;
  /** How long a record of a block or review verdict is kept, in seconds (GATE_RETENTION_DAYS). Default 180 days. */
  retentionSeconds?: number;
  /** How long the gate's record of an allow verdict is kept, in seconds (GATE_ALLOW_RETENTION_DAYS). Default 30 days. */
  allowRetentionSeconds?: number;
  /** Buckets per period (a day by default) and verdict shard for the compact allow records (GATE_ALLOW_RECORD_BUCKETS). Default 16. */
  allowRecordBuckets?: number;
  /** Keeps on local disk the records Redis does not take, to write them when it answers again. */
  spool?: BookkeepingSpool;
}

/** Listings read by one read-listing-verdicts.lua call (about 12 µs of Redis each: 512 held Redis 6 ms). */
const READ_MANY_CHUNK = 64;

export class ListingVerdicts {
  /** Records of checks, written after the answer, together with those of the same turn. */
  private readonly later: WriteBehind<PendingRecord>;
  /** record-verdicts-unless-newer.lua: the number of keys, the keys, then 13 values per record; per record 0, 1 or 2 (changed). */
  private readonly recordManyUnlessNewer: (keyCount: number, ...keysThenValues: string[]) => Promise<number[]>;
  /** record-allows.lua: the number of keys, the keys, 4 values, then 3 per record; per record 0 or 1 (written). */
  private readonly recordAllows: (keyCount: number, ...keysThenValues: string[]) => Promise<number[]>;
  private readonly readVerdict: (
    key: string,
    allowPrefix: string,
    listingId: string,
    bucketHash: string,
    now: string,
    windowMs: string,
  ) => Promise<[string[], string | null]>;
  /** read-listing-verdicts.lua: the number of keys, the keys, 2 values, then 2 per listing; per listing its fields and its packed allow or null. */
  private readonly readVerdicts: (keyCount: number, ...keysThenValues: string[]) => Promise<Array<string[] | string | null>>;
  private readonly allowRecordBuckets: number;
  private readonly allowPeriodMs: number;
  private readonly recordDecision: (key: string, version: string, ttlSeconds: string, ...fieldsAndValues: string[]) => Promise<number>;
  private readonly retentionSeconds: number;
  private readonly allowRetentionSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: ListingVerdictsOptions = {},
  ) {
    this.recordManyUnlessNewer = luaCommand<ListingVerdicts['recordManyUnlessNewer']>(redis, 'record-verdicts-unless-newer', undefined, ['allow-records']);
    this.recordAllows = luaCommand<ListingVerdicts['recordAllows']>(redis, 'record-allows', undefined, ['allow-records']);
    this.readVerdict = luaCommand<ListingVerdicts['readVerdict']>(redis, 'read-listing-verdict', 1, ['allow-records']);
    this.readVerdicts = luaCommand<ListingVerdicts['readVerdicts']>(redis, 'read-listing-verdicts', undefined, ['allow-records']);
    this.allowRecordBuckets = options.allowRecordBuckets ?? 16;
    this.recordDecision = luaCommand<ListingVerdicts['recordDecision']>(redis, 'record-decision-verdict', 1);
    this.retentionSeconds = options.retentionSeconds ?? 180 * 86_400;
    this.allowRetentionSeconds = options.allowRetentionSeconds ?? 30 * 86_400;
    this.allowPeriodMs = allowPeriodMs(this.allowRetentionSeconds);
    this.later = new WriteBehind<PendingRecord>({
      name: 'verdict records',
      delayMs: options.recordDelayMs ?? BOOKKEEPING_GATHER_MS,
      retry: false,
      merge: (_older, newer) => newer,
      write: (batch) => this.writeAll(batch),
      log: options.log ?? silentLog,
      ...(options.spool ? { spool: options.spool } : {}),
    });
  }

  /**
   * Every field is written (empty when absent), so a new record never inherits an
   * older one's reviewId or checkId, except the listing itself, which a decision
   * about the same listing leaves in place. A record waiting to be written for the
   * same listing is older than this one: only its listing is kept.
   */
  /** Writes a person's (or a takedown's) verdict; one with a version older than the stored record's is not written (returns false). */
  async record(verdict: ListingVerdict, listing?: CheckRequest): Promise<boolean> {
    const superseded = this.later.peek(verdict.listingId);
    this.later.discard(verdict.listingId);
    const fields = Object.entries(fieldsOf(verdict, listing ?? superseded?.listing)).flat();
    const version = verdict.version === undefined ? '' : String(verdict.version);
    return (await this.recordDecision(this.keys.listingVerdict(verdict.listingId), version, String(this.ttlOf(verdict)), ...fields)) === 1;
  }

  /** A record's retention window: every key a check or decision writes has an end (issue 23). */
  private ttlOf(verdict: ListingVerdict): number {
    return verdict.verdict === 'allow' && verdict.decidedBy === 'gate' ? this.allowRetentionSeconds : this.retentionSeconds;
  }

  /**
   * The gate's record of a check, written with the others answered in the same turn;
   * reads here see it at once. An allow keeps a compact record without the listing,
   * and onChanged is called only for a block or review verdict new for the listing.
   */
  recordLater(verdict: ListingVerdict, listing: CheckRequest, onChanged?: () => void): void {
    this.later.add(verdict.listingId, { listingId: verdict.listingId, verdict, listing, onChanged });
  }

  /** The gate's compact allow record of a check, already packed (packAllowRecordAt), written as recordLater's are. */
  recordAllowLater(listingId: string, packed: string): void {
    this.later.add(listingId, { listingId, verdict: undefined, packed, listing: undefined });
  }

  /** Records written and dropped since start, for /metrics. */
  get droppedRecords(): number {
    return this.later.dropped;
  }

  /** Writes the records still waiting. */
  flush(): Promise<void> {
    return this.later.flush();
  }

  /** Writes the records still waiting, or keeps them in the spool (on shutdown). */
  close(): Promise<void> {
    return this.later.close();
  }

  private async writeAll(batch: ReadonlyMap<string, PendingRecord>): Promise<void> {
    const allows: PendingRecord[] = [];
    const others: PendingRecord[] = [];
    for (const record of batch.values()) (!record.verdict || isCompactAllow(record.verdict) ? allows : others).push(record);
    // One script call per hash slot: a single one on a single Redis.
    const key = (record: PendingRecord): string => this.keys.listingVerdict(record.listingId);
    const now = Date.now();
    const windowMs = String(this.allowRetentionSeconds * 1000);
    await Promise.all([
      ...slotGroups(this.redis, others, key).map(async (group) => {
        const args = group.map(key);
        for (const record of group) {
          const verdict = pendingVerdict(record);
          // fieldsOf's fields come in the script's FIELDS order; the listing ('' for none) follows.
          args.push(...Object.values(fieldsOf(verdict, undefined)), record.listing ? packStoredListing(record.listing) : '', String(this.ttlOf(verdict)));
        }
        const outcomes = await this.recordManyUnlessNewer(group.length, ...args);
        group.forEach((record, i) => {
          if (outcomes[i] === 2) record.onChanged?.();
        });
      }),
      ...slotGroups(this.redis, allows, key).map(async (group) => {
        const args = [...group.map(key), String(this.allowRecordBuckets), String(now), windowMs, String(this.allowPeriodMs)];
        for (const { listingId, verdict, packed, listing } of group) {
          args.push(
            listingId,
            String(verdictShardOf(listingId).bucketHash),
            packed ?? packAllowRecord(pendingVerdict({ listingId, verdict }), listing?.sellerId ?? ''),
          );
        }
        await this.recordAllows(group.length, ...args);
      }),
    ]);
  }

  /** The listing's record and its newest allow record, whichever is newer (a person's verdict outranks the gate's later allow). */
  private async read(listingId: string): Promise<StoredListingVerdict | undefined> {
    const { bucketHash } = verdictShardOf(listingId);
    const [flat, packed] = await this.readVerdict(
      this.keys.listingVerdict(listingId),
      this.keys.allowRecords(listingId),
      listingId,
      String(bucketHash),
      String(Date.now()),
      String(this.allowRetentionSeconds * 1000),
    );
    const legacy = flat.length === 0 && !packed ? await this.redis.hgetall(this.keys.legacyListingVerdict(listingId)) : undefined;
    return this.newerOf(listingId, flat, packed, legacy);
  }

  /**
   * What read() gives for each listing, with one script call per verdict shard
   * slot (one on a single Redis) and the records of earlier versions, for the
   * listings with none, in one pipeline per slot.
   */
  private async readMany(listingIds: readonly string[]): Promise<Array<StoredListingVerdict | undefined>> {
    const out = new Array<StoredListingVerdict | undefined>(listingIds.length);
    const at = listingIds.map((listingId, index) => ({ listingId, index }));
    const now = String(Date.now());
    const windowMs = String(this.allowRetentionSeconds * 1000);
    const unrecorded: typeof at = [];
    const verdictKey = (item: { listingId: string }): string => this.keys.listingVerdict(item.listingId);
    await Promise.all(
      slotGroups(this.redis, at, verdictKey).map(async (group) => {
        // One call after another: a live command waits behind one chunk at most, not the whole batch.
        for (let from = 0; from < group.length; from += READ_MANY_CHUNK) {
          const chunk = group.slice(from, from + READ_MANY_CHUNK);
          const args = [...chunk.map(verdictKey), now, windowMs];
          for (const { listingId } of chunk) args.push(listingId, String(verdictShardOf(listingId).bucketHash));
          const answer = await this.readVerdicts(chunk.length, ...args);
          chunk.forEach(({ listingId, index }, i) => {
            const flat = (answer[2 * i] ?? []) as string[];
            const packed = (answer[2 * i + 1] ?? null) as string | null;
            if (flat.length === 0 && !packed) unrecorded.push({ listingId, index });
            else out[index] = this.newerOf(listingId, flat, packed, undefined);
          });
        }
      }),
    );
    const legacyKey = (item: { listingId: string }): string => this.keys.legacyListingVerdict(item.listingId);
    await Promise.all(
      slotGroups(this.redis, unrecorded, legacyKey).map(async (group) => {
        const pipeline = this.redis.pipeline();
        for (const item of group) pipeline.hgetall(legacyKey(item));
        const rows = (await pipeline.exec()) ?? [];
        group.forEach(({ listingId, index }, i) => {
          const [error, legacy] = rows[i] ?? [new Error('no answer'), undefined];
          if (error) throw error;
          out[index] = this.newerOf(listingId, [], null, legacy as Record<string, string>);
        });
      }),
    );
    return out;
  }

  /** The newer of a listing's record (or, without one, its record of an earlier version) and its packed allow record. */
  private newerOf(
    listingId: string,
    flat: readonly string[],
    packed: string | null,
    legacy: Record<string, string> | undefined,
  ): StoredListingVerdict | undefined {
    let fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i] as string] = flat[i + 1] as string;
    if (legacy) fields = legacy;
    const full: StoredListingVerdict | undefined = this.fromFields(listingId, fields);
    // The key names the listing; records of earlier versions kept its id in the listing too.
    if (full && fields.listing) full.listing = unpackStoredListing(listingId, fields.listing);
    if (!packed) return full;
    if (full && (full.decidedBy !== 'gate' || Date.parse(full.decidedAt) >= allowRecordMillis(packed))) return full;
    return unpackAllowRecord(listingId, packed);
  }

  /** The stored record with the listing as last checked. */
  async getStored(listingId: string): Promise<StoredListingVerdict | undefined> {
    const pending = this.later.peek(listingId);
    if (pending) {
      if (!pending.verdict && pending.packed !== undefined) return unpackAllowRecord(pending.listingId, pending.packed);
      const verdict = pendingVerdict(pending);
      if (isCompactAllow(verdict)) return { ...verdict, ...(pending.listing ? { sellerId: pending.listing.sellerId } : {}) };
      return pending.listing ? { ...verdict, listing: pending.listing } : { ...verdict };
    }
    return this.read(listingId);
  }

  async get(listingId: string): Promise<ListingVerdict | undefined> {
    const pending = this.later.peek(listingId);
    if (pending) return { ...pendingVerdict(pending) };
    const stored = await this.read(listingId);
    return stored ? withoutListing(stored) : undefined;
  }

  /** The records of these listings still waiting on this instance to be written, in order (undefined: none waits). */
  waiting(listingIds: readonly string[]): Array<ListingVerdict | undefined> {
    return listingIds.map((listingId) => {
      const pending = this.later.peek(listingId);
      return pending ? { ...pendingVerdict(pending) } : undefined;
    });
  }

  /** get() of each listing, in order, read together (a re-check batch's recorded verdicts). */
  async getMany(listingIds: readonly string[]): Promise<Array<ListingVerdict | undefined>> {
    const out = this.waiting(listingIds);
    const unread: Array<{ listingId: string; index: number }> = [];
    listingIds.forEach((listingId, index) => {
      if (out[index] === undefined) unread.push({ listingId, index });
    });
    if (unread.length === 0) return out;
    const stored = await this.readMany(unread.map((item) => item.listingId));
    unread.forEach(({ index }, i) => {
      const one = stored[i];
      out[index] = one ? withoutListing(one) : undefined;
    });
    return out;
  }

  private fromFields(listingId: string, fields: Record<string, string>): ListingVerdict | undefined {
    if (!fields.verdict) return undefined;
    const out: ListingVerdict = {
      listingId,
      verdict: fields.verdict as Verdict,
      decidedBy: fields.decidedBy || 'gate',
      decidedAt: fields.decidedAt ?? '',
    };
    if (fields.checkId) out.checkId = unpackCheckId(fields.checkId);
    if (fields.reviewId) out.reviewId = fields.reviewId;
    if (fields.policyVersion) out.policyVersion = fields.policyVersion;
    if (fields.reasons) out.reasons = unpackReasons(fields.reasons);
    if (fields.complaintId) out.complaintId = fields.complaintId;
    if (fields.version) out.version = Number(fields.version);
    if (fields.brands) out.brands = JSON.parse(fields.brands) as string[];
    return out;
  }
}

/**
 * The gate's allow, kept as a compact record without the listing. Not one that
 * knows its content hash: the gate computes it only when a person decided about
 * the listing, and such an allow (of changed content) replaces the person's verdict
 * in the full record, where the content is compared.
 */
function pendingVerdict(record: Pick<PendingRecord, 'listingId' | 'verdict' | 'packed'>): ListingVerdict {
  if (record.verdict) return record.verdict;
  const { sellerId: _sellerId, ...verdict } = unpackAllowRecord(record.listingId, record.packed ?? '');
  return verdict;
}

function withoutListing(stored: StoredListingVerdict): ListingVerdict {
  const { listing: _listing, sellerId: _sellerId, ...verdict } = stored;
  return verdict;
}

function isCompactAllow(verdict: ListingVerdict): boolean {
  return verdict.verdict === 'allow' && verdict.decidedBy === 'gate' && !verdict.contentHash;
}

function fieldsOf(verdict: ListingVerdict, listing: CheckRequest | undefined): Record<string, string> {
  const fields: Record<string, string> = {
    listingId: verdict.listingId,
    verdict: verdict.verdict,
    // The gate's own records leave it out (issue 23): no field means the gate.
    decidedBy: verdict.decidedBy === 'gate' ? '' : verdict.decidedBy,
    decidedAt: verdict.decidedAt,
    checkId: verdict.checkId ? packCheckId(verdict.checkId) : '',
    reviewId: verdict.reviewId ?? '',
    policyVersion: verdict.policyVersion ?? '',
    reasons: verdict.reasons ? packReasons(verdict.reasons) : '',
    complaintId: verdict.complaintId ?? '',
    contentHash: verdict.contentHash ?? '',
    brands: verdict.brands && verdict.brands.length > 0 ? JSON.stringify(verdict.brands) : '',
  };
  if (listing) fields.listing = packStoredListing(listing);
  return fields;
}
