import type { FieldIssue } from '../validation/field-issues.js';
import type { CompiledPack } from './compiled-pack.js';
import type { BrandEntry } from './policy-pack.js';
import type { PackSource } from './pack-source.js';
import type { SeedCounts } from './seed-pack-entries.js';

export interface PackBuildRequest {
  id: number;
  /** The pack as uploaded: decoding it is part of the work kept off the event loop. */
  source: PackSource;
  /** Brands rights holders registered, already validated, added to the pack's own. */
  extraBrands?: BrandEntry[];
  /** Write the pack's lists and banks to Redis (not for a rebuild that only adds registered brands). */
  seed: boolean;
}

/** A compiled pack whose brands follow as MessagePack slices (see brand-slices.ts). */
export type CompiledWithoutBrands = Omit<CompiledPack, 'pack'> & { pack: Omit<CompiledPack['pack'], 'brands'> };

export type PackBuildReply =
  | { id: number; kind: 'compiled'; compiled: CompiledWithoutBrands; brandSlices: Uint8Array[]; seeded?: SeedCounts }
  | { id: number; kind: 'invalid'; issues: FieldIssue[] }
  | { id: number; kind: 'unreadable'; code: 'GATE_ERR_INVALID_BODY' | 'GATE_ERR_EMPTY_BODY'; message: string }
  | { id: number; kind: 'failed'; message: string };
