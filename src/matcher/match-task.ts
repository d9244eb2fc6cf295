import type { TextField } from './listing-fields.js';
import type { PatternMeta } from './pattern-plan.js';
import type { TextHit } from './text-hit.js';

/** What a matching worker receives: the pack (shared memory) and a batch of listings. */
export interface MatchTask {
  packKey: string;
  databaseBytes: Uint8Array;
  meta: PatternMeta;
  listings: TextField[][];
}

export type MatchTaskResult = TextHit[][];
