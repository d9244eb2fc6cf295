// A pack's brands cross from the build process to the event loop as MessagePack
// slices, decoded one slice per turn of the event loop: a structured clone of
// 100,000 brand objects stalls the loop for a third of a second in one piece,
// while slices of a thousand take a millisecond or two each.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Packr, Unpackr } from 'msgpackr';
import type { BrandEntry } from './policy-pack.js';
import { emptyBrandIndex, indexBrand, type BrandIndex } from './brand-index.js';

const BRANDS_PER_SLICE = 1000;
// Records make repeated shapes smaller and faster to decode; each slice carries its own.
const packr = new Packr({ useRecords: true });
const unpackr = new Unpackr({ useRecords: true });

export function encodeBrandSlices(brands: readonly BrandEntry[]): Uint8Array[] {
  const slices: Uint8Array[] = [];
  for (let i = 0; i < brands.length; i += BRANDS_PER_SLICE) {
    const packed = packr.pack(brands.slice(i, i + BRANDS_PER_SLICE));
    // A slice of its own buffer, so that it can be transferred rather than copied.
    slices.push(new Uint8Array(packed));
  }
  return slices;
}

/** The brands back, with their index built along the way, yielding to the event loop between slices. */
export async function decodeBrandSlices(slices: readonly Uint8Array[]): Promise<{ brands: BrandEntry[]; index: BrandIndex }> {
  const brands: BrandEntry[] = [];
  const index = emptyBrandIndex();
  for (const slice of slices) {
    await nextTurn();
    for (const brand of unpackr.unpack(slice) as BrandEntry[]) {
      brands.push(brand);
      indexBrand(index, brand);
    }
  }
  return { brands, index };
}
