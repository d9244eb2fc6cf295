// Contract section 3 as a pure function: distinct signals add up, the largest
// indicator contribution counts once, and the thresholds give the verdict.
import { PatternKind } from '../matcher/pattern-plan.js';
import type { TextHit } from '../matcher/text-hit.js';
import type { PolicyPack } from '../pack/policy-pack.js';
import type { ListHit } from './list-hit.js';
import type { Reason, Verdict } from './reason.js';
import { causeOf } from '../enforcement/cause-ledger.js';

/**
 * A brand's Chinese name written by its sound (issue 24 item 3): thresholds.review,
 * once, and never part of a block: a wrong guess costs a reviewer's glance, not a sale.
 */
function soundAlikeReasons(pack: PolicyPack, textHits: readonly TextHit[], named: ReadonlySet<number>, enforceShadow: boolean): Reason[] {
  const reasons: Reason[] = [];
  const seen = new Set<number>();
  for (const hit of textHits) {
    if (hit.kind !== PatternKind.SoundAlike || named.has(hit.ref) || seen.has(hit.ref)) continue;
    const brand = pack.brands[hit.ref];
    if (!brand || (brand.mode === 'shadow' && !enforceShadow)) continue;
    seen.add(hit.ref);
    reasons.push({ code: 'brand_sound_alike', ref: brand.id, field: hit.field, start: hit.start, end: hit.end });
  }
  return reasons;
}

/** Contract section 3: what a brand named below its price floor adds. */
export const BRAND_BELOW_FLOOR_SCORE = 50;

export interface ScoringInput {
  sellerId: string;
  category?: string | undefined;
  price?: { amount: number; currency: string } | undefined;
  textHits: readonly TextHit[];
  listHits: readonly ListHit[];
  /** Banked images and texts the listing matched, already named by their refs. */
  fingerprintHits?: { texts: ReadonlyArray<{ ref: string; field: string }>; images: ReadonlyArray<{ ref: string; field: string }> };
  /** Further signals computed elsewhere (fingerprints, degraded checks), each with its score. */
  extraSignals?: ReadonlyArray<{ reason: Reason; score: number }>;
  /** Causes demoted to review-only (see enforcement/cause-ledger.ts): they add their score but cannot make a block. */
  demoted?: ReadonlySet<string>;
  /**
   * Count the pack's shadow brands, indicators and rules as if enforced: what
   * they would have done (issue 26 point 1). Default: they are left out.
   */
  enforceShadow?: boolean;
}

export interface Scored {
  verdict: Verdict;
  score: number;
  reasons: Reason[];
}

const LIST_REASON = {
  sellers: 'blocklist_seller',
  shops: 'blocklist_shop',
  phones: 'blocklist_identity',
  devices: 'blocklist_identity',
  paymentAccounts: 'blocklist_identity',
} as const;

export function verdictFor(score: number, thresholds: PolicyPack['thresholds']): Verdict {
  if (score >= thresholds.block) return 'block';
  if (score >= thresholds.review) return 'review';
  return 'allow';
}

export function scoreListing(pack: PolicyPack, input: ScoringInput): Scored {
  const reasons: Reason[] = [];
  let score = 0;
  /** Score added by demoted causes. */
  let demotedScore = 0;
  const demoted = input.demoted;
  const isDemoted = (reason: Reason): boolean => demoted !== undefined && demoted.size > 0 && demoted.has(causeOf(reason) ?? '');

  for (const hit of input.listHits) {
    const reason: Reason = { code: LIST_REASON[hit.kind], ref: hit.value, field: hit.field };
    reasons.push(reason);
    score += pack.thresholds.block;
    if (isDemoted(reason)) demotedScore += pack.thresholds.block;
  }

  const enforceShadow = input.enforceShadow === true;
  const brandHits = input.textHits.filter((h) => h.kind === PatternKind.Brand && (enforceShadow || pack.brands[h.ref]?.mode !== 'shadow'));
  const brandNamed = brandHits.length > 0;

  let indicatorBest = 0;
  let indicatorBestDemoted = false;
  for (const hit of input.textHits) {
    if (hit.kind !== PatternKind.Indicator) continue;
    const indicator = pack.indicators[hit.ref];
    if (!indicator || (indicator.mode === 'shadow' && !enforceShadow)) continue;
    const reason: Reason = {
      code: brandNamed ? 'indicator_with_brand' : 'indicator',
      ref: indicator.term,
      field: hit.field,
      start: hit.start,
      end: hit.end,
    };
    const contribution = brandNamed ? indicator.withBrand : indicator.score;
    const demotedHere = isDemoted(reason);
    if (contribution > indicatorBest || (contribution === indicatorBest && indicatorBestDemoted && !demotedHere)) {
      indicatorBest = contribution;
      indicatorBestDemoted = demotedHere;
    }
    reasons.push(reason);
  }
  score += indicatorBest;
  if (indicatorBestDemoted) demotedScore += indicatorBest;

  const price = input.price;
  if (price) {
    for (const hit of brandHits) {
      const brand = pack.brands[hit.ref];
      if (!brand || input.category === undefined || !brand.categories.includes(input.category)) continue;
      if (brand.authorizedSellers.includes(input.sellerId)) continue;
      const floor = brand.priceFloor[price.currency];
      if (floor === undefined || price.amount >= floor) continue;
      const reason: Reason = { code: 'brand_below_floor', ref: brand.id, field: hit.field, start: hit.start, end: hit.end };
      reasons.push(reason);
      score += BRAND_BELOW_FLOOR_SCORE;
      if (isDemoted(reason)) demotedScore += BRAND_BELOW_FLOOR_SCORE;
      break;
    }
  }

  for (const hit of input.textHits) {
    if (hit.kind !== PatternKind.Rule) continue;
    const rule = pack.rules[hit.ref];
    if (!rule || (rule.mode === 'shadow' && !enforceShadow)) continue;
    const reason: Reason = { code: 'rule', ref: rule.id, field: hit.field, start: hit.start, end: hit.end };
    reasons.push(reason);
    score += rule.score;
    if (isDemoted(reason)) demotedScore += rule.score;
  }

  const soundAlikes = soundAlikeReasons(pack, input.textHits, new Set(brandHits.map((h) => h.ref)), enforceShadow);
  if (soundAlikes.length > 0) {
    reasons.push(...soundAlikes);
    score += pack.thresholds.review;
    demotedScore += pack.thresholds.review;
  }

  const fingerprints = input.fingerprintHits;
  if (fingerprints && fingerprints.texts.length > 0) {
    const best = fingerprints.texts[0];
    if (best) reasons.push({ code: 'text_fingerprint', ref: best.ref, field: best.field });
    score += pack.thresholds.block;
    if (best && isDemoted({ code: 'text_fingerprint', ref: best.ref })) demotedScore += pack.thresholds.block;
  }
  if (fingerprints && fingerprints.images.length > 0) {
    const images: Reason[] = fingerprints.images.map((image) => ({ code: 'image_fingerprint', ref: image.ref, field: image.field }));
    reasons.push(...images);
    score += pack.thresholds.block;
    if (images.every(isDemoted)) demotedScore += pack.thresholds.block;
  }

  for (const signal of input.extraSignals ?? []) {
    reasons.push(signal.reason);
    score += signal.score;
  }

  let verdict = verdictFor(score, pack.thresholds);
  // A demoted cause may still send a listing to review, but only the others can block it.
  if (verdict === 'block' && score - demotedScore < pack.thresholds.block) verdict = 'review';
  return { verdict, score, reasons };
}
