// The owners of a compiled pack's brands that rights holders registered (by live
// id, `<holder>/<brandId>`): asked on every check that matched a banked entry.
import type { BrandEntry } from './policy-pack.js';

export interface BrandIndex {
  owners: Map<string, string>;
}

/** What an index is built from: a pack's brand list, which the copies of a compiled pack share (the live pack without its seeded entries, a thread's). */
export interface HasBrands {
  pack: { brands: readonly BrandEntry[] };
}

// Keyed by the brand list, not the compiled pack: an index built as the brands arrived
// serves every copy of the pack made after, instead of being built again by a check.
const indexes = new WeakMap<readonly BrandEntry[], BrandIndex>();

/** Kept for a pack whose index was built while it was being received (brand-slices.ts, pack-for-threads.ts). */
export function rememberBrandIndex(compiled: HasBrands, index: BrandIndex): void {
  indexes.set(compiled.pack.brands, index);
}

export function emptyBrandIndex(): BrandIndex {
  return { owners: new Map() };
}

export function indexBrand(index: BrandIndex, brand: BrandEntry): void {
  if (brand.owner) index.owners.set(brand.id, brand.owner);
}

export function brandIndexOf(compiled: HasBrands): BrandIndex {
  const { brands } = compiled.pack;
  let index = indexes.get(brands);
  if (!index) {
    index = emptyBrandIndex();
    for (const brand of brands) indexBrand(index, brand);
    indexes.set(brands, index);
  }
  return index;
}
