// The version `gatectl pack rollback` without --to goes back to: the one made
// live before the live one. Rollbacks are left out of that order (they repeat an
// older version), so a second rollback goes further back instead of returning
// to where the first one left; candidates are left out (never live).
import type { PackAction } from '../policy/pack-history.js';

export interface VersionEntry {
  version: string;
  action: PackAction;
}

/** `versions` newest first, as GET /v1/admin/pack/versions lists them; undefined when there is none. */
export function earlierVersion(live: string | null, versions: readonly VersionEntry[]): string | undefined {
  const madeLive = versions.filter((entry) => entry.action !== 'rollback' && entry.action !== 'candidate');
  const at = madeLive.findIndex((entry) => entry.version === live);
  if (at < 0) return undefined;
  return madeLive.slice(at + 1).find((entry) => entry.version !== live)?.version;
}
