// Shadow entries as the figures name them (issue 26 point 1): a kind and the
// id the pack gives the entry (a brand's or rule's id, an indicator's term, a
// list's kind and value, a banked item's ref).
import type { ListKind } from '../pack/policy-pack.js';

export const ENTRY_KINDS = ['brand', 'indicator', 'rule', 'list', 'text', 'image'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

export interface EntryRef {
  kind: EntryKind;
  id: string;
}

/** A list entry's id: its list and value (`sellers/s-123`). */
export function listEntryId(kind: ListKind, value: string): string {
  return `${kind}/${value}`;
}

/** One string per entry, for hash fields and keys (a tab never occurs in a kind). */
export function entryKey(entry: EntryRef): string {
  return `${entry.kind}\t${entry.id}`;
}

export function entryOfKey(key: string): EntryRef {
  const tab = key.indexOf('\t');
  return { kind: key.slice(0, tab) as EntryKind, id: key.slice(tab + 1) };
}
