// What a backtest found: the listings whose verdict the candidate pack changes,
// counted by transition (allow→block, …) and by the entry that caused it. An
// entry is named by a reason the candidate gives and the live pack does not
// (`added`), or the other way round (`removed`); a change with the same reasons
// on both sides is `rescored` (a threshold or an entry's score changed).
import type { Reason, Verdict } from '../gate/reason.js';

/** One side's judgement of a listing. */
export interface SideVerdict {
  verdict: Verdict;
  reasons: readonly Reason[];
}

export interface TransitionCount {
  count: number;
  /** The first listing ids seen with it, at most the examples asked for. */
  examples: string[];
}

export interface EntryChange {
  change: 'added' | 'removed' | 'rescored';
  /** The reason's code and ref; null for `rescored`. */
  code: string | null;
  ref: string | null;
  /** Changed listings with this reason on one side only. */
  listings: number;
  /** By transition (`allow→block`). */
  transitions: Record<string, number>;
  examples: string[];
}

export interface BacktestChanges {
  /** Listings replayed. */
  sample: number;
  /** Listings whose verdict the candidate changes. */
  changed: number;
  /** By transition (`allow→block`), most listings first. */
  transitions: Record<string, TransitionCount>;
  /** Most listings first. */
  entries: EntryChange[];
}

const reasonKey = (reason: Reason): string => `${reason.code}\t${reason.ref ?? ''}`;

/** Reasons that name an entry: a signal that could not be computed names none. */
function entryKeys(reasons: readonly Reason[]): Set<string> {
  const keys = new Set<string>();
  for (const reason of reasons) if (reason.code !== 'degraded') keys.add(reasonKey(reason));
  return keys;
}

export class BacktestTally {
  private sample = 0;
  private changed = 0;
  private readonly transitions = new Map<string, TransitionCount>();
  private readonly entries = new Map<string, EntryChange>();

  constructor(private readonly examples: number) {}

  add(listingId: string, live: SideVerdict, candidate: SideVerdict): void {
    this.sample++;
    if (live.verdict === candidate.verdict) return;
    this.changed++;
    const transition = `${live.verdict}→${candidate.verdict}`;
    const counted = this.transitions.get(transition) ?? { count: 0, examples: [] };
    this.transitions.set(transition, counted);
    counted.count++;
    if (counted.examples.length < this.examples) counted.examples.push(listingId);
    const before = entryKeys(live.reasons);
    const after = entryKeys(candidate.reasons);
    const added = [...after].filter((key) => !before.has(key));
    const removed = [...before].filter((key) => !after.has(key));
    for (const key of added) this.count('added', key, listingId, transition);
    for (const key of removed) this.count('removed', key, listingId, transition);
    if (added.length === 0 && removed.length === 0) this.count('rescored', undefined, listingId, transition);
  }

  private count(change: EntryChange['change'], key: string | undefined, listingId: string, transition: string): void {
    const id = `${change}\t${key ?? ''}`;
    let entry = this.entries.get(id);
    if (!entry) {
      const tab = key?.indexOf('\t') ?? -1;
      entry = {
        change,
        code: key === undefined ? null : key.slice(0, tab),
        ref: key === undefined || key.length === tab + 1 ? null : key.slice(tab + 1),
        listings: 0,
        transitions: {},
        examples: [],
      };
      this.entries.set(id, entry);
    }
    entry.listings++;
    entry.transitions[transition] = (entry.transitions[transition] ?? 0) + 1;
    if (entry.examples.length < this.examples) entry.examples.push(listingId);
  }

  result(): BacktestChanges {
    const transitions = [...this.transitions].sort(([, a], [, b]) => b.count - a.count);
    return {
      sample: this.sample,
      changed: this.changed,
      transitions: Object.fromEntries(transitions),
      entries: [...this.entries.values()].sort((a, b) => b.listings - a.listings),
    };
  }
}
