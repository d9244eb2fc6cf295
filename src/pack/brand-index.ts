// The live brand ids of a compiled pack (the brands enforced now) and, for
// brands rights holders registered, their owners: asked on every check.
import type { CompiledPack } from './compiled-pack.js';

export interface BrandIndex {
  ids: Set<string>;
  owners: Map<string, string>;
}

const indexes = new WeakMap<CompiledPack, BrandIndex>();

/** Kept for a pack whose index was built while it was being received (brand-slices.ts). */
export function rememberBrandIndex(compiled: CompiledPack, index: BrandIndex): void {
  indexes.set(compiled, index);
}

export function brandIndexOf(compiled: CompiledPack): BrandIndex {
  let index = indexes.get(compiled);
  if (!index) {
    index = { ids: new Set(compiled.pack.brands.map((b) => b.id)), owners: new Map() };
    for (const brand of compiled.pack.brands) if (brand.owner) index.owners.set(brand.id, brand.owner);
    indexes.set(compiled, index);
  }
  return index;
}
