// A change against the live pack, for a backtest (issue 26 point 3): entries to
// add or replace, entries to remove, new thresholds. The candidate is the live pack
// with the change applied; the pack-build process then validates it as any upload.
// Lists and banked items are not part of a change: a backtest replays the live
// lists and banks (docs/policy-lifecycle.md).
import { FieldIssues, describeType, isPlainObject } from '../validation/field-issues.js';
import type { PolicyPack } from '../pack/policy-pack.js';

/** The kinds of entry a change adds or removes, each by the field that names it. */
const CHANGEABLE = { brands: 'id', indicators: 'term', exceptions: 'term', rules: 'id' } as const;
type ChangeableKind = keyof typeof CHANGEABLE;
const KINDS = Object.keys(CHANGEABLE) as ChangeableKind[];
const TOP_LEVEL = ['add', 'remove', 'thresholds', 'packVersion'];

function isChangeable(kind: string): kind is ChangeableKind {
  return Object.hasOwn(CHANGEABLE, kind);
}

function keyOf(kind: ChangeableKind, entry: unknown): string | undefined {
  if (!isPlainObject(entry)) return undefined;
  const key = entry[CHANGEABLE[kind]];
  return typeof key === 'string' && key !== '' ? key : undefined;
}

function checkKinds(issues: FieldIssues, path: string, value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    issues.add(path, `must be an object with any of ${KINDS.join(', ')}, not ${describeType(value)}`);
    return {};
  }
  for (const kind of Object.keys(value)) {
    if (isChangeable(kind)) continue;
    const why = kind === 'lists' || kind === 'fingerprints' ? ': a backtest replays the live lists and banks' : `; a change names ${KINDS.join(', ')}`;
    issues.add(`${path}.${kind}`, `is not part of a change${why}`);
  }
  return value;
}

/** Where `change` is not a valid change against `live`, the first issue found; otherwise the candidate pack. */
export function applyPackChange(live: PolicyPack, change: unknown): { candidate: PolicyPack } | { issues: FieldIssues } {
  const issues = new FieldIssues();
  if (!isPlainObject(change)) {
    issues.add('body', `must be an object { "add": {...}, "remove": {...}, "thresholds": {...} }, not ${describeType(change)}`);
    return { issues };
  }
  for (const field of Object.keys(change)) if (!TOP_LEVEL.includes(field)) issues.add(field, `is not part of a change (${TOP_LEVEL.join(', ')})`);
  const add = checkKinds(issues, 'add', change.add);
  const remove = checkKinds(issues, 'remove', change.remove);
  const candidate: PolicyPack = {
    ...live,
    brands: [...live.brands],
    indicators: [...live.indicators],
    exceptions: [...live.exceptions],
    rules: [...live.rules],
  };

  for (const kind of KINDS) {
    const removed = remove[kind];
    if (removed === undefined) continue;
    if (!Array.isArray(removed)) {
      issues.add(`remove.${kind}`, `must be an array of the ${CHANGEABLE[kind]}s to remove, not ${describeType(removed)}`);
      continue;
    }
    removed.forEach((key: unknown, i) => {
      const entries: unknown[] = candidate[kind];
      const at = entries.findIndex((entry) => keyOf(kind, entry) === key);
      if (typeof key !== 'string') issues.add(`remove.${kind}[${i}]`, `must be a string (the ${CHANGEABLE[kind]}), not ${describeType(key)}`);
      else if (at < 0) issues.add(`remove.${kind}[${i}]`, `names no entry of the live pack ("${key}")`);
      else entries.splice(at, 1);
    });
  }
  for (const kind of KINDS) {
    const added = add[kind];
    if (added === undefined) continue;
    if (!Array.isArray(added)) {
      issues.add(`add.${kind}`, `must be an array of entries, not ${describeType(added)}`);
      continue;
    }
    added.forEach((entry: unknown, i) => {
      const key = keyOf(kind, entry);
      if (key === undefined) {
        issues.add(`add.${kind}[${i}].${CHANGEABLE[kind]}`, 'is required: a non-empty string');
        return;
      }
      // An entry with the key of a live one replaces it (a new score, a new mode).
      const entries: unknown[] = candidate[kind];
      const at = entries.findIndex((other) => keyOf(kind, other) === key);
      if (at >= 0) entries.splice(at, 1, entry);
      else entries.push(entry);
    });
  }
  if (change.thresholds !== undefined) {
    if (!isPlainObject(change.thresholds))
      issues.add('thresholds', `must be an object { "block": <number>, "review": <number> }, not ${describeType(change.thresholds)}`);
    else candidate.thresholds = { ...live.thresholds, ...change.thresholds };
  }
  if (change.packVersion !== undefined) {
    if (typeof change.packVersion !== 'string' || change.packVersion === '') issues.add('packVersion', 'must be a non-empty string');
    else candidate.packVersion = change.packVersion;
  } else candidate.packVersion = `${live.packVersion}+change`;
  if (!issues.empty) return { issues };
  return { candidate };
}
