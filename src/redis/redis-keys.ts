// Every Redis key and channel the gate uses, named in one place. Keys that a
// multi-key operation (a Lua script, a transaction) touches together share a hash
// tag (`{...}`), so that a Redis Cluster puts them in one slot.
import type { FingerprintKind } from '../fingerprint/fingerprint-kind.js';
import type { ListKind } from '../pack/policy-pack.js';
import type { ReviewTier } from '../review/review-tier.js';
import { verdictShardOf } from './verdict-shard.js';

export interface RedisKeys {
  readonly prefix: string;
  /** Set of blocklisted values of one kind. */
  list(kind: ListKind): string;
  /** Channel announcing list changes, so instances drop cached answers. */
  readonly listChanges: string;
  /** A review stream, one per tier; never trimmed by length (that would delete pending items). */
  reviewStream(tier: ReviewTier): string;
  /** listingId + content hash -> reviewId, so the same content never queues twice. */
  reviewDedupe(listingId: string, contentHash: string): string;
  /** listingId + content hash -> a reviewer's decision, so decided content is not reviewed again. */
  reviewDecided(listingId: string, contentHash: string): string;
  /** reviewDecided's keys before the listingId. */
  readonly reviewDecidedPrefix: string;
  /** A listing's review items, open (score 0: deciding one closes the others) and closed (1, aliases too, what an erasure finds); with the listingId appended. */
  readonly reviewOpenPrefix: string;
  /** A listing's decision version, up by one with every decision and undo; with the listingId appended. */
  readonly listingVersionPrefix: string;
  /** Listings a person decided, by when (ms): what the check path's table mirrors. Trimmed to the retention window. */
  readonly decidedListings: string;
  readonly decidedChanges: string;
  /** Prefix of the per-item hashes (the reviewId follows). */
  readonly reviewItemPrefix: string;
  reviewItem(reviewId: string): string;
  /** Pending review items sharing a text band bucket or an image hash (cluster review). */
  reviewCluster(key: string): string;
  /** Decisions and undos, in order; the effects worker reads it through a consumer group. */
  readonly reviewDecisions: string;
  /** Items delivered too many times without a decision; capped (XADD MAXLEN ~ GATE_REVIEW_DEAD_MAXLEN). */
  readonly reviewDeadLetters: string;
  /** A listing's verdict record: block, review, a person's decision, with its evidence (contract section 5). */
  listingVerdict(listingId: string): string;
  /** Where earlier versions kept a listing's verdict record: read when the listing has none in its shard, until those records expire. */
  legacyListingVerdict(listingId: string): string;
  /** Prefix of the period buckets of the gate's compact allow records in the listing's shard (src/review/allow-record.ts). */
  allowRecords(listingId: string): string;
  /** A seller's recent review outcomes, for the reviewer's page. */
  sellerHistory(sellerId: string): string;
  readonly auditLog: string;
  readonly auditHead: string;
  /** Records ever appended to the audit log: the last record's number. */
  readonly auditCount: string;
  /** Outbound webhook events waiting to be delivered. */
  readonly webhookOutbox: string;
  /** Webhook events that used up their attempts, until an admin redelivers or drops them (same tag as the outbox: one script writes both). */
  readonly webhookDeadLetters: string;
  /** Banked fingerprints of one kind: hash of ref -> phash or text. */
  fingerprints(kind: FingerprintKind): string;
  /** Channel announcing fingerprint bank changes. */
  readonly fingerprintChanges: string;
  /** The pack an admin made live, shared by every instance. */
  readonly livePack: string;
  readonly packChanges: string;
  /** The packs made live (or staged) here, newest first: JSON entries, capped (src/policy/pack-history.ts). */
  readonly packHistory: string;
  /** The staged rollout in force, if any: JSON { version, packHash, percent, at, who }. */
  readonly packRollout: string;
  /** Brands registered by rights holders: `<holder>/<brandId>` -> JSON. */
  readonly registeredBrands: string;
  complaint(complaintId: string): string;
  /** A holder's complaints by filing time. */
  holderComplaints(holder: string): string;
  /** The open complaint of a holder against a listing, so a second click files nothing new. */
  openComplaint(holder: string, listingId: string): string;
  /** A complainer's counts: filed, upheld, rejected, overturned. */
  complainerTrust(holder: string): string;
  appeal(appealId: string): string;
  /** The appeal of one block of a listing (listingId + when it was blocked). */
  listingAppeal(listingId: string, blockedAt: string): string;
  /** Per-day figures: `<brandId>\t<figure>` -> count. */
  figures(day: string): string;
  /** Per-day decision times: `<brandId>\t<seconds>` entries. */
  decisionTimes(day: string): string;
  /** Blocks and overturned blocks per cause (rule, list entry, banked item, indicator). */
  readonly causeBlocks: string;
  readonly causeOverturns: string;
  /** Causes demoted to review-only: cause -> JSON. */
  readonly demotedCauses: string;
  readonly demotionChanges: string;
  /** Key prefix of the seller-ring graph (every ring key shares one hash tag). */
  readonly rings: string;
  readonly ringChanges: string;
  /** Set once a decision's outcomes (complaint, appeal, trust, figures) were counted. */
  outcomeCounted(decisionId: string): string;
  /** Reporters who reported a listing (its open report item's), for de-duplication. */
  listingReporters(listingId: string): string;
  /** The listing's open consumer-report review item. */
  openReport(listingId: string): string;
  /** A reporter's reports in the current window (rate limit). */
  reporterWindow(reporterId: string, window: number): string;
  /** Sellers rights holders shared with the alliance: sellerId -> JSON of contributors. */
  readonly allianceSellers: string;
  readonly allianceChanges: string;
  /** Values an admin removed from a list: no pack seeds them again until an admin adds them (bounded by admins' removals). */
  listRemoved(kind: ListKind): string;
  /** Shadow entries' figures of one UTC hour (`YYYY-MM-DDTHH`): `<kind>\t<id>\t<figure>` -> count; expires after a week. */
  shadowHits(hour: string): string;
  /** Enforced entries' hits and the verdicts they were part of, per UTC hour (enforced-figures.ts). */
  entryHits(hour: string): string;
  /** An enforced entry's latest listing ids. */
  entrySamples(entryKey: string): string;
  /** Entries with samples, enforced and shadow (hourly-entry-figures.ts). */
  entriesSampled: string;
  shadowSampled: string;
  /** A shadow entry's latest listing ids (a capped list); expires a week after its last hit. */
  shadowSamples(entryKey: string): string;
  /** The latest checked listings, kept for backtests: a stream capped at GATE_BACKTEST_SAMPLE entries (src/backtest/backtest-sample.ts). */
  readonly backtestSample: string;
}

export function redisKeys(prefix = 'gate:'): RedisKeys {
  return {
    prefix,
    list: (kind) => `${prefix}{lists}:${kind}`,
    listChanges: `${prefix}lists:changes`,
    reviewStream: (tier) => `${prefix}{review}:stream:${tier}`,
    reviewDedupe: (listingId, contentHash) => `${prefix}{review}:dedupe:${listingId}:${contentHash}`,
    reviewDecided: (listingId, contentHash) => `${prefix}{review}:decided:${listingId}:${contentHash}`,
    reviewDecidedPrefix: `${prefix}{review}:decided:`,
    reviewItemPrefix: `${prefix}{review}:item:`,
    reviewOpenPrefix: `${prefix}{review}:open:`,
    listingVersionPrefix: `${prefix}{review}:version:`,
    decidedListings: `${prefix}{review}:decided-listings`,
    decidedChanges: `${prefix}review:decided:changes`,
    reviewItem: (reviewId) => `${prefix}{review}:item:${reviewId}`,
    reviewCluster: (key) => `${prefix}{review}:near:${key}`,
    reviewDecisions: `${prefix}{review}:decisions`,
    reviewDeadLetters: `${prefix}{review}:dead`,
    listingVerdict: (listingId) => `${prefix}{verdicts:${verdictShardOf(listingId).shard}}:v:${listingId}`,
    legacyListingVerdict: (listingId) => `${prefix}{listing:${listingId}}:verdict`,
    allowRecords: (listingId) => `${prefix}{verdicts:${verdictShardOf(listingId).shard}}:a:`,
    sellerHistory: (sellerId) => `${prefix}{seller:${sellerId}}:history`,
    auditLog: `${prefix}{audit}:log`,
    auditHead: `${prefix}{audit}:head`,
    auditCount: `${prefix}{audit}:count`,
    webhookOutbox: `${prefix}{webhook}:outbox`,
    webhookDeadLetters: `${prefix}{webhook}:dead`,
    fingerprints: (kind) => `${prefix}{fp}:${kind}`,
    fingerprintChanges: `${prefix}fp:changes`,
    livePack: `${prefix}{pack}:live`,
    packChanges: `${prefix}pack:changes`,
    packHistory: `${prefix}{pack}:history`,
    packRollout: `${prefix}{pack}:rollout`,
    registeredBrands: `${prefix}{registry}:brands`,
    complaint: (id) => `${prefix}{complaints}:item:${id}`,
    holderComplaints: (holder) => `${prefix}{complaints}:holder:${holder}`,
    openComplaint: (holder, listingId) => `${prefix}{complaints}:open:${holder}:${listingId}`,
    complainerTrust: (holder) => `${prefix}{complaints}:trust:${holder}`,
    appeal: (id) => `${prefix}{appeals}:item:${id}`,
    listingAppeal: (listingId, blockedAt) => `${prefix}{appeals}:listing:${listingId}:${blockedAt}`,
    figures: (day) => `${prefix}{figures}:${day}`,
    decisionTimes: (day) => `${prefix}{figures}:${day}:ttd`,
    causeBlocks: `${prefix}{causes}:blocks`,
    causeOverturns: `${prefix}{causes}:overturned`,
    demotedCauses: `${prefix}{causes}:demoted`,
    demotionChanges: `${prefix}causes:changes`,
    rings: `${prefix}{rings}:`,
    ringChanges: `${prefix}rings:changes`,
    outcomeCounted: (decisionId) => `${prefix}{outcomes}:${decisionId}`,
    listingReporters: (listingId) => `${prefix}{reports}:reporters:${listingId}`,
    openReport: (listingId) => `${prefix}{reports}:open:${listingId}`,
    reporterWindow: (reporterId, window) => `${prefix}{reports}:rate:${reporterId}:${window}`,
    allianceSellers: `${prefix}{alliance}:sellers`,
    allianceChanges: `${prefix}alliance:changes`,
    listRemoved: (kind) => `${prefix}{lists}:${kind}:removed`,
    shadowHits: (hour) => `${prefix}{shadow}:hits:${hour}`,
    entryHits: (hour) => `${prefix}{entries}:hits:${hour}`,
    entrySamples: (entryKey) => `${prefix}{entries}:samples:${entryKey}`,
    entriesSampled: `${prefix}{entries}:sampled`,
    shadowSampled: `${prefix}{shadow}:sampled`,
    shadowSamples: (entryKey) => `${prefix}{shadow}:samples:${entryKey}`,
    backtestSample: `${prefix}{backtest}:sample`,
  };
}

/** The keys of the Redis Streams intake (contract section 6), named after the stream the operator gave. */
export interface IntakeKeys {
  /** The stream listings arrive on (GATE_INTAKE_STREAM); the instances read it through one consumer group. */
  readonly stream: string;
  /** Each entry's outcome: fields `entryId`, `listingId`, and `response` or `error`. */
  readonly verdicts: string;
  /** Entries delivered too many times without an outcome, with the error and the entry's listing. */
  readonly deadLetters: string;
}

/**
 * The intake's keys. One script appends to the verdicts (or dead letters) and
 * acknowledges on the stream, so on a Redis Cluster all three must share a slot:
 * the operator names the stream with a hash tag (`gate:{intake}`), which the
 * suffixes keep.
 */
export function intakeKeys(stream: string): IntakeKeys {
  return { stream, verdicts: `${stream}:verdicts`, deadLetters: `${stream}:dead` };
}

/** The intake's consumer group: every instance reads the stream through it. */
export const INTAKE_GROUP = 'gate-intake';

/** The webhook dispatchers' consumer group on the outbox: every instance delivers through it. */
export const WEBHOOK_GROUP = 'dispatchers';

/**
 * The keys of re-check jobs (docs/rechecks.md). They share the webhook outbox's
 * hash tag: the script that emits a batch appends to the job's verdicts stream and
 * to the outbox and moves the job's cursor at once, so on a Redis Cluster they
 * must be in one slot.
 */
export interface RecheckKeys {
  /** Jobs by creation time (ms): what `GET /v1/admin/rechecks` lists and instances look through for work. */
  readonly index: string;
  /** A job's state, source, cursor and counters (hash). */
  job(id: string): string;
  /** The job's verdicts: fields `entryId`, `listingId`, `previous`, `verdict`, `changed`, and `response` or `error`. */
  verdicts(id: string): string;
  /** An uploaded NDJSON source, one entry per line (field `listing`), as the intake's entries. */
  upload(id: string): string;
  /** Who runs the job now: an instance's token, with a TTL it renews. */
  lease(id: string): string;
  /** What the change that started the job changed (JSON, recheck-scope.ts); absent for a job over every listing. */
  scope(id: string): string;
}

export function recheckKeys(prefix = 'gate:'): RecheckKeys {
  const job = (id: string): string => `${prefix}{webhook}:recheck:${id}`;
  return {
    index: `${prefix}{webhook}:rechecks`,
    job,
    verdicts: (id) => `${job(id)}:verdicts`,
    upload: (id) => `${job(id)}:source`,
    lease: (id) => `${job(id)}:lease`,
    scope: (id) => `${job(id)}:scope`,
  };
}
