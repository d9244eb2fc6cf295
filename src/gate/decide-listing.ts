// A listing's verdict from its signals, as a pure function: the event loop (for
// checks it finishes) and the check threads (for the checks they decide alone)
// reach the same verdict, reasons and brands from the same signals. A signal that
// could not be computed is a `degraded` reason and moves the verdict as its fail
// mode says (default: at least review), never a silent allow.
import type { DegradableSignal, FailMode } from '../config/gate-config.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { FingerprintHits } from '../fingerprint/find-fingerprint-hits.js';
import { refAt } from '../fingerprint/ref-table.js';
import type { ListingMatch } from '../matcher/match-task.js';
import { PatternKind } from '../matcher/pattern-plan.js';
import { brandIndexOf } from '../pack/brand-index.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import { bankedEntryOwner } from '../rights-holder/banked-entry-ref.js';
import type { RingStatus } from '../rings/seller-rings.js';
import type { CheckRequest } from './check-request.js';
import type { ListHit } from './list-hit.js';
import type { Reason, Verdict } from './reason.js';
import { scoreListing, type ScoringInput } from './score-listing.js';
import { findShadowMatches, type ShadowOutcome } from './shadow-outcome.js';
import { withBankChanges, type BankChanges } from './bank-changes.js';
import type { Outcome } from './settle-before.js';

/** The ref of a `blocklist_seller` reason that a rights holder's share gave, before the sharing brand's live id. */
export const ALLIANCE_REF = 'alliance:';

/** What the matching found, named by the refs of the bank generation it searched. */
export interface NamedFingerprintHits {
  texts: Array<{ ref: string; field: string }>;
  images: Array<{ ref: string; field: string }>;
}

export interface ListingSignals {
  text: Outcome<ListingMatch>;
  lists: Outcome<ListHit[]>;
  ring: Outcome<RingStatus>;
  /** Whether a person's verdict could be asked (its absence never moves the gate's verdict). */
  person: Outcome<unknown>;
  /** The matching pool was full and the listing was not sent to it. */
  shed?: boolean;
}

export interface DecisionContext {
  compiled: CompiledPack;
  banks: FingerprintSnapshot;
  /** Causes demoted to review-only. */
  demoted: ReadonlySet<string>;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  /** Live ids of the brands that shared this seller with the alliance. */
  brandsSharing: (sellerId: string) => readonly string[];
  /** A backtest's candidate only: banked items it adds and removes. */
  bankChanges?: BankChanges;
}

export interface ListingDecision {
  verdict: Verdict;
  score: number;
  /** The scored reasons, then the degraded ones. */
  reasons: Reason[];
  degraded: DegradedSignal[];
  /** Live ids of the brands the listing named or whose banked items it matched. */
  brands: string[];
  fingerprintHits: NamedFingerprintHits;
  /** Set when a shadow entry matched: what the shadow entries would have done (never what the caller sees). */
  shadow?: ShadowOutcome;
}

/** A signal that could not be computed: which one, and the reason the answer gives for it. */
export interface DegradedSignal {
  /** `decision`: whether a person decided the listing. */
  signal: DegradableSignal | 'decision';
  reason: Reason;
}

const NO_FINGERPRINT_HITS: NamedFingerprintHits = { texts: [], images: [] };

/**
 * A rights holder's banked item counts only while its brand is enforced, and,
 * unless shared with the alliance, only for listings naming one of its brands.
 */
function nameFingerprintHits(
  hits: FingerprintHits,
  snapshot: FingerprintSnapshot,
  request: CheckRequest,
  compiled: CompiledPack,
  namedOwners: ReadonlySet<string>,
): NamedFingerprintHits {
  const textField = request.description ? 'description' : 'title';
  const brands = brandIndexOf(compiled);
  const applies = (ref: string): boolean => {
    const owner = bankedEntryOwner(ref);
    if (!owner) return true;
    // A registered brand is live with its holder as owner: the entry applies while it is.
    if (brands.owners.get(owner.brandId) !== owner.holder) return false;
    return owner.shared || namedOwners.has(owner.holder);
  };
  const seenImages = new Set<number>();
  const images: Array<{ ref: string; field: string }> = [];
  for (const hit of hits.images) {
    if (seenImages.has(hit.image)) continue; // the closest banked image per listing image
    const ref = refAt(snapshot.imageRefs, hit.entry) ?? `#${hit.entry}`;
    if (!applies(ref)) continue;
    seenImages.add(hit.image);
    images.push({ ref, field: `images[${hit.image}].phash` });
  }
  return {
    texts: hits.texts.flatMap((hit) => {
      const ref = refAt(snapshot.textRefs, hit.entry) ?? `#${hit.entry}`;
      return applies(ref) ? [{ ref, field: textField }] : [];
    }),
    images,
  };
}

/** Live ids of the brands a listing names (by text) or whose banked items it matched. */
function brandsInvolved(compiled: CompiledPack, match: ListingMatch | undefined, fingerprintRefs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const hit of match?.text ?? []) {
    if (hit.kind !== PatternKind.Brand) continue;
    const brand = compiled.pack.brands[hit.ref];
    if (brand && brand.mode !== 'shadow') out.add(brand.id);
  }
  for (const ref of fingerprintRefs) {
    const owner = bankedEntryOwner(ref);
    if (owner) out.add(owner.brandId);
  }
  return [...out];
}

function degradedBy(signal: DegradedSignal['signal'], outcome: Outcome<unknown>, otherwise: string): DegradedSignal {
  return { signal, reason: { code: 'degraded', ref: `${signal}:${!outcome.ok && outcome.why === 'deadline' ? 'deadline' : otherwise}` } };
}

export function decideListing(context: DecisionContext, request: CheckRequest, signals: ListingSignals): ListingDecision {
  const { compiled, banks } = context;
  const { pack } = compiled;
  const { text, lists, ring, person } = signals;
  const degraded: DegradedSignal[] = [];
  if (!text.ok) degraded.push(degradedBy('text', text, signals.shed ? 'shed' : 'unavailable'));
  // Text past its budget was left unread: what was found stands, the rest counts as not computed.
  else if (text.value.textTruncated) degraded.push({ signal: 'text', reason: { code: 'degraded', ref: 'text:budget' } });
  if (!lists.ok) degraded.push(degradedBy('lists', lists, 'unavailable'));
  if (!ring.ok) degraded.push(degradedBy('ring', ring, 'unavailable'));
  if (!person.ok) degraded.push(degradedBy('decision', person, 'unavailable'));

  const brandsNamed = text.ok ? brandsInvolved(compiled, text.value, []) : [];
  const index = brandIndexOf(compiled);
  const namedOwners = new Set(brandsNamed.flatMap((id) => index.owners.get(id) ?? []));
  const named = text.ok ? nameFingerprintHits(text.value.fingerprints, banks, request, compiled, namedOwners) : NO_FINGERPRINT_HITS;
  const fingerprintHits = context.bankChanges && text.ok ? withBankChanges(context.bankChanges, request, named) : named;
  const brands = brandsInvolved(
    compiled,
    text.ok ? text.value : undefined,
    [...fingerprintHits.images, ...fingerprintHits.texts].map((h) => h.ref),
  );
  const extraSignals: Array<{ reason: Reason; score: number }> = [];
  // A seller a rights holder shared counts only against listings of the sharing brands.
  const sharingBrand = context.brandsSharing(request.sellerId).find((brand) => brands.includes(brand));
  if (sharingBrand !== undefined)
    extraSignals.push({ reason: { code: 'blocklist_seller', ref: `${ALLIANCE_REF}${sharingBrand}`, field: 'sellerId' }, score: pack.thresholds.block });
  if (ring.ok && ring.value.confirmedOthers > 0) {
    extraSignals.push({ reason: { code: 'ring', ref: ring.value.ringLabel, field: 'sellerId' }, score: pack.ring?.score ?? pack.thresholds.review });
  }
  const scoring: ScoringInput = {
    sellerId: request.sellerId,
    category: request.category,
    price: request.price,
    textHits: text.ok ? text.value.text : [],
    listHits: lists.ok ? lists.value : [],
    fingerprintHits,
    extraSignals,
    demoted: context.demoted,
  };
  const scored = scoreListing(pack, scoring);
  const verdict = withDegraded(scored.verdict, degraded, context.failModes);
  const decision: ListingDecision = {
    verdict,
    score: scored.score,
    reasons: [...scored.reasons, ...degraded.map((d) => d.reason)],
    degraded,
    brands,
    fingerprintHits,
  };
  // A pack without shadow entries pays this one property read.
  if (pack.shadow !== undefined) {
    const matches = findShadowMatches(pack, pack.shadow, request, scoring.textHits);
    if (matches) {
      const wouldHave = scoreListing(pack, {
        ...scoring,
        enforceShadow: true,
        listHits: [...scoring.listHits, ...matches.lists],
        fingerprintHits: { texts: [...fingerprintHits.texts, ...matches.texts], images: [...fingerprintHits.images, ...matches.images] },
      });
      decision.shadow = { entries: matches.entries, wouldHave: withDegraded(wouldHave.verdict, degraded, context.failModes) };
    }
  }
  return decision;
}

/** Each signal that could not be computed moves the verdict as configured (default: at least review). */
function withDegraded(scored: Verdict, degraded: readonly DegradedSignal[], failModes: DecisionContext['failModes']): Verdict {
  let verdict = scored;
  for (const { signal } of degraded) {
    if (signal === 'decision') continue; // not knowing of a person's verdict leaves the gate's standing
    const mode = failModes[signal];
    if (mode === 'closed') verdict = 'block';
    else if (mode === 'review' && verdict === 'allow') verdict = 'review';
  }
  return verdict;
}
