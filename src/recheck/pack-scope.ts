// The scope of a re-check job started with a pack made live: the entries added,
// removed and changed against the pack it replaced (PackDiff's ids) and the
// settings that differ. It decides nothing (any listing may meet a changed rule,
// so every listing is matched); it says what the job follows.
import { diffPacks } from '../policy/pack-diff.js';
import { packEntries } from '../policy/pack-entries.js';
import type { PolicyPack } from '../pack/policy-pack.js';
import type { PackEntryIds, RecheckScope } from './recheck-scope.js';

export function packScope(before: PolicyPack | undefined, after: PolicyPack): RecheckScope {
  if (!before) {
    const added: PackEntryIds = {};
    for (const entry of packEntries(after)) (added[entry.kind] ??= []).push(entry.id);
    return { kind: 'pack', from: '', to: after.packVersion, added, removed: {}, changed: {}, settings: [] };
  }
  const diff = diffPacks(before, after);
  const changed: PackEntryIds = Object.fromEntries(Object.entries(diff.changed).map(([kind, changes]) => [kind, changes.map((change) => change.id)]));
  return {
    kind: 'pack',
    from: before.packVersion,
    to: after.packVersion,
    added: diff.added,
    removed: diff.removed,
    changed,
    settings: diff.settings.map((setting) => setting.field),
  };
}
