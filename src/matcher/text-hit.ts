import type { PatternKind } from './pattern-plan.js';

/** One text signal found in a listing, with offsets into the caller's original field. */
export interface TextHit {
  kind: PatternKind;
  /** Index of the pack entry: brand, indicator or rule. */
  ref: number;
  field: string;
  start: number;
  end: number;
}
