import type { PatternMeta } from '../matcher/pattern-plan.js';
import type { PolicyPack } from './policy-pack.js';

/** A validated pack with its Hyperscan database, ready to be swapped in. */
export interface CompiledPack {
  readonly pack: PolicyPack;
  /** Database key: pattern set with ids and flags, engine version and platform. */
  readonly key: string;
  /** Identifies the whole pack (every entry, the version too); two packs may share a database key. */
  readonly packHash: string;
  /** Serialized database in shared memory: workers load it without a copy per task. */
  readonly databaseBytes: Uint8Array;
  readonly meta: PatternMeta;
  readonly patternCount: number;
  readonly compileMillis: number;
  /** The database came from the shared compiled-database cache instead of a compile. */
  readonly fromCache: boolean;
  /**
   * The brands as MessagePack slices (brand-slices.ts), as the build process sent
   * them: what the threads get instead of the brand objects (pack-for-threads.ts).
   */
  readonly brandSlices?: readonly Uint8Array[];
}
