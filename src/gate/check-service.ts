// One listing checked end to end: text signals from the matching pool and list
// lookups run side by side under the caller's deadline; whatever cannot be
// computed in time makes the verdict at least `review` with reason `degraded`,
// never a silent `allow`.
import { randomUUID } from 'node:crypto';
import { reviewItemOf, reviewVerdictItem } from '../review/review-item-of.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import { listingToMatch } from '../matcher/listing-fields.js';
import type { MatchPool } from '../matcher/match-pool.js';
import type { FingerprintBank, FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { ListingMatch } from '../matcher/match-task.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { LivePack } from '../pack/live-pack.js';
import type { EnqueueResult, ReviewQueue } from '../review/review-queue.js';
import type { DecidedListings, PersonVerdict } from '../review/decided-listings.js';
import type { ReviewSpool } from '../review/review-spool.js';
import type { ListingVerdict, ListingVerdicts } from '../review/listing-verdicts.js';
import { GateError } from '../errors/gate-error.js';
import type { ThreadAllow } from '../check-thread/thread-allows.js';
import type { CheckRequest } from './check-request.js';
import type { CheckResponse } from './check-response.js';
import { contentHash } from './content-hash.js';
import type { ListHit } from './list-hit.js';
import { settleBefore, TIMED_OUT, type Outcome } from './settle-before.js';
import { listProbes, ringAttributes } from './list-probes.js';
import { queueOrSpool } from '../review/queue-or-spool.js';
import { isLate, queueBudgetMs, signalBudgetMs } from './deadline-budget.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import { NO_CONFIRMED_RING, type SellerRings, type RingAttribute, type RingStatus } from '../rings/seller-rings.js';
import type { BrandFigures } from '../enforcement/brand-figures.js';
import { causesOf, type CauseLedger } from '../enforcement/cause-ledger.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { ServerTiming } from '../observability/server-timing.js';
import { bankedEntryOwner } from '../rights-holder/banked-entry-ref.js';
import { ALLIANCE_REF, decideListing, type DecisionContext, type DegradedSignal, type ListingSignals, type NamedFingerprintHits } from './decide-listing.js';
import type { AllianceSellers } from '../alliance/alliance-sellers.js';
import type { DegradableSignal, FailMode } from '../config/gate-config.js';
import type { AdmissionLimit } from './admission-limit.js';
import type { ShadowOutcome } from './shadow-outcome.js';
import type { ShadowFigures } from '../policy/shadow-figures.js';
import type { EnforcedFigures } from '../policy/enforced-figures.js';
import type { BacktestSample } from '../backtest/backtest-sample.js';
import type { GateLog } from '../observability/gate-logger.js';

/** Where a check comes from: live traffic (kept in the backtest sample) or a re-check job (not). */
export type CheckSource = 'traffic' | 'recheck';

/** What a check thread found for a listing, and against which pack and bank generation. */
export interface PrecomputedMatch {
  packKey: string;
  banksVersion: number;
  match: ListingMatch;
  /**
   * The id the thread tried to queue the review item under, in vain within its
   * time: the item is queued or spooled under it here, so that the thread's late
   * write and a replay of the spool land on one item.
   */
  reviewId?: string;
  /** The check id that item names: the answer keeps it. */
  checkId?: string;
}

/** A check a check thread answered by itself, for the event loop's bookkeeping. */
export interface ThreadCheckOutcome {
  request: CheckRequest;
  response: CheckResponse;
  brands: string[];
  fingerprintHits: NamedFingerprintHits;
  /** Signals that could not be computed (`text` of `text:budget`). */
  degradedSignals: Array<DegradedSignal['signal']>;
  matchMicros: number;
  /** Answered past the deadline and its grace. */
  late: boolean;
  decidedAt: string;
  /** For an allow: whether the thread drew it for the QA tier (GATE_QA_SHARE); drawn here when absent. */
  qaSampled?: boolean;
  /** What the pack's shadow entries would have done, when one matched. */
  shadow?: ShadowOutcome;
  /** A review verdict's item, queued by the thread: whether it is new (not the same content queued before), and the wait. */
  reviewQueued?: { created: boolean; seconds: number };
}

export interface CheckServiceParts {
  livePack: LivePack;
  /** Listings a person decided, whose verdict the gate's never replaces for the same content. */
  decided: DecidedListings;
  pool: MatchPool;
  lists: BlocklistStore;
  fingerprints: FingerprintBank;
  reviews: ReviewQueue;
  verdicts: ListingVerdicts;
  metrics: GateMetrics;
  /** Where review items go while Redis cannot take them. */
  spool: ReviewSpool;
  /** Share of `allow` verdicts copied to the QA review tier (0 to 1). */
  qaShare: number;
  log: GateLog;
  rings: SellerRings;
  figures: BrandFigures;
  causes: CauseLedger;
  alliance: AllianceSellers;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  /** Listings in the matching pool past which a check is shed at once. */
  maxListingsInFlight: number;
  /** Checks admitted and not yet answered past which a check is refused with 503 before its body is read. */
  maxChecksInFlight: number;
  /** The adaptive bound on checks in flight (within maxChecksInFlight), if there is one. */
  admissionLimit?: AdmissionLimit;
  shedMode: 'review' | '503';
  /** Where shadow entries' figures are counted. */
  shadow: ShadowFigures;
  /** Where enforced entries' figures are counted. */
  entryFigures: EnforcedFigures;
  /** Where checked listings are kept for backtests; absent with GATE_BACKTEST_SAMPLE=0. */
  sample?: BacktestSample | undefined;
}

/** The ring signal of a check whose seller and attributes the flags table has never seen in a confirmed ring. */
const RING_FROM_TABLE: Outcome<RingStatus> = { ok: true, value: NO_CONFIRMED_RING };
const NO_PERSON_VERDICT: Outcome<PersonVerdict | undefined> = { ok: true, value: undefined };

/** A check's signals, and the ring attributes left to link after the answer (those the ring question did not link). */
interface GatheredSignals {
  signals: ListingSignals & { person: Outcome<PersonVerdict | undefined> };
  unlinked: RingAttribute[] | undefined;
}

/** One error object for every refusal: a refusal must cost the event loop as little as possible (no stack trace). */
const OVERLOADED = new GateError('GATE_ERR_OVERLOADED', 'the gate is at its limit; retry after the retry-after delay');

export class CheckService {
  private readonly failures: ThrottledLog;

  constructor(private readonly parts: CheckServiceParts) {
    this.failures = new ThrottledLog(parts.log);
  }

  /** Checks admitted and not answered yet. */
  checksInFlight = 0;

  /**
   * Called before a check's body is read. Past GATE_MAX_CHECKS_IN_FLIGHT the event
   * loop itself is what runs out (every admitted check costs it far more than a
   * refusal does), and with 503 shedding a full matching pool refuses here too:
   * either way the refusal costs no body read, decode or Redis call. Returns the
   * release to call once the check is answered.
   */
  admit(): () => void {
    const limit = this.parts.admissionLimit;
    const overloaded =
      this.checksInFlight >= this.parts.maxChecksInFlight ||
      (limit !== undefined && !limit.admits(this.checksInFlight)) ||
      (this.parts.shedMode === '503' && this.parts.pool.listingsInFlight >= this.parts.maxListingsInFlight);
    if (overloaded) {
      this.parts.metrics.shedBy('503').inc();
      throw OVERLOADED;
    }
    this.checksInFlight++;
    return () => {
      this.checksInFlight--;
    };
  }

  /** What the decision reads besides the signals, as live now. */
  decisionContext(compiled: CompiledPack, banks: FingerprintSnapshot): DecisionContext {
    return {
      compiled,
      banks,
      demoted: this.parts.causes.demoted,
      failModes: this.parts.failModes,
      brandsSharing: (sellerId) => this.parts.alliance.brandsSharing(sellerId),
    };
  }

  /**
   * `matched`: what a check thread already found, used when it matched against the
   * pack and banks live here now (otherwise the pool matches the listing again).
   */
  async check(
    request: CheckRequest,
    startedAt: number,
    deadlineMs: number,
    matched?: PrecomputedMatch,
    timing?: ServerTiming,
    source: CheckSource = 'traffic',
  ): Promise<CheckResponse> {
    const compiled = this.parts.livePack.forSeller(request.sellerId);
    if (!compiled) throw new GateError('GATE_ERR_NOT_READY', 'no policy pack is live yet');
    const banks = this.parts.fingerprints.current;
    const precomputed = matched !== undefined && matched.packKey === compiled.key && matched.banksVersion === banks.shared.version ? matched.match : undefined;
    // Asked only when a person may have decided about this listing (the table says so).
    const hash = this.parts.decided.mightHave(request.listingId) ? contentHash(request) : undefined;
    const gathered = await this.gatherSignals(request, compiled, banks, precomputed, hash, startedAt, deadlineMs, timing);
    const decision = decideListing(this.decisionContext(compiled, banks), request, gathered.signals);
    for (const { signal } of decision.degraded) this.parts.metrics.degradedBy(signal).inc();
    if (decision.shadow) this.parts.shadow.count(decision.shadow, request.listingId, decision.verdict);
    const response: CheckResponse = {
      checkId: matched?.checkId ?? `ck_${randomUUID()}`,
      listingId: request.listingId,
      verdict: decision.verdict,
      score: decision.score,
      reasons: decision.reasons,
      policyVersion: compiled.pack.packVersion,
      tookMicros: 0,
    };
    const person = gathered.signals.person;
    let decidedBy = 'gate';
    if (person.ok && person.value !== undefined) {
      // A person decided this very content: their verdict stands, and nothing is queued again.
      response.verdict = person.value;
      decidedBy = 'reviewer';
    } else if (response.verdict === 'review')
      decidedBy = await this.queueReview(request, response, decision.brands, hash, startedAt, deadlineMs, timing, matched?.reviewId);
    else if (response.verdict === 'allow' && this.drawForQa()) this.sampleForQa(request, response, hash, decision.brands);
    const record: ListingVerdict = {
      listingId: request.listingId,
      verdict: response.verdict,
      decidedBy,
      decidedAt: new Date().toISOString(),
      checkId: response.checkId,
      policyVersion: response.policyVersion,
      reasons: response.reasons,
    };
    if (response.reviewId) record.reviewId = response.reviewId;
    if (hash !== undefined) record.contentHash = hash;
    // Recorded once the answer is on its way: the seller waits for the verdict, not for its bookkeeping.
    setImmediate(() => {
      this.recordOutcome(request, record, decision.brands, decision.fingerprintHits, gathered.unlinked);
      if (source === 'traffic') this.parts.sample?.add(request);
    });
    response.tookMicros = Math.round((performance.now() - startedAt) * 1000);
    timing?.mark('decide');
    this.parts.metrics.checksBy(response.verdict).inc();
    this.parts.metrics.checkSeconds.observe(response.tookMicros / 1e6);
    if (isLate(response.tookMicros, deadlineMs)) this.parts.metrics.lateChecks.inc();
    return response;
  }

  /**
   * Matching (unless a check thread matched already), the lists, the ring and a
   * person's verdict, side by side, each settled by the signal budget of the
   * deadline. The pool full: shed as configured (503 thrown, or a degraded text signal).
   */
  private async gatherSignals(
    request: CheckRequest,
    compiled: CompiledPack,
    banks: FingerprintSnapshot,
    precomputed: ListingMatch | undefined,
    hash: string | undefined,
    startedAt: number,
    deadlineMs: number,
    timing: ServerTiming | undefined,
  ): Promise<GatheredSignals> {
    const shed = precomputed === undefined && this.parts.pool.listingsInFlight >= this.parts.maxListingsInFlight;
    if (shed) {
      this.parts.metrics.shedBy(this.parts.shedMode).inc();
      if (this.parts.shedMode === '503') throw new GateError('GATE_ERR_OVERLOADED', 'the matching pool is full; retry after the retry-after delay');
    }
    let timer: NodeJS.Timeout | undefined;
    const remaining = signalBudgetMs(deadlineMs, performance.now() - startedAt);
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), remaining);
    });
    const attributes = ringAttributes(request);
    // The ring is asked about only when the flags table may hold the seller or an attribute;
    // otherwise it is linked with the rest of the bookkeeping, after the answer.
    const ringAsked = this.parts.rings.mightBeInConfirmedRing(request.sellerId, attributes);
    const limit = this.parts.admissionLimit;
    if (precomputed?.matchMicros !== undefined) this.parts.metrics.matchingSeconds.observe(precomputed.matchMicros / 1e6);
    const matching = precomputed
      ? Promise.resolve(precomputed)
      : shed
        ? Promise.reject(new Error('shed'))
        : this.parts.pool.match(compiled, banks, listingToMatch(request));
    const [text, lists, ring, person] = await Promise.all([
      settleBefore<ListingMatch>(
        shed || precomputed
          ? matching
          : matching.finally(() => {
              const now = performance.now();
              this.parts.metrics.matchingSeconds.observe((now - startedAt) / 1000);
              limit?.matched(now - startedAt, now);
            }),
        deadline,
      ),
      settleBefore<ListHit[]>(this.parts.lists.check(listProbes(request)), deadline),
      ringAsked
        ? settleBefore<RingStatus>(
            this.parts.rings.linkAndStatus(request.sellerId, attributes, request.listingId, request.attributes?.shipFrom ?? ''),
            deadline,
          )
        : RING_FROM_TABLE,
      hash !== undefined ? settleBefore(this.parts.decided.verdictOf(request.listingId, hash), deadline) : NO_PERSON_VERDICT,
    ]);
    clearTimeout(timer);
    if (timing) {
      timing.mark('signals');
      if (text.ok && text.value.matchMicros !== undefined) timing.add('of-which-match', text.value.matchMicros / 1000);
    }
    return { signals: { text, lists, ring, person, shed }, unlinked: ringAsked ? undefined : attributes };
  }

  /**
   * A review verdict's item, in Redis (or the local spool) before the answer
   * names it. Returns who decided: a reviewer, when one already decided this very
   * content (their verdict replaces the answer's).
   */
  private async queueReview(
    request: CheckRequest,
    response: CheckResponse,
    brands: readonly string[],
    hash: string | undefined,
    startedAt: number,
    deadlineMs: number,
    timing: ServerTiming | undefined,
    triedId?: string,
  ): Promise<string> {
    // The id is chosen before the first write, so that a late write to Redis and a
    // replay of the spool land on the same item (the enqueue script de-duplicates by content).
    const item = reviewVerdictItem(request, response, brands, triedId, hash);
    let queued: EnqueueResult;
    const queueingFrom = performance.now();
    const kept = await queueOrSpool(this.parts.reviews, this.parts.spool, item, queueBudgetMs(deadlineMs, queueingFrom - startedAt));
    this.parts.metrics.reviewQueueSeconds.observe((performance.now() - queueingFrom) / 1000);
    timing?.mark('review-queue');
    if (!kept.spooled) queued = kept.result;
    else {
      // Redis could not take it in time: it is on local disk, replayed when Redis answers.
      this.parts.metrics.degradedBy('review-queue').inc();
      this.failures.note('review-spooled', `review item for ${request.listingId} spooled: ${kept.why}`, {
        checkId: response.checkId,
        listingId: request.listingId,
        reviewId: item.reviewId,
      });
      response.reasons.push({ code: 'degraded', ref: 'review-queue:spooled' });
      queued = { kind: 'queued', reviewId: item.reviewId, created: true };
    }
    if (queued.kind === 'decided') {
      // A reviewer already decided this very content: their verdict stands.
      response.verdict = queued.decision;
      return 'reviewer';
    }
    // Not created here but under the id a thread tried: the thread's late write created it, uncounted.
    if (queued.created || (triedId !== undefined && queued.reviewId === triedId)) this.parts.metrics.reviewsQueued.inc();
    response.reviewId = queued.reviewId;
    return 'gate';
  }

  /**
   * The bookkeeping of a check a check thread decided and answered by itself
   * (the tables said no list, ring or person's verdict could be involved; a
   * review verdict's item is in Redis): metrics, the QA sample, the verdict record.
   */
  recordThreadCheck(outcome: ThreadCheckOutcome): void {
    const { request, response } = outcome;
    for (const signal of outcome.degradedSignals) this.parts.metrics.degradedBy(signal).inc();
    this.parts.metrics.matchingSeconds.observe(outcome.matchMicros / 1e6);
    this.parts.metrics.checksBy(response.verdict).inc();
    this.parts.metrics.checkSeconds.observe(response.tookMicros / 1e6);
    if (outcome.late) this.parts.metrics.lateChecks.inc();
    if (outcome.shadow) this.parts.shadow.count(outcome.shadow, request.listingId, response.verdict);
    if (outcome.reviewQueued) {
      this.parts.metrics.reviewQueueSeconds.observe(outcome.reviewQueued.seconds);
      if (outcome.reviewQueued.created) this.parts.metrics.reviewsQueued.inc();
    }
    if (response.verdict === 'allow' && (outcome.qaSampled ?? this.drawForQa())) this.sampleForQa(request, response, undefined, outcome.brands);
    const record: ListingVerdict = {
      listingId: request.listingId,
      verdict: response.verdict,
      decidedBy: 'gate',
      decidedAt: outcome.decidedAt,
      checkId: response.checkId,
      policyVersion: response.policyVersion,
      reasons: response.reasons,
    };
    if (response.reviewId) record.reviewId = response.reviewId;
    this.recordOutcome(request, record, outcome.brands, outcome.fingerprintHits, ringAttributes(request));
  }

  /**
   * The bookkeeping of an allow a check thread decided that needs only a compact
   * record (no image hits, no degraded signal, not drawn for QA): metrics, the
   * record, the seller's ring links.
   */
  recordThreadAllow(allow: ThreadAllow): void {
    this.parts.metrics.matchingSeconds.observe(allow.matchMicros / 1e6);
    this.parts.metrics.checksBy('allow').inc();
    this.parts.metrics.checkSeconds.observe(allow.tookMicros / 1e6);
    if (allow.late) this.parts.metrics.lateChecks.inc();
    this.parts.verdicts.recordAllowLater(allow.listingId, allow.packedRecord);
    this.parts.rings.linkNodesLater(allow.sellerId, allow.ringNodes, allow.listingId, allow.region);
  }

  /** Whether an allowed listing goes to the QA review tier too (a share GATE_QA_SHARE of them). */
  private drawForQa(): boolean {
    return this.parts.qaShare > 0 && Math.random() < this.parts.qaShare;
  }

  /** Copies an allowed listing drawn for QA (drawForQa) to the QA review tier, without holding up the answer. */
  private sampleForQa(request: CheckRequest, response: CheckResponse, hash: string | undefined, brands: readonly string[]): void {
    this.parts.metrics.qaSampled.inc();
    const item = reviewItemOf(request, response, hash ?? contentHash(request), brands, 'qa');
    this.parts.reviews
      .enqueue(item)
      .catch((error: unknown) =>
        this.parts.log.warn(`QA sample not queued: ${(error as Error).message}`, { checkId: response.checkId, listingId: request.listingId }),
      );
  }

  /** The verdict record, figures, block causes, alliance credit and image links of one answered check. */
  private recordOutcome(
    request: CheckRequest,
    record: ListingVerdict,
    brands: readonly string[],
    fingerprintHits: NamedFingerprintHits,
    unlinked: readonly RingAttribute[] | undefined,
  ): void {
    const reasons = record.reasons ?? [];
    if (record.decidedBy !== 'gate') {
      this.linkRings(request, fingerprintHits, unlinked);
      return;
    }
    this.parts.entryFigures.count(reasons, request.listingId, record.verdict);
    if (record.verdict !== 'allow' && brands.length > 0) record.brands = [...brands];
    // Figures, causes and credits count a listing once per change of its verdict, not once per check.
    this.parts.verdicts.recordLater(record, request, () => {
      if (record.verdict === 'block') {
        this.parts.figures.countLater(brands, 'blockedAtPublish');
        this.parts.causes.countBlockLater(causesOf(reasons));
      } else if (record.verdict === 'review') this.parts.figures.countLater(brands, 'sentToReview');
      if (record.verdict !== 'allow') {
        // Members whose shared items or sellers stopped the listing are credited.
        const sharedBrands = [...fingerprintHits.images, ...fingerprintHits.texts].flatMap((h) => {
          const owner = bankedEntryOwner(h.ref);
          return owner?.shared ? [owner.brandId] : [];
        });
        for (const reason of reasons) {
          if (reason.code !== 'blocklist_seller') continue;
          if (reason.ref?.startsWith(ALLIANCE_REF)) sharedBrands.push(reason.ref.slice(ALLIANCE_REF.length));
          else this.parts.alliance.creditHit(request.sellerId);
        }
        if (sharedBrands.length > 0) this.parts.figures.countLater(new Set(sharedBrands), 'allianceHits');
      }
    });
    this.linkRings(request, fingerprintHits, unlinked);
  }

  private linkRings(request: CheckRequest, fingerprintHits: NamedFingerprintHits, unlinked: readonly RingAttribute[] | undefined): void {
    // Banked images the listing used link its seller too; known only after matching.
    const imageLinks: RingAttribute[] = fingerprintHits.images.map((image) => ({ kind: 'image', value: image.ref }));
    if (unlinked) this.parts.rings.linkLater(request.sellerId, [...unlinked, ...imageLinks], request.listingId, request.attributes?.shipFrom ?? '');
    else if (imageLinks.length > 0) this.parts.rings.linkLater(request.sellerId, imageLinks);
  }
}
