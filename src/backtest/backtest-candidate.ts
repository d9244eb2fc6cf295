// A backtest's candidate: its compiled pack, what going live would add to the live
// lists and banks (seeding adds the values and banked items Redis does not hold),
// and what a change against the live pack takes out of them.
import type { CompiledPack } from '../pack/compiled-pack.js';
import { emptyPackLists, type PackLists, type ShadowEntries } from '../pack/policy-pack.js';

export interface ListAndBankRemovals {
  lists: PackLists;
  /** Refs of banked images and texts. */
  images: string[];
  texts: string[];
}

export interface BacktestCandidate {
  compiled: CompiledPack;
  additions: ShadowEntries;
  removals: ListAndBankRemovals;
}

/** Most list values and banked items a candidate may add to the live ones: each listing of the sample is compared with every one. */
export const BACKTEST_ADDITIONS_AT_MOST = 10_000;

export function noRemovals(): ListAndBankRemovals {
  return { lists: emptyPackLists(), images: [], texts: [] };
}
