// A backtest's candidate judged with the banked items it adds to the live banks and
// without those its change removes (backtest-candidate.ts); live checks carry none.
import type { CheckRequest } from './check-request.js';
import { shadowImageHits, shadowTextHits, type ShadowIndex } from './shadow-index.js';

export interface BankChanges {
  added: ShadowIndex;
  removed: { images: ReadonlySet<string>; texts: ReadonlySet<string> };
}

interface NamedHits {
  texts: Array<{ ref: string; field: string }>;
  images: Array<{ ref: string; field: string }>;
}

export function withBankChanges(changes: BankChanges, request: CheckRequest, hits: NamedHits): NamedHits {
  return {
    images: [...hits.images.filter((hit) => !changes.removed.images.has(hit.ref)), ...shadowImageHits(changes.added, request)],
    texts: [...hits.texts.filter((hit) => !changes.removed.texts.has(hit.ref)), ...shadowTextHits(changes.added, request)],
  };
}
