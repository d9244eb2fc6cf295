// The part of a list check answered without Redis: the table of every listed
// value's hash says "not listed" for nearly every probe, and the cache holds
// Redis's earlier answers for values the table may hold. What is left is asked.
import type { ListKind } from '../pack/policy-pack.js';
import type { ListHit } from '../gate/list-hit.js';

export interface ListProbe {
  kind: ListKind;
  value: string;
  field: string;
}

export interface InProcessAnswer {
  /** Probes known to be listed. */
  hits: ListHit[];
  /** Probes only Redis can answer. */
  uncached: ListProbe[];
  /** Probes the table answered "not listed". */
  fromTable: number;
  /** Probes the cache answered. */
  fromCache: number;
}

export function listCacheKey(kind: ListKind, value: string): string {
  return `${kind}\u0000${value}`;
}

export function answerInProcess(
  probes: readonly ListProbe[],
  table: { mightContain(kind: string, value: string): boolean },
  cache: { get(key: string): boolean | undefined },
): InProcessAnswer {
  const answer: InProcessAnswer = { hits: [], uncached: [], fromTable: 0, fromCache: 0 };
  for (const probe of probes) {
    if (!table.mightContain(probe.kind, probe.value)) {
      answer.fromTable++;
      continue;
    }
    const known = cache.get(listCacheKey(probe.kind, probe.value));
    if (known === undefined) answer.uncached.push(probe);
    else {
      answer.fromCache++;
      if (known) answer.hits.push(probe);
    }
  }
  return answer;
}
