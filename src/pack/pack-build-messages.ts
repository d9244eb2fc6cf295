import type { FieldIssue } from '../validation/field-issues.js';
import type { CompiledPack } from './compiled-pack.js';
import type { BrandEntry } from './policy-pack.js';

export interface PackBuildRequest {
  id: number;
  /** The pack as JSON text: parsing it is part of the work kept off the event loop. */
  json: string;
  /** Brands rights holders registered, already validated, added to the pack's own. */
  extraBrands?: BrandEntry[];
}

export type PackBuildReply =
  | { id: number; kind: 'compiled'; compiled: CompiledPack }
  | { id: number; kind: 'invalid'; issues: FieldIssue[] }
  | { id: number; kind: 'failed'; message: string };
