// What a Redis holds, by key family: the ids, hashes and numbers in key names
// folded to `*`, with the bytes (MEMORY USAGE) and keys of each, and the bound
// docs/redis-keys.md gives the family, which the projection to 100M listings a
// day applies.
import type { Redis } from 'ioredis';

/** How a family's size ends: a retention window (of blocks/reviews, or of allows), a length cap, something other than traffic, or not yet. */
export type FamilyBound = 'retention' | 'allow-window' | 'two days' | 'pending items' | 'capped' | 'not traffic' | 'not yet bounded';

export interface FamilyUsage {
  family: string;
  keys: number;
  bytes: number;
  bound: FamilyBound;
}

/** A key's family: hash-tag numbers and name segments holding digits, ids (`rv_…`) or long ones become `*`. */
export function familyOf(key: string): string {
  return key
    .replace(/\{verdicts:\d+\}/, '{verdicts:*}')
    .split(':')
    .map((segment, i) => (i > 0 && !segment.startsWith('{') && (/\d/.test(segment) || /^[a-z]{2}_/.test(segment) || segment.length > 24) ? '*' : segment))
    .join(':');
}

export function boundOf(family: string): FamilyBound {
  if (/\{verdicts:\*\}:a:/.test(family)) return 'allow-window';
  if (/\{verdicts:\*\}:v:|\{review\}:(decided|version|item|dedupe|open)|\{outcomes\}|\{spool\}|\{reports\}:rate/.test(family)) return 'retention';
  if (/\{review\}:stream/.test(family)) return 'two days';
  if (/\{review\}:near/.test(family)) return 'pending items';
  if (/\{(review|webhook)\}:dead$/.test(family)) return 'capped';
  // Open complaints and reports last while their review item is pending; settled complaints and decided appeals the retention window.
  if (/\{complaints\}:open|\{reports\}:(open|reporters)/.test(family)) return 'pending items';
  if (/\{complaints\}:(item|holder)|\{appeals\}/.test(family)) return 'retention';
  // A day's figures are bounded by brands, but days add up (docs/redis-keys.md).
  if (/\{figures\}/.test(family)) return 'not yet bounded';
  return 'not traffic';
}

export async function familyUsage(admin: Redis): Promise<FamilyUsage[]> {
  const families = new Map<string, FamilyUsage>();
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'COUNT', 1000);
    cursor = next;
    const sizing = admin.pipeline();
    for (const key of keys) sizing.memory('USAGE', key, 'SAMPLES', '0');
    const sizes = (await sizing.exec()) ?? [];
    keys.forEach((key, i) => {
      const family = familyOf(key);
      const usage = families.get(family) ?? { family, keys: 0, bytes: 0, bound: boundOf(family) };
      usage.keys++;
      usage.bytes += Number(sizes[i]?.[1] ?? 0);
      families.set(family, usage);
    });
  } while (cursor !== '0');
  return [...families.values()].sort((a, b) => b.bytes - a.bytes);
}
