// A pack diff (GET /v1/admin/pack/diff's answer, or diffPacks of two files) as
// lines for a person: one per entry added, removed or changed, then settings.
import type { PackDiff } from '../policy/pack-diff.js';

export function diffText(diff: PackDiff): string {
  const lines: string[] = [];
  for (const [kind, ids] of Object.entries(diff.added)) for (const id of ids ?? []) lines.push(`+ ${kind} ${id}`);
  for (const [kind, ids] of Object.entries(diff.removed)) for (const id of ids ?? []) lines.push(`- ${kind} ${id}`);
  for (const [kind, changes] of Object.entries(diff.changed)) {
    for (const change of changes ?? []) {
      const what = [...(change.mode ? [`mode ${change.mode.from} -> ${change.mode.to}`] : []), ...change.fields];
      lines.push(`~ ${kind} ${change.id}: ${what.join(', ')}`);
    }
  }
  for (const setting of diff.settings) lines.push(`~ ${setting.field}: ${JSON.stringify(setting.from)} -> ${JSON.stringify(setting.to)}`);
  return lines.length === 0 ? 'no difference' : lines.join('\n');
}
