// Contract section 3 as a pure function: distinct signals add up, the largest
// indicator contribution counts once, and the thresholds give the verdict.
import { PatternKind } from '../matcher/pattern-plan.js';
import type { TextHit } from '../matcher/text-hit.js';
import type { PolicyPack } from '../pack/policy-pack.js';
import type { ListHit } from './list-hit.js';
import type { Reason, Verdict } from './reason.js';

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

  for (const hit of input.listHits) {
    reasons.push({ code: LIST_REASON[hit.kind], ref: hit.value, field: hit.field });
    score += pack.thresholds.block;
  }

  const brandHits = input.textHits.filter((h) => h.kind === PatternKind.Brand);
  const brandNamed = brandHits.length > 0;

  let indicatorBest = 0;
  for (const hit of input.textHits) {
    if (hit.kind !== PatternKind.Indicator) continue;
    const indicator = pack.indicators[hit.ref];
    if (!indicator) continue;
    indicatorBest = Math.max(indicatorBest, brandNamed ? indicator.withBrand : indicator.score);
    reasons.push({
      code: brandNamed ? 'indicator_with_brand' : 'indicator',
      ref: indicator.term,
      field: hit.field,
      start: hit.start,
      end: hit.end,
    });
  }
  score += indicatorBest;

  const price = input.price;
  if (price) {
    for (const hit of brandHits) {
      const brand = pack.brands[hit.ref];
      if (!brand || input.category === undefined || !brand.categories.includes(input.category)) continue;
      if (brand.authorizedSellers.includes(input.sellerId)) continue;
      const floor = brand.priceFloor[price.currency];
      if (floor === undefined || price.amount >= floor) continue;
      reasons.push({ code: 'brand_below_floor', ref: brand.id, field: hit.field, start: hit.start, end: hit.end });
      score += BRAND_BELOW_FLOOR_SCORE;
      break;
    }
  }

  for (const hit of input.textHits) {
    if (hit.kind !== PatternKind.Rule) continue;
    const rule = pack.rules[hit.ref];
    if (!rule) continue;
    reasons.push({ code: 'rule', ref: rule.id, field: hit.field, start: hit.start, end: hit.end });
    score += rule.score;
  }

  const fingerprints = input.fingerprintHits;
  if (fingerprints && fingerprints.texts.length > 0) {
    const best = fingerprints.texts[0];
    if (best) reasons.push({ code: 'text_fingerprint', ref: best.ref, field: best.field });
    score += pack.thresholds.block;
  }
  if (fingerprints && fingerprints.images.length > 0) {
    for (const image of fingerprints.images) reasons.push({ code: 'image_fingerprint', ref: image.ref, field: image.field });
    score += pack.thresholds.block;
  }

  for (const signal of input.extraSignals ?? []) {
    reasons.push(signal.reason);
    score += signal.score;
  }

  return { verdict: verdictFor(score, pack.thresholds), score, reasons };
}
