// What a decision does beyond the queue: the listing's final verdict, the seller's
// history, what the reviewer confirmed added to the lists and banks (live on every
// instance), a webhook event and an audit record; an undo reverts them; a lapse
// settles what a dead item carried (lapse-effects.ts). Decisions
// are read from the decisions stream through a consumer group, so an instance
// that dies between recording a decision and applying it leaves the work pending,
// and another instance's sweep applies it (at least once; every effect is
// idempotent).
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { ListKind } from '../pack/policy-pack.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { ListingVerdict, ListingVerdicts } from './listing-verdicts.js';
import type { WebhookOutbox } from '../webhook/webhook-outbox.js';
import type { EnforcementOutcomes } from '../enforcement/enforcement-outcomes.js';
import type { SellerRings } from '../rings/seller-rings.js';
import type { Reason } from '../gate/reason.js';
import { unpackReasons } from './packed-reasons.js';
import { unpackStoredListing } from './stored-listing.js';
import type { ReviewContext } from './review-queue.js';
import { trimBehindGroups } from '../redis/trim-behind-groups.js';
import { compareStreamIds } from '../redis/stream-ids.js';
import { REVIEW_TIERS } from './review-tier.js';
import { applyLapse } from './lapse-effects.js';
import type { GateLog } from '../observability/gate-logger.js';

/** The consumer group through which instances apply decisions. */
export const EFFECTS_GROUP = 'effects';
const STALE_MS = 5000;
/** Applied decisions are trimmed this often, keeping a day for the reviewers' own figures (GET /v1/review/stats reads the last hour). */
const TRIM_EVERY_MS = 60_000;
const KEEP_APPLIED_MS = 86_400_000;
/**
 * A decided review entry (its listing as sent) is kept this long behind the review
 * group: a day for its decision's effects to read it, and a day, the longest undo
 * window, for an undo to put it back in the queue.
 */
const KEEP_DECIDED_ENTRIES_MS = 2 * 86_400_000;

interface Added {
  lists: Array<{ kind: ListKind; value: string }>;
  images: string[];
  texts: string[];
}

export interface DecisionEffectsParts {
  redis: Redis;
  keys: RedisKeys;
  verdicts: ListingVerdicts;
  lists: BlocklistStore;
  fingerprints: FingerprintBank;
  audit: AuditLog;
  webhooks: WebhookOutbox;
  metrics: GateMetrics;
  consumer: string;
  log: GateLog;
  /** Complaints, appeals, trust and figures a decision settles (absent in tests of the queue alone). */
  outcomes?: EnforcementOutcomes;
  /** Sellers a reviewer confirms are marked in their rings. */
  rings?: SellerRings;
  /** How long decided entries stay in the review streams; default two days. */
  decidedEntriesKeptMs?: number;
}

function asRecord(fields: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] ?? ''] = fields[i + 1] ?? '';
  return out;
}

export class DecisionEffects {
  private sweepTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private trimmedAt = 0;

  constructor(private readonly parts: DecisionEffectsParts) {}

  async start(sweepEveryMs = 1000): Promise<void> {
    try {
      await this.parts.redis.xgroup('CREATE', this.parts.keys.reviewDecisions, EFFECTS_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    this.sweepTimer = setInterval(
      () => void this.process().catch((e: unknown) => this.parts.log.warn(`decision effects: ${(e as Error).message}`)),
      sweepEveryMs,
    );
    this.sweepTimer.unref();
  }

  stop(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  /** Applies every decision not yet applied (serialized: one pass at a time). */
  process(): Promise<void> {
    this.running = this.running.then(() => this.pass()).catch((error: unknown) => this.parts.log.warn(`decision effects: ${(error as Error).message}`));
    return this.running;
  }

  /**
   * Applies pending decisions, then waits (at most `timeoutMs`) until the given
   * entries of the decisions stream have been applied by whichever instance read
   * them: every instance sweeps the stream, and the one that took a decision's
   * entry may not be the one answering the reviewer, who must see the effects
   * (the final verdict, the seller listed or unlisted) once answered. Past the
   * timeout (an instance that read the entry died), the sweep's claim of stale
   * entries applies it later.
   */
  async settle(entries: readonly string[], timeoutMs = 2000): Promise<void> {
    await this.process();
    const waitingFor = entries.filter((id) => id !== '');
    if (waitingFor.length === 0) return;
    const until = performance.now() + timeoutMs;
    while (!(await this.applied(waitingFor)) && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
  }

  /** Every entry delivered to the effects group and acknowledged. */
  private async applied(entries: readonly string[]): Promise<boolean> {
    const { redis, keys } = this.parts;
    const groups = (await redis.xinfo('GROUPS', keys.reviewDecisions)) as Array<Array<string | number>>;
    const group = groups.find((g) => g[g.indexOf('name') + 1] === EFFECTS_GROUP) ?? [];
    const lastDelivered = String(group[group.indexOf('last-delivered-id') + 1] ?? '0-0');
    if (entries.some((id) => compareStreamIds(id, lastDelivered) > 0)) return false;
    const sorted = [...entries].sort(compareStreamIds);
    const pending = (await redis.xpending(keys.reviewDecisions, EFFECTS_GROUP, sorted[0] ?? '-', sorted[sorted.length - 1] ?? '+', entries.length)) as Array<
      [string, ...unknown[]]
    >;
    const stillPending = new Set(pending.map((row) => row[0]));
    return entries.every((id) => !stillPending.has(id));
  }

  private async pass(): Promise<void> {
    const { redis, keys, consumer } = this.parts;
    const stale = (await redis.xautoclaim(keys.reviewDecisions, EFFECTS_GROUP, consumer, STALE_MS, '0-0', 'COUNT', 100)) as [
      string,
      Array<[string, string[]] | null>,
    ];
    const entries = (stale[1] ?? []).filter((e): e is [string, string[]] => e !== null);
    const fresh = (await redis.xreadgroup('GROUP', EFFECTS_GROUP, consumer, 'COUNT', 500, 'STREAMS', keys.reviewDecisions, '>')) as Array<
      [string, Array<[string, string[]]>]
    > | null;
    for (const [, list] of fresh ?? []) entries.push(...list);
    for (const [id, fields] of entries) {
      const record = asRecord(fields);
      if (record.type === 'undo') await this.applyUndo(record);
      else if (record.type === 'lapse') await applyLapse(this.parts, record);
      else await this.applyDecision(record);
      await redis.xack(keys.reviewDecisions, EFFECTS_GROUP, id);
    }
    if (Date.now() - this.trimmedAt >= TRIM_EVERY_MS) {
      this.trimmedAt = Date.now();
      await trimBehindGroups(redis, keys.reviewDecisions, KEEP_APPLIED_MS);
      for (const tier of REVIEW_TIERS) await trimBehindGroups(redis, keys.reviewStream(tier), this.parts.decidedEntriesKeptMs ?? KEEP_DECIDED_ENTRIES_MS);
    }
  }

  private async entryOf(record: Record<string, string>): Promise<{ listing: CheckRequest | undefined; reasons: Reason[] }> {
    // A decision recorded for a replayed item (record-earlier-decision.lua) has no queue entry of its own.
    if (!record.stream || !record.entryId) return { listing: undefined, reasons: [] };
    const rows = await this.parts.redis.xrange(record.stream, record.entryId, record.entryId);
    const fields = rows[0]?.[1];
    if (!fields) return { listing: undefined, reasons: [] };
    const entry = asRecord(fields);
    return { listing: entry.listing ? unpackStoredListing(record.listingId ?? '', entry.listing) : undefined, reasons: unpackReasons(entry.reasons || '[]') };
  }

  private async applyDecision(record: Record<string, string>): Promise<void> {
    const { verdicts, lists, fingerprints, audit, webhooks, redis, keys, metrics } = this.parts;
    const reviewId = record.reviewId ?? '';
    const decision = record.decision === 'block' ? 'block' : 'allow';
    const who = `reviewer:${record.reviewer ?? ''}`;
    const at = record.at ?? new Date().toISOString();
    const { listing, reasons } = await this.entryOf(record);
    const confirm = JSON.parse(record.confirm || '{}') as { seller?: boolean; identity?: boolean; images?: boolean; text?: boolean };
    const added: Added = { lists: [], images: [], texts: [] };
    if (decision === 'block' && listing) {
      const toList: Array<{ kind: ListKind; value: string }> = [];
      if (confirm.seller) toList.push({ kind: 'sellers', value: listing.sellerId });
      if (confirm.identity && listing.seller) {
        if (listing.seller.phoneHash) toList.push({ kind: 'phones', value: listing.seller.phoneHash });
        if (listing.seller.deviceId) toList.push({ kind: 'devices', value: listing.seller.deviceId });
        if (listing.seller.paymentAccountHash) toList.push({ kind: 'paymentAccounts', value: listing.seller.paymentAccountHash });
      }
      for (const entry of toList) {
        if (!(await lists.has(entry.kind, entry.value))) {
          await lists.add(entry.kind, [entry.value]);
          added.lists.push(entry);
        }
      }
      if (confirm.seller) await this.parts.rings?.confirm([listing.sellerId], true);
      if (confirm.images) {
        const images = (listing.images ?? []).flatMap((image, i) => (image.phash ? [{ ref: `${reviewId}:image:${i}`, value: image.phash }] : []));
        if (images.length > 0) {
          await fingerprints.add('images', images);
          added.images.push(...images.map((i) => i.ref));
        }
      }
      if (confirm.text) {
        const text = listing.description ? `${listing.title}\n${listing.description}` : listing.title;
        await fingerprints.add('texts', [{ ref: `${reviewId}:text`, value: text }]);
        added.texts.push(`${reviewId}:text`);
      }
    }
    await redis.hset(keys.reviewItem(reviewId), 'added', JSON.stringify(added));
    const item = await redis.hgetall(keys.reviewItem(reviewId));
    const context = JSON.parse(item.context || '{}') as ReviewContext;
    const version = record.version ? Number(record.version) : undefined;
    const verdict: ListingVerdict = { listingId: record.listingId ?? '', verdict: decision, decidedBy: who, decidedAt: at, reviewId, reasons };
    if (context.complaint) verdict.complaintId = context.complaint.complaintId;
    if (record.contentHash) verdict.contentHash = record.contentHash;
    if (version !== undefined) verdict.version = version;
    // A decision older than the listing's stored one (an effect applied late) changes nothing the marketplace sees.
    // The listing the person judged is kept with the decision (the gate kept none of an allowed one).
    const current = await verdicts.record(verdict, listing);
    await this.parts.outcomes?.decided({
      decisionId: record.decisionId ?? reviewId,
      reviewId,
      listingId: record.listingId ?? '',
      decision,
      who,
      at,
      createdAt: item.createdAt ?? at,
      context,
    });
    // Items of the same listing this decision closed follow it: their complaint, appeal or report is settled with it.
    for (const other of (record.superseded ?? '').split(',').filter((id) => id !== '')) {
      const closed = await redis.hgetall(keys.reviewItem(other));
      const otherContext = JSON.parse(closed.context || '{}') as ReviewContext;
      // An overturned appeal against a takedown settled the complaint itself (overturned); an upheld one upholds it here.
      if (decision === 'allow' && otherContext.complaint && otherContext.complaint.complaintId === context.appeal?.complaintId) continue;
      await this.parts.outcomes?.decided({
        decisionId: `${record.decisionId ?? reviewId}:${other}`,
        reviewId: other,
        listingId: record.listingId ?? '',
        decision,
        who,
        at,
        createdAt: closed.createdAt ?? at,
        context: otherContext,
      });
    }
    if (listing) {
      await redis
        .multi()
        .lpush(keys.sellerHistory(listing.sellerId), JSON.stringify({ listingId: listing.listingId, title: listing.title, decision, reviewId, at }))
        .ltrim(keys.sellerHistory(listing.sellerId), 0, 99)
        .exec();
    }
    if (current) {
      await webhooks.enqueue({
        eventId: record.decisionId ?? reviewId,
        type: 'listing.verdict',
        listingId: record.listingId ?? '',
        verdict: decision,
        decidedBy: who,
        decidedAt: at,
        reviewId,
        ...(version !== undefined ? { sequence: version } : {}),
      });
    }
    await audit.record({
      who,
      what: `decision:${decision}`,
      subject: reviewId,
      why: record.note || undefined,
      when: at,
      details: {
        listingId: record.listingId,
        added,
        ...(record.superseded ? { closed: record.superseded.split(',') } : {}),
        ...(current ? {} : { stale: true }),
      },
    });
    metrics.reviewDecisions.inc({ decision, source: item.source ?? 'gate' });
  }

  private async applyUndo(record: Record<string, string>): Promise<void> {
    const { verdicts, lists, fingerprints, audit, webhooks, redis, keys } = this.parts;
    const reviewId = record.reviewId ?? '';
    const added = JSON.parse((await redis.hget(keys.reviewItem(reviewId), 'added')) || '{"lists":[],"images":[],"texts":[]}') as Added;
    for (const entry of added.lists) await lists.remove(entry.kind, [entry.value]);
    const unconfirmed = added.lists.filter((e) => e.kind === 'sellers').map((e) => e.value);
    if (unconfirmed.length > 0) await this.parts.rings?.confirm(unconfirmed, false);
    await this.parts.outcomes?.undone(record.decisionId ?? '');
    if (added.images.length > 0) await fingerprints.remove('images', added.images);
    if (added.texts.length > 0) await fingerprints.remove('texts', added.texts);
    await redis.hdel(keys.reviewItem(reviewId), 'added');
    const sellerId = await redis.hget(keys.reviewItem(reviewId), 'sellerId');
    if (sellerId) {
      // The seller's history keeps the decision, marked undone by this entry.
      await redis
        .multi()
        .lpush(
          keys.sellerHistory(sellerId),
          JSON.stringify({ listingId: record.listingId ?? '', undone: record.decision, reviewId, at: record.at ?? new Date().toISOString() }),
        )
        .ltrim(keys.sellerHistory(sellerId), 0, 99)
        .exec();
    }
    const at = record.at ?? new Date().toISOString();
    const version = record.version ? Number(record.version) : undefined;
    const current = await verdicts.record({
      listingId: record.listingId ?? '',
      verdict: 'review',
      decidedBy: 'gate',
      decidedAt: at,
      reviewId,
      ...(version !== undefined ? { version } : {}),
    });
    if (current) {
      await webhooks.enqueue({
        eventId: `${record.decisionId ?? reviewId}:undo`,
        type: 'listing.verdict',
        listingId: record.listingId ?? '',
        verdict: 'review',
        decidedBy: 'gate',
        decidedAt: at,
        reviewId,
        ...(version !== undefined ? { sequence: version } : {}),
      });
    }
    await audit.record({
      who: `reviewer:${record.reviewer ?? ''}`,
      what: 'undo',
      subject: reviewId,
      when: at,
      details: { undid: record.decision, reverted: added },
    });
  }
}
