// The live brand ids of a compiled pack (the brands enforced now) and, for
// brands rights holders registered, their owners: asked on every check.
import type { CompiledPack } from './compiled-pack.js';
import type { BrandEntry } from './policy-pack.js';

export interface BrandIndex {
  ids: Set<string>;
  owners: Map<string, string>;
}

const indexes = new WeakMap<CompiledPack, BrandIndex>();

/** Kept for a pack whose index was built while it was being received (brand-slices.ts). */
export function rememberBrandIndex(compiled: CompiledPack, index: BrandIndex): void {
  indexes.set(compiled, index);
}

export function emptyBrandIndex(): BrandIndex {
  return { ids: new Set(), owners: new Map() };
}

export function indexBrand(index: BrandIndex, brand: BrandEntry): void {
  index.ids.add(brand.id);
  if (brand.owner) index.owners.set(brand.id, brand.owner);
}

export function brandIndexOf(compiled: CompiledPack): BrandIndex {
  let index = indexes.get(compiled);
  if (!index) {
    index = emptyBrandIndex();
    for (const brand of compiled.pack.brands) indexBrand(index, brand);
    indexes.set(compiled, index);
  }
  return index;
}
