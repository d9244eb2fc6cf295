// A change against the live pack, for a backtest (issue 26 point 3): entries to
// add or replace, entries to remove, new thresholds. The candidate is the live pack
// with the change applied; the pack-build process then validates it as any upload.
// List values and banked items a change adds go into the candidate (which seeding
// would add to the live lists and banks); those it removes are kept apart, for the
// backtest to take out of the live ones (docs/policy-lifecycle.md).
import { FieldIssues, describeType, isPlainObject } from '../validation/field-issues.js';
import { emptyPackLists, LIST_KINDS, type PolicyPack } from '../pack/policy-pack.js';
import { noRemovals, type ListAndBankRemovals } from '../backtest/backtest-candidate.js';

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
    if (isChangeable(kind) || kind === 'lists' || kind === 'fingerprints') continue;
    issues.add(`${path}.${kind}`, `is not part of a change; a change names ${[...KINDS, 'lists', 'fingerprints'].join(', ')}`);
  }
  return value;
}

/** `{ <list kind>: [...] }` or `{ images: [...], texts: [...] }`: each key known, each value an array. */
function checkGroups(issues: FieldIssues, path: string, value: unknown, keys: readonly string[]): Record<string, unknown[]> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    issues.add(path, `must be an object with any of ${keys.join(', ')}, not ${describeType(value)}`);
    return {};
  }
  const groups: Record<string, unknown[]> = {};
  for (const [key, items] of Object.entries(value)) {
    if (!keys.includes(key)) issues.add(`${path}.${key}`, `is not one of ${keys.join(', ')}`);
    else if (!Array.isArray(items)) issues.add(`${path}.${key}`, `must be an array, not ${describeType(items)}`);
    else groups[key] = items;
  }
  return groups;
}

const BANKS = ['images', 'texts'] as const;

/** The list values and banked refs a change removes from the live lists and banks. */
function removalsOf(issues: FieldIssues, remove: Record<string, unknown>): ListAndBankRemovals {
  const removals = noRemovals();
  const strings = (path: string, items: unknown[], into: string[]): void =>
    items.forEach((item, i) => {
      if (typeof item === 'string' && item !== '') into.push(item);
      else issues.add(`${path}[${i}]`, `must be a non-empty string, not ${describeType(item)}`);
    });
  for (const [kind, items] of Object.entries(checkGroups(issues, 'remove.lists', remove.lists, LIST_KINDS)))
    strings(`remove.lists.${kind}`, items, removals.lists[kind as (typeof LIST_KINDS)[number]]);
  for (const [bank, items] of Object.entries(checkGroups(issues, 'remove.fingerprints', remove.fingerprints, BANKS)))
    strings(`remove.fingerprints.${bank}`, items, removals[bank as (typeof BANKS)[number]]);
  return removals;
}

/** Where `change` is not a valid change against `live`, the first issue found; otherwise the candidate pack. */
export function applyPackChange(live: PolicyPack, change: unknown): { candidate: PolicyPack; removals: ListAndBankRemovals } | { issues: FieldIssues } {
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
    // The live pack holds no lists or banks (they are in Redis): the candidate's are the change's additions, checked as a pack's.
    lists: emptyPackLists(),
    fingerprints: { images: [], texts: [] },
  };
  for (const [kind, values] of Object.entries(checkGroups(issues, 'add.lists', add.lists, LIST_KINDS)))
    candidate.lists[kind as (typeof LIST_KINDS)[number]] = values as string[];
  const banks = checkGroups(issues, 'add.fingerprints', add.fingerprints, BANKS);
  if (banks.images) candidate.fingerprints.images = banks.images as PolicyPack['fingerprints']['images'];
  if (banks.texts) candidate.fingerprints.texts = banks.texts as PolicyPack['fingerprints']['texts'];
  const removals = removalsOf(issues, remove);

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
  return { candidate, removals };
}
