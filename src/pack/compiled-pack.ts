import type { PatternMeta } from '../matcher/pattern-plan.js';
import type { PolicyPack } from './policy-pack.js';

/** A validated pack with its Hyperscan database, ready to be swapped in. */
export interface CompiledPack {
  readonly pack: PolicyPack;
  /** Content key: pattern set with ids and flags, engine version and platform. */
  readonly key: string;
  /** Serialized database in shared memory: workers load it without a copy per task. */
  readonly databaseBytes: Uint8Array;
  readonly meta: PatternMeta;
  readonly patternCount: number;
  readonly compileMillis: number;
}
