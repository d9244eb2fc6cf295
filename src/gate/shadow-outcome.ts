// Which shadow entries a listing matched (issue 26 point 1). Looked for only
// when the pack has shadow entries; the verdict they would have given is then
// scored by the caller, and only when one of them matched.
import { PatternKind } from '../matcher/pattern-plan.js';
import type { TextHit } from '../matcher/text-hit.js';
import type { PolicyPack, ShadowEntries } from '../pack/policy-pack.js';
import type { CheckRequest } from './check-request.js';
import type { ListHit } from './list-hit.js';
import type { Verdict } from './reason.js';
import { entryKey, listEntryId, type EntryRef } from './shadow-entry.js';
import { shadowImageHits, shadowIndexOf, shadowListHits, shadowTextHits } from './shadow-index.js';

/** What a check's shadow entries would have done: the figures count it, the caller never sees it. */
export interface ShadowOutcome {
  /** Entry keys (shadow-entry.ts) of the shadow entries the listing matched, each once. */
  entries: string[];
  /** The verdict with every shadow entry enforced. */
  wouldHave: Verdict;
}

export interface ShadowMatches {
  entries: string[];
  lists: ListHit[];
  texts: Array<{ ref: string; field: string }>;
  images: Array<{ ref: string; field: string }>;
}

function textEntryOf(pack: PolicyPack, hit: TextHit): EntryRef | undefined {
  switch (hit.kind) {
    case PatternKind.Brand:
    case PatternKind.SoundAlike: {
      const brand = pack.brands[hit.ref];
      return brand?.mode === 'shadow' ? { kind: 'brand', id: brand.id } : undefined;
    }
    case PatternKind.Indicator: {
      const indicator = pack.indicators[hit.ref];
      return indicator?.mode === 'shadow' ? { kind: 'indicator', id: indicator.term } : undefined;
    }
    case PatternKind.Rule: {
      const rule = pack.rules[hit.ref];
      return rule?.mode === 'shadow' ? { kind: 'rule', id: rule.id } : undefined;
    }
    default:
      return undefined;
  }
}

/** The shadow entries `request` matched; undefined when none did. */
export function findShadowMatches(pack: PolicyPack, shadow: ShadowEntries, request: CheckRequest, textHits: readonly TextHit[]): ShadowMatches | undefined {
  const keys = new Set<string>();
  for (const hit of textHits) {
    const entry = textEntryOf(pack, hit);
    if (entry) keys.add(entryKey(entry));
  }
  const index = shadowIndexOf(shadow);
  const lists = shadowListHits(index, request);
  for (const hit of lists) keys.add(entryKey({ kind: 'list', id: listEntryId(hit.kind, hit.value) }));
  const images = shadowImageHits(index, request);
  for (const hit of images) keys.add(entryKey({ kind: 'image', id: hit.ref }));
  const texts = shadowTextHits(index, request);
  for (const hit of texts) keys.add(entryKey({ kind: 'text', id: hit.ref }));
  return keys.size === 0 ? undefined : { entries: [...keys], lists, texts, images };
}
