// A pack's brands cross from the build process to the event loop as MessagePack
// slices, decoded one slice per turn of the event loop: a structured clone of
// 100,000 brand objects stalls the loop for a third of a second in one piece,
// while slices of a thousand take a millisecond or two each. A thread decodes a
// slice only when it reads one of its brands (lazyBrandList).
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

/** The position a property names in a list of `count`, or -1 when it names none. */
function positionOf(property: string | symbol, count: number): number {
  if (typeof property !== 'string' || property === '') return -1;
  const position = Number(property);
  return Number.isInteger(position) && position >= 0 && position < count && String(position) === property ? position : -1;
}

/**
 * The `count` brands of `slices` as a list that decodes a slice the first time one
 * of its brands is read: a thread reads the few brands its listings name, instead
 * of decoding (and collecting) every brand of a large pack at each swap.
 */
export function lazyBrandList(slices: readonly Uint8Array[], count: number): BrandEntry[] {
  const brands = new Array<BrandEntry>(count);
  const decoded = new Uint8Array(slices.length);
  const decodeSlice = (s: number): void => {
    const slice = slices[s];
    if (decoded[s] === 1 || !slice) return;
    (unpackr.unpack(slice) as BrandEntry[]).forEach((brand, i) => {
      brands[s * BRANDS_PER_SLICE + i] = brand;
    });
    decoded[s] = 1;
  };
  const decodeAt = (property: string | symbol): void => {
    const position = positionOf(property, count);
    if (position >= 0) decodeSlice(Math.floor(position / BRANDS_PER_SLICE));
  };
  // Array methods read a holey list through `has` and property descriptors as well as `get`.
  return new Proxy(brands, {
    get(target, property, receiver) {
      decodeAt(property);
      return Reflect.get(target, property, receiver);
    },
    has(target, property) {
      decodeAt(property);
      return Reflect.has(target, property);
    },
    getOwnPropertyDescriptor(target, property) {
      decodeAt(property);
      return Reflect.getOwnPropertyDescriptor(target, property);
    },
    ownKeys(target) {
      for (let s = 0; s < slices.length; s++) decodeSlice(s);
      return Reflect.ownKeys(target);
    },
  });
}
