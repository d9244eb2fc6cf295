// An entry's `mode` (issue 26 point 1): `"shadow"` entries are matched and
// counted but never change a verdict, a score or a reason a caller sees.
import { describeType, type FieldIssues } from '../validation/field-issues.js';
import { ENTRY_MODES, type EntryMode } from './policy-pack.js';

/** Checks `mode` at `path`; undefined (not given, or invalid and reported) reads as `enforce`. */
export function checkEntryMode(issues: FieldIssues, path: string, value: unknown): EntryMode | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (ENTRY_MODES as readonly string[]).includes(value)) return value as EntryMode;
  issues.add(path, `must be "enforce" or "shadow", got ${typeof value === 'string' ? JSON.stringify(value) : describeType(value)}`);
  return undefined;
}
