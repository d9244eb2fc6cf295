import type { FieldIssue } from '../validation/field-issues.js';
import type { CompiledPack } from './compiled-pack.js';
import type { BrandEntry } from './policy-pack.js';
import type { SeedCounts } from './seed-pack-entries.js';

export interface PackBuildRequest {
  id: number;
  /** The pack as JSON text: parsing it is part of the work kept off the event loop. */
  json: string;
  /** Brands rights holders registered, already validated, added to the pack's own. */
  extraBrands?: BrandEntry[];
  /** Write the pack's lists and banks to Redis (not for a rebuild that only adds registered brands). */
  seed: boolean;
}

export type PackBuildReply =
  | { id: number; kind: 'compiled'; compiled: CompiledPack; seeded?: SeedCounts }
  | { id: number; kind: 'invalid'; issues: FieldIssue[] }
  | { id: number; kind: 'failed'; message: string };
