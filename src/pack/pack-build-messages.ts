import type { FieldIssue } from '../validation/field-issues.js';
import type { CompiledPack } from './compiled-pack.js';
import type { BrandEntry, ShadowEntries } from './policy-pack.js';
import type { DatabaseCacheConfig } from './database-cache.js';
import type { BodyFormat } from '../http/decode-body.js';
import type { SeedCounts } from './seed-pack-entries.js';

/** The first message to a pack-build process: where its Redis is. */
export interface PackBuildInit {
  kind: 'init';
  cache: DatabaseCacheConfig;
}

export interface PackBuildRequest {
  kind: 'build';
  id: number;
  /** A file holding the pack as uploaded: decoding it is part of the work kept away from the serving process. */
  sourcePath: string;
  format: BodyFormat;
  /** Brands rights holders registered, already validated, added to the pack's own. */
  extraBrands?: BrandEntry[];
  /** Write the pack's lists and banks to Redis (not for a rebuild that only adds registered brands). */
  seed: boolean;
  /** A backtest's candidate: the list values and banked items Redis does not hold come back, refused past this many. */
  unseededAtMost?: number;
  /** Where the build writes the compiled pack's bytes (see BuiltSections). */
  resultPath: string;
}

/** A compiled pack without its bytes, which follow in the result file; its brands follow as MessagePack slices (see brand-slices.ts). */
export type CompiledDescriptor = Omit<CompiledPack, 'pack' | 'databaseBytes' | 'meta'> & { pack: Omit<CompiledPack['pack'], 'brands'> };

/** Byte lengths of what the result file holds, back to back in this order. */
export interface BuiltSections {
  database: number;
  kinds: number;
  refs: number;
  boundaries: number;
  fieldMasks: number;
  skeletons: number;
  skeletonStarts: number;
  soundFold: number;
  brandSlices: number[];
}

export type PackBuildReply =
  | { id: number; kind: 'compiled'; compiled: CompiledDescriptor; sections: BuiltSections; seeded?: SeedCounts; unseeded?: ShadowEntries; peakRssBytes: number }
  | { id: number; kind: 'invalid'; issues: FieldIssue[] }
  | { id: number; kind: 'unreadable'; code: 'GATE_ERR_INVALID_BODY' | 'GATE_ERR_EMPTY_BODY'; message: string }
  | { id: number; kind: 'failed'; message: string };
