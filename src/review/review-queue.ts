// The review queue on Redis Streams (one stream per tier, one consumer group).
// A claim is a stream delivery to the reviewer (its consumer); the lease is the
// delivery's idle time: an item not decided within the lease is reclaimed by the
// next reviewer who asks (XAUTOCLAIM), and an item delivered too many times goes
// to the dead-letter stream (capped by length: nothing there is pending). The
// review streams are never trimmed by length: that would delete pending items.
// A decision is checked and recorded atomically (Lua): only the reviewer holding
// the item, within the lease, can decide it.
import { randomUUID } from 'node:crypto';
import { newReviewId } from './review-id.js';
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { Reason } from '../gate/reason.js';
import { packReasons, unpackReasons } from './packed-reasons.js';
import { packCheckId } from './allow-record.js';
import { packStoredListing, unpackStoredListing } from './stored-listing.js';
import { REVIEW_TIERS, isReviewTier, type ReviewTier } from './review-tier.js';
import { ReviewClusters, clusterIndexOf, packClusterKeys } from './review-cluster.js';
import type { ReviewContext, ReviewItemInput, SpooledItem } from './review-item-input.js';
import type { CheckRequest } from '../gate/check-request.js';

export const REVIEW_GROUP = 'reviewers';

export interface ReviewQueueOptions {
  /** How long a claim lasts without a decision. Default 10 minutes. */
  leaseMs?: number;
  /** Deliveries after which an undecided item goes to the dead letters. Default 5. */
  maxDeliveries?: number;
  /** Most dead letters kept: the lapse job lapses the oldest items past it (dead-item-lapse.ts). Default 100,000. */
  deadMaxLen?: number;
  /** How long a decision can be undone. Default 5 minutes. */
  undoWindowMs?: number;
  /** How long a listing's decided content and decision version are kept, in seconds. Default 180 days. */
  retentionSeconds?: number;
}

export type { ReviewContext, ReviewItemInput, SpooledItem } from './review-item-input.js';

export type EnqueueResult = { kind: 'queued'; reviewId: string; created: boolean } | { kind: 'decided'; decision: 'allow' | 'block' };

export interface ClaimedItem {
  reviewId: string;
  listingId: string;
  sellerId: string;
  tier: ReviewTier;
  priority: number;
  score: number;
  source: string;
  policyVersion: string;
  reasons: Reason[];
  listing: unknown;
  createdAt: string;
  deliveries: number;
  leaseExpiresAt: string;
  /** Other pending items that are near-duplicates of this one (cluster review). */
  cluster: string[];
  context: ReviewContext;
}

export interface DecisionInput {
  reviewId: string;
  reviewer: string;
  decision: 'allow' | 'block';
  note?: string;
  /** What a block also adds to the lists and banks. */
  confirm?: { seller?: boolean; identity?: boolean; images?: boolean; text?: boolean };
  /** An admin may decide any pending item. */
  asAdmin?: boolean;
  /** Decide the item's cluster (near-duplicates not held by another reviewer) the same way. */
  applyToCluster?: boolean;
}

export interface DecisionResult {
  decisionId: string;
  /** The entries appended to the decisions stream (the cluster's too): their effects follow (DecisionEffects.settle). */
  entries: string[];
  /** With applyToCluster: the cluster members decided with it, and those left (held by another reviewer). */
  cluster: { decided: string[]; skipped: string[] };
}

export class ReviewError extends Error {
  constructor(
    readonly code:
      | 'not_found'
      | 'already_decided'
      | 'superseded'
      | 'not_claimed'
      | 'claimed_by_another'
      | 'lease_expired'
      | 'not_decided'
      | 'not_yours'
      | 'window_closed'
      | 'lapsed'
      | string,
  ) {
    super(`review: ${code.replace(/_/g, ' ')}`);
    this.name = 'ReviewError';
  }
}

type ScriptReply = [string, string, string?];
type Script = (...args: Array<string | Buffer>) => Promise<ScriptReply>;

/** What a claim reads from the item hash (entries of earlier versions also carry them). */
const ITEM_FIELDS = ['listingId', 'sellerId', 'priority', 'score', 'source', 'policyVersion', 'createdAt', 'context'] as const;

/** A stream entry's listing (stored-listing.ts; entries of earlier versions keep the object). */
function listingOfEntry(listingId: string, text: string): CheckRequest | null {
  return text === '' ? null : unpackStoredListing(listingId, text);
}

function fieldPairs(fields: string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < fields.length; i += 2) pairs.push([fields[i] ?? '', fields[i + 1] ?? '']);
  return pairs;
}

function field(fields: string[], name: string): string {
  const at = fields.indexOf(name);
  return at >= 0 && at % 2 === 0 ? (fields[at + 1] ?? '') : '';
}

/** enqueue-review.lua's key count, keys and arguments for an item (a check thread builds them in its rehearsal too). */
export function enqueueArguments(keys: RedisKeys, item: ReviewItemInput, retentionSeconds: number): Array<string | Buffer> {
  const reviewId = item.reviewId ?? newReviewId();
  const cluster = clusterIndexOf(item.listing);
  return [
    String(5 + cluster.keys.length),
    keys.reviewDedupe(item.listingId, item.contentHash),
    keys.reviewStream(item.tier),
    keys.reviewItemPrefix,
    keys.reviewDecided(item.listingId, item.contentHash),
    keys.reviewOpenPrefix + item.listingId,
    ...cluster.keys.map((key) => keys.reviewCluster(key)),
    reviewId,
    item.tier,
    packClusterKeys(cluster.keys),
    cluster.text,
    cluster.phashes.length > 0 ? JSON.stringify(cluster.phashes) : '',
    String(retentionSeconds),
    'listingId',
    item.listingId,
    'sellerId',
    item.sellerId,
    'contentHash',
    item.contentHash,
    'policyVersion',
    item.policyVersion,
    'checkId',
    packCheckId(item.checkId),
    'score',
    String(item.score),
    'priority',
    String(item.priority),
    'source',
    item.source ?? 'gate',
    'reasons',
    packReasons(item.reasons),
    'listing',
    packStoredListing(item.listing),
    'createdAt',
    new Date().toISOString(),
    // No context is no field: most items have none, and readers take it as {}.
    ...(item.context && Object.keys(item.context).length > 0 ? ['context', JSON.stringify(item.context)] : []),
  ];
}

export class ReviewQueue {
  readonly leaseMs: number;
  readonly maxDeliveries: number;
  readonly deadMaxLen: number;
  readonly undoWindowMs: number;
  readonly retentionSeconds: number;
  private readonly scripts: Record<'enqueue' | 'decide' | 'undo' | 'escalate' | 'earlierDecision', Script>;
  private readonly clusters: ReviewClusters;
  private readonly bury: (...args: string[]) => Promise<string | number>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: ReviewQueueOptions = {},
  ) {
    this.leaseMs = options.leaseMs ?? 10 * 60_000;
    this.maxDeliveries = options.maxDeliveries ?? 5;
    this.deadMaxLen = options.deadMaxLen ?? 100_000;
    this.undoWindowMs = options.undoWindowMs ?? 5 * 60_000;
    this.retentionSeconds = options.retentionSeconds ?? 180 * 86_400;
    this.clusters = new ReviewClusters(redis, keys);
    this.bury = luaCommand(redis, 'bury-review-item', 3);
    this.scripts = {
      // The number of keys varies (five, then one per cluster key), so it is passed on each call.
      enqueue: luaCommand<Script>(redis, 'enqueue-review', undefined, ['open-items']),
      decide: luaCommand<Script>(redis, 'decide-review', 3, ['review-cluster-index', 'review-item-keys', 'open-items']),
      undo: luaCommand<Script>(redis, 'undo-decision', 2, ['review-cluster-index', 'review-item-keys', 'open-items']),
      escalate: luaCommand<Script>(redis, 'escalate-review', 2, ['review-item-keys']),
      earlierDecision: luaCommand<Script>(redis, 'record-earlier-decision', 3, ['open-items']),
    };
  }

  /** Creates the consumer groups (idempotent). */
  async ensureGroups(): Promise<void> {
    for (const tier of REVIEW_TIERS) {
      try {
        await this.redis.xgroup('CREATE', this.keys.reviewStream(tier), REVIEW_GROUP, '0', 'MKSTREAM');
      } catch (error) {
        if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
      }
    }
  }

  /**
   * Loads the enqueue script into Redis's script cache (a call that writes
   * nothing), so that the first review item does not wait for its EVALSHA to be
   * refused and the script to be sent and compiled.
   */
  async loadScripts(): Promise<void> {
    await this.scripts.enqueue('0');
  }

  async enqueue(item: ReviewItemInput): Promise<EnqueueResult> {
    const [id, created, decided] = await this.scripts.enqueue(...enqueueArguments(this.keys, item, this.retentionSeconds));
    if (decided === 'allow' || decided === 'block') return { kind: 'decided', decision: decided };
    return { kind: 'queued', reviewId: id, created: Number(created) === 1 };
  }

  /**
   * Puts back an item the gate spooled while Redis was away. Its id was already
   * given to the caller, so when the same content was decided meanwhile the item
   * is recorded as decided by that decision (and the decision applied to this
   * listing) rather than dropped.
   */
  async replaySpooled(item: SpooledItem): Promise<EnqueueResult> {
    const result = await this.enqueue(item);
    if (result.kind !== 'decided') return result;
    const now = new Date();
    await this.scripts.earlierDecision(
      this.keys.reviewItem(item.reviewId),
      this.keys.reviewDecisions,
      this.keys.reviewOpenPrefix + item.listingId,
      item.reviewId,
      item.listingId,
      result.decision,
      `dc_${randomUUID()}`,
      now.toISOString(),
      String(now.getTime()),
      item.tier,
      item.source ?? 'gate',
      JSON.stringify(item.context ?? {}),
      String(this.retentionSeconds),
    );
    return result;
  }

  /**
   * Changes a pending item's priority and context, and moves it to `tier` when it
   * is in a less urgent one and no reviewer holds it. Returns what happened.
   */
  async escalate(reviewId: string, priority: number, context: ReviewContext, tier?: ReviewTier): Promise<'decided' | 'updated' | 'moved'> {
    const target = tier ?? 'qa';
    const [outcome] = await this.scripts.escalate(
      this.keys.reviewItem(reviewId),
      this.keys.reviewStream(target),
      REVIEW_GROUP,
      String(priority),
      JSON.stringify(context),
      tier ? '1' : '0',
      target,
    );
    return outcome === 'moved' ? 'moved' : outcome === 'decided' ? 'decided' : 'updated';
  }

  /** Claims up to `count` items for `reviewer`: expired claims first, then new items, most urgent tier first. */
  async claim(reviewer: string, count: number): Promise<ClaimedItem[]> {
    const claimed: ClaimedItem[] = [];
    for (const tier of REVIEW_TIERS) {
      const stream = this.keys.reviewStream(tier);
      // Expired claims first, then new entries; entries decided meanwhile (a cluster
      // decision, an undo's replaced entry) are skipped, so keep reading.
      let cursor = '0-0';
      while (claimed.length < count) {
        const [next, found] = (await this.redis.xautoclaim(stream, REVIEW_GROUP, reviewer, this.leaseMs, cursor, 'COUNT', count - claimed.length)) as [
          string,
          Array<[string, string[]] | null>,
        ];
        const entries = found.filter((e): e is [string, string[]] => e !== null);
        for (const [entryId, fields] of entries) {
          const item = await this.toClaimed(tier, stream, entryId, fields, reviewer);
          if (item) claimed.push(item);
        }
        cursor = next;
        if (cursor === '0-0' || entries.length === 0) break;
      }
      while (claimed.length < count) {
        const fresh = (await this.redis.xreadgroup('GROUP', REVIEW_GROUP, reviewer, 'COUNT', count - claimed.length, 'STREAMS', stream, '>')) as Array<
          [string, Array<[string, string[]]>]
        > | null;
        const entries = (fresh ?? []).flatMap(([, list]) => list);
        if (entries.length === 0) break;
        for (const [entryId, fields] of entries) {
          const item = await this.toClaimed(tier, stream, entryId, fields, reviewer);
          if (item) claimed.push(item);
        }
      }
      if (claimed.length >= count) break;
    }
    return claimed;
  }

  private async toClaimed(tier: ReviewTier, stream: string, entryId: string, fields: string[], reviewer: string): Promise<ClaimedItem | undefined> {
    const reviewId = field(fields, 'reviewId');
    const itemKey = this.keys.reviewItem(reviewId);
    // The item hash has the latest priority and context (more reports) and, since entries keep only the listing and reasons, the rest.
    const stored = await this.redis.hmget(itemKey, 'status', 'entryId', ...ITEM_FIELDS);
    const [status, storedEntryId] = stored;
    const item: Record<string, string> = {};
    ITEM_FIELDS.forEach((name, i) => (item[name] = stored[i + 2] ?? field(fields, name)));
    const pending = (await this.redis.xpending(stream, REVIEW_GROUP, entryId, entryId, 1)) as Array<[string, string, number, number]>;
    const deliveries = pending[0]?.[3] ?? 1;
    if (status !== 'pending' || storedEntryId !== entryId) {
      await this.redis.xack(stream, REVIEW_GROUP, entryId); // decided meanwhile, or replaced by an undo's new entry
      return undefined;
    }
    if (deliveries > this.maxDeliveries) {
      const entry = Object.fromEntries(fieldPairs(fields));
      // The dead letter shows reasons and the listing as the API names them, not packed as the stream keeps them.
      const dead = {
        ...item,
        ...entry,
        reasons: JSON.stringify(unpackReasons(entry.reasons || '[]')),
        listing: JSON.stringify(listingOfEntry(item.listingId ?? '', entry.listing ?? '')),
      };
      await this.bury(
        this.keys.reviewDeadLetters,
        itemKey,
        stream,
        REVIEW_GROUP,
        entryId,
        String(this.deadMaxLen),
        ...Object.entries(dead).flat(),
        'deadAt',
        new Date().toISOString(),
        'deliveries',
        String(deliveries),
        'lastReviewer',
        reviewer,
      );
      return undefined;
    }
    return {
      reviewId,
      listingId: item.listingId ?? '',
      sellerId: item.sellerId ?? '',
      tier,
      priority: Number(item.priority),
      score: Number(item.score),
      source: item.source || 'gate',
      policyVersion: item.policyVersion ?? '',
      reasons: unpackReasons(field(fields, 'reasons') || '[]'),
      listing: listingOfEntry(item.listingId ?? '', field(fields, 'listing')),
      createdAt: item.createdAt ?? '',
      deliveries,
      leaseExpiresAt: new Date(Date.now() + this.leaseMs).toISOString(),
      cluster: await this.clusters.members(reviewId),
      context: JSON.parse(item.context || '{}') as ReviewContext,
    };
  }

  /**
   * The id an item is kept under: a spooled item replayed after the same content
   * was queued became an alias of that item, and its caller was told the alias.
   */
  async resolve(reviewId: string): Promise<string> {
    return (await this.redis.hget(this.keys.reviewItem(reviewId), 'aliasOf')) ?? reviewId;
  }

  private async claimOf(reviewId: string): Promise<{ stream: string; entryId: string; owner: string | undefined }> {
    const [storedStream, tier, entryId, status] = await this.redis.hmget(
      this.keys.reviewItem(await this.resolve(reviewId)),
      'stream',
      'tier',
      'entryId',
      'status',
    );
    // Items of earlier versions name their stream; newer ones only their tier.
    const stream = storedStream ?? (isReviewTier(tier) ? this.keys.reviewStream(tier) : undefined);
    if (!stream || !entryId) throw new ReviewError('not_found');
    if (status === 'lapsed') throw new ReviewError('lapsed');
    if (status !== 'pending') throw new ReviewError('already_decided');
    const pending = (await this.redis.xpending(stream, REVIEW_GROUP, entryId, entryId, 1)) as Array<[string, string, number, number]>;
    return { stream, entryId, owner: pending[0]?.[1] };
  }

  /** Extends the reviewer's lease on an item by a full lease from now. */
  async hold(reviewId: string, reviewer: string): Promise<string> {
    const { stream, entryId, owner } = await this.claimOf(reviewId);
    if (owner !== reviewer) throw new ReviewError(owner === undefined ? 'not_claimed' : 'claimed_by_another');
    await this.redis.xclaim(stream, REVIEW_GROUP, reviewer, 0, entryId, 'JUSTID');
    return new Date(Date.now() + this.leaseMs).toISOString();
  }

  /** Gives an item back: the next reviewer who asks gets it (a skip). */
  async release(reviewId: string, reviewer: string): Promise<void> {
    const { stream, entryId, owner } = await this.claimOf(reviewId);
    if (owner !== reviewer) throw new ReviewError(owner === undefined ? 'not_claimed' : 'claimed_by_another');
    // Marked idle for a whole lease, so that the next XAUTOCLAIM takes it.
    await this.redis.xclaim(stream, REVIEW_GROUP, reviewer, 0, entryId, 'IDLE', this.leaseMs + 1, 'JUSTID');
  }

  async decide(input: DecisionInput): Promise<DecisionResult> {
    const { decisionId, entry } = await this.decideOne(input, input.asAdmin ? '1' : '0', input.note ?? '');
    const entries = [entry];
    const cluster = { decided: [] as string[], skipped: [] as string[] };
    if (input.applyToCluster) {
      for (const member of await this.clusters.members(input.reviewId)) {
        try {
          entries.push(
            (await this.decideOne({ ...input, reviewId: member }, input.asAdmin ? '1' : '2', `${input.note ?? ''} (cluster of ${input.reviewId})`.trim()))
              .entry,
          );
          cluster.decided.push(member);
        } catch (error) {
          if (!(error instanceof ReviewError)) throw error;
          cluster.skipped.push(member);
        }
      }
    }
    return { decisionId, entries, cluster };
  }

  private async decideOne(input: DecisionInput, ownership: '0' | '1' | '2', note: string): Promise<{ decisionId: string; entry: string }> {
    const decisionId = `dc_${randomUUID()}`;
    const [status, value, entry] = await this.scripts.decide(
      this.keys.reviewItem(await this.resolve(input.reviewId)),
      this.keys.reviewDecisions,
      this.keys.decidedListings,
      REVIEW_GROUP,
      input.reviewer,
      String(this.leaseMs),
      input.decision,
      decisionId,
      note,
      JSON.stringify(input.confirm ?? {}),
      new Date().toISOString(),
      ownership,
      String(Date.now()),
      this.keys.reviewOpenPrefix,
      this.keys.listingVersionPrefix,
      this.keys.reviewItemPrefix,
      String(this.retentionSeconds),
      this.keys.decidedChanges,
      this.keys.reviewDecidedPrefix,
      this.keys.reviewCluster(''),
    );
    if (status !== 'ok') throw new ReviewError(value);
    return { decisionId: value, entry: entry ?? '' };
  }

  /** Reverts a decision; resolves to the undo's entry in the decisions stream (see DecisionEffects.settle). */
  async undo(reviewId: string, reviewer: string, asAdmin = false): Promise<string> {
    const [status, value, entry] = await this.scripts.undo(
      this.keys.reviewItem(await this.resolve(reviewId)),
      this.keys.reviewDecisions,
      reviewer,
      String(Date.now()),
      String(this.undoWindowMs),
      new Date().toISOString(),
      asAdmin ? '1' : '0',
      this.keys.reviewOpenPrefix,
      this.keys.listingVersionPrefix,
      String(this.retentionSeconds),
      this.keys.reviewDecidedPrefix,
      this.keys.reviewCluster(''),
    );
    if (status !== 'ok') throw new ReviewError(value);
    return entry ?? '';
  }

  /** Items waiting per tier (not yet delivered) and claimed (delivered, undecided). */
  async depth(): Promise<Record<ReviewTier, { waiting: number; claimed: number }>> {
    const out = {} as Record<ReviewTier, { waiting: number; claimed: number }>;
    for (const tier of REVIEW_TIERS) {
      const groups = (await this.redis.xinfo('GROUPS', this.keys.reviewStream(tier))) as Array<Array<string | number>>;
      const group = groups.find((g) => g[g.indexOf('name') + 1] === REVIEW_GROUP) ?? [];
      const claimed = Number(group[group.indexOf('pending') + 1] ?? 0);
      const lag = group.indexOf('lag') >= 0 ? Number(group[group.indexOf('lag') + 1] ?? 0) : 0;
      out[tier] = { waiting: lag, claimed };
    }
    return out;
  }

  async deadLetters(count = 100): Promise<Array<{ id: string; fields: Record<string, string> }>> {
    const rows = await this.redis.xrange(this.keys.reviewDeadLetters, '-', '+', 'COUNT', count);
    return rows.map(([id, fields]) => {
      const record: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] ?? ''] = fields[i + 1] ?? '';
      return { id, fields: record };
    });
  }
}
