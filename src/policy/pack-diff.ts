// What changed between two packs (issue 26 point 4): entries added, removed and
// changed, by kind and id, and the settings (thresholds, ring score) that differ.
import { isDeepStrictEqual } from 'node:util';
import type { PolicyPack } from '../pack/policy-pack.js';
import { packEntries, type PackEntry, type PackEntryKind } from './pack-entries.js';

export interface EntryChange {
  id: string;
  /** Set when the mode changed. */
  mode?: { from: string; to: string };
  /** The entry's fields that differ (besides the mode). */
  fields: string[];
}

export interface PackDiff {
  added: Partial<Record<PackEntryKind, string[]>>;
  removed: Partial<Record<PackEntryKind, string[]>>;
  changed: Partial<Record<PackEntryKind, EntryChange[]>>;
  settings: Array<{ field: string; from: unknown; to: unknown }>;
}

function byKey(pack: PolicyPack): Map<string, PackEntry> {
  const out = new Map<string, PackEntry>();
  for (const entry of packEntries(pack)) out.set(`${entry.kind}\t${entry.id}`, entry);
  return out;
}

function push<T>(into: Partial<Record<PackEntryKind, T[]>>, kind: PackEntryKind, item: T): void {
  (into[kind] ??= []).push(item);
}

function changedFields(from: unknown, to: unknown): string[] {
  if (typeof from !== 'object' || typeof to !== 'object' || from === null || to === null) return isDeepStrictEqual(from, to) ? [] : ['value'];
  const a = from as Record<string, unknown>;
  const b = to as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((field) => field !== 'mode' && !isDeepStrictEqual(a[field], b[field])).sort();
}

export function diffPacks(from: PolicyPack, to: PolicyPack): PackDiff {
  const diff: PackDiff = { added: {}, removed: {}, changed: {}, settings: [] };
  const before = byKey(from);
  const after = byKey(to);
  for (const [key, entry] of after) {
    const old = before.get(key);
    if (!old) {
      push(diff.added, entry.kind, entry.id);
      continue;
    }
    const fields = changedFields(old.content, entry.content);
    if (fields.length === 0 && old.mode === entry.mode) continue;
    const change: EntryChange = { id: entry.id, fields };
    if (old.mode !== entry.mode) change.mode = { from: old.mode, to: entry.mode };
    push(diff.changed, entry.kind, change);
  }
  for (const [key, entry] of before) if (!after.has(key)) push(diff.removed, entry.kind, entry.id);
  const settings: Array<[string, unknown, unknown]> = [
    ['thresholds.block', from.thresholds.block, to.thresholds.block],
    ['thresholds.review', from.thresholds.review, to.thresholds.review],
    ['ring.score', from.ring?.score, to.ring?.score],
  ];
  for (const [field, a, b] of settings) if (a !== b) diff.settings.push({ field, from: a ?? null, to: b ?? null });
  return diff;
}
