// A pack's entries by kind and id, with their mode (issue 26): what the shadow
// figures list and what a diff compares.
import type { EntryKind } from '../gate/shadow-entry.js';
import { listEntryId } from '../gate/shadow-entry.js';
import { LIST_KINDS, type EntryMode, type PolicyPack } from '../pack/policy-pack.js';

/** Exceptions have no mode, but a diff names them too. */
export type PackEntryKind = EntryKind | 'exception';

export interface PackEntry {
  kind: PackEntryKind;
  id: string;
  mode: EntryMode;
  /** The entry as the pack has it (a list value's is the value). */
  content: unknown;
}

function modeOf(entry: { mode?: 'shadow' }): EntryMode {
  return entry.mode === 'shadow' ? 'shadow' : 'enforce';
}

/** Every entry of `pack`: its lists and banked items as far as the pack still holds them (a live pack's seeded ones are in Redis). */
export function* packEntries(pack: PolicyPack): Generator<PackEntry> {
  for (const brand of pack.brands) yield { kind: 'brand', id: brand.id, mode: modeOf(brand), content: brand };
  for (const indicator of pack.indicators) yield { kind: 'indicator', id: indicator.term, mode: modeOf(indicator), content: indicator };
  for (const exception of pack.exceptions) yield { kind: 'exception', id: exception.term, mode: 'enforce', content: exception };
  for (const rule of pack.rules) yield { kind: 'rule', id: rule.id, mode: modeOf(rule), content: rule };
  for (const kind of LIST_KINDS) {
    for (const value of pack.lists[kind]) yield { kind: 'list', id: listEntryId(kind, value), mode: 'enforce', content: value };
    for (const value of pack.shadow?.lists[kind] ?? []) yield { kind: 'list', id: listEntryId(kind, value), mode: 'shadow', content: value };
  }
  for (const text of pack.fingerprints.texts) yield { kind: 'text', id: text.ref, mode: 'enforce', content: text };
  for (const text of pack.shadow?.texts ?? []) yield { kind: 'text', id: text.ref, mode: 'shadow', content: text };
  for (const image of pack.fingerprints.images) yield { kind: 'image', id: image.ref, mode: 'enforce', content: image };
  for (const image of pack.shadow?.images ?? []) yield { kind: 'image', id: image.ref, mode: 'shadow', content: image };
}

/** The pack's shadow entries; none without a look at its brands, indicators and rules when it has none. */
export function shadowEntries(pack: PolicyPack): PackEntry[] {
  if (pack.shadow === undefined) return [];
  return [...packEntries(pack)].filter((entry) => entry.mode === 'shadow');
}
