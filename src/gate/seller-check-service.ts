// Runs the shop-opening check under the same deadline and degraded rules as a
// listing check: what cannot be computed in time makes the verdict at least
// `review` with reason `degraded`, never a silent `allow`.
import { randomUUID } from 'node:crypto';
import { newReviewId } from '../review/review-id.js';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import { GateError } from '../errors/gate-error.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { MatchPool } from '../matcher/match-pool.js';
import type { ListingMatch } from '../matcher/match-task.js';
import { FIELD_BITS, PatternKind } from '../matcher/pattern-plan.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { LivePack } from '../pack/live-pack.js';
import type { ReviewQueue } from '../review/review-queue.js';
import type { ReviewSpool } from '../review/review-spool.js';
import type { RingStatus, SellerRings } from '../rings/seller-rings.js';
import { listProbes, ringAttributes } from './list-probes.js';
import { queueOrSpool } from '../review/queue-or-spool.js';
import { contentHash } from './content-hash.js';
import type { ListHit } from './list-hit.js';
import type { Reason, Verdict } from './reason.js';
import { scoreListing } from './score-listing.js';
import { queueBudgetMs, signalBudgetMs } from './deadline-budget.js';
import { deadlineIn, settleBefore } from './settle-before.js';
import { shopAsListing, type SellerCheckRequest, type SellerCheckResponse, type SellerReason } from './seller-check.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface SellerCheckParts {
  livePack: LivePack;
  pool: MatchPool;
  lists: BlocklistStore;
  fingerprints: FingerprintBank;
  rings: SellerRings;
  reviews: ReviewQueue;
  spool: ReviewSpool;
  causes: CauseLedger;
  metrics: GateMetrics;
  log: GateLog;
}

export class SellerCheckService {
  constructor(private readonly parts: SellerCheckParts) {}

  async check(request: SellerCheckRequest, startedAt: number, deadlineMs: number): Promise<SellerCheckResponse> {
    const compiled = this.parts.livePack.forSeller(request.sellerId);
    if (!compiled) throw new GateError('GATE_ERR_NOT_READY', 'no policy pack is live yet');
    const { pack } = compiled;
    const checkId = `sk_${randomUUID()}`;
    const listing = shopAsListing(request);
    const deadline = deadlineIn(signalBudgetMs(deadlineMs, performance.now() - startedAt));
    const [text, lists, ring] = await Promise.all([
      settleBefore<ListingMatch>(
        this.parts.pool.match(compiled, this.parts.fingerprints.current, {
          fields: [{ name: 'businessName', bit: FIELD_BITS.title, text: request.businessName }],
          fingerprint: { phashes: [] },
        }),
        deadline.promise,
      ),
      settleBefore<ListHit[]>(this.parts.lists.check(listProbes(listing)), deadline.promise),
      settleBefore<RingStatus>(this.parts.rings.linkThenStatus(request.sellerId, ringAttributes(listing), '', request.region ?? ''), deadline.promise),
    ]);
    deadline.cancel();

    const degraded: Reason[] = [];
    for (const [signal, outcome] of [
      ['text', text],
      ['lists', lists],
      ['ring', ring],
    ] as const) {
      if (outcome.ok) continue;
      degraded.push({ code: 'degraded', ref: `${signal}:${outcome.why === 'deadline' ? 'deadline' : 'unavailable'}` });
      this.parts.metrics.degradedBy(signal).inc();
    }
    const extraSignals: Array<{ reason: Reason; score: number }> = [];
    if (ring.ok && ring.value.confirmedOthers > 0)
      extraSignals.push({ reason: { code: 'ring', ref: ring.value.ringLabel, field: 'sellerId' }, score: pack.ring?.score ?? pack.thresholds.review });
    const scored = scoreListing(pack, {
      sellerId: request.sellerId,
      textHits: text.ok ? text.value.text.filter((h) => h.kind !== PatternKind.Brand) : [],
      listHits: lists.ok ? lists.value : [],
      extraSignals,
      demoted: this.parts.causes.demoted,
    });
    const reasons: SellerReason[] = [...scored.reasons];
    let score = scored.score;
    // A business name naming a brand the seller is not authorised for: once per brand, enough for review.
    const named = new Set<string>();
    for (const hit of text.ok ? text.value.text : []) {
      if (hit.kind !== PatternKind.Brand) continue;
      const brand = pack.brands[hit.ref];
      if (!brand || brand.mode === 'shadow' || named.has(brand.id) || brand.authorizedSellers.includes(request.sellerId)) continue;
      named.add(brand.id);
      reasons.push({ code: 'business_name_brand', ref: brand.id, field: 'businessName', start: hit.start, end: hit.end });
    }
    if (named.size > 0) score += pack.thresholds.review;
    let verdict: Verdict = scored.verdict === 'block' ? 'block' : score >= pack.thresholds.review ? 'review' : 'allow';
    reasons.push(...degraded);
    if (degraded.length > 0 && verdict === 'allow') verdict = 'review';

    const response: SellerCheckResponse = { checkId, sellerId: request.sellerId, verdict, score, reasons, policyVersion: pack.packVersion, tookMicros: 0 };
    if (verdict === 'review') {
      const item = {
        listingId: listing.listingId,
        sellerId: request.sellerId,
        contentHash: contentHash(listing),
        policyVersion: pack.packVersion,
        checkId,
        score,
        tier: 'normal' as const,
        priority: score,
        // The queue's reasons are listing reasons; the business-name signal travels as a rule-like reason.
        reasons: reasons.map((r): Reason => (r.code === 'business_name_brand' ? { ...r, code: 'rule', ref: `business_name_brand:${r.ref}` } : (r as Reason))),
        listing,
        source: 'shop-opening',
        reviewId: newReviewId(),
      };
      const kept = await queueOrSpool(this.parts.reviews, this.parts.spool, item, queueBudgetMs(deadlineMs, performance.now() - startedAt));
      if (!kept.spooled) {
        if (kept.result.kind === 'decided') response.verdict = kept.result.decision;
        else response.reviewId = kept.result.reviewId;
      } else {
        this.parts.metrics.degradedBy('review-queue').inc();
        response.reasons.push({ code: 'degraded', ref: 'review-queue:spooled' });
        response.reviewId = item.reviewId;
      }
    }
    response.tookMicros = Math.round((performance.now() - startedAt) * 1000);
    return response;
  }
}
