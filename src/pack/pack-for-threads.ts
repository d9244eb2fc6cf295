// What a thread that judges listings (a check thread, a re-check job's) needs of a
// compiled pack: its lists and banks stay on the event loop (they can be millions
// of entries); the database and meta are shared memory. A pack from the build
// process sends its brands as the MessagePack slices the build made, decoded on
// the thread only where a check reads them, with their count and the owners of
// the registered ones (its brand index); see 8afab1e for the cost of a clone.
import { brandIndexOf, rememberBrandIndex } from './brand-index.js';
import { lazyBrandList } from './brand-slices.js';
import type { CompiledPack } from './compiled-pack.js';
import { LIST_KINDS, type PackLists } from './policy-pack.js';

const NO_LISTS = Object.fromEntries(LIST_KINDS.map((kind) => [kind, []])) as unknown as PackLists;

/** A compiled pack as a thread is sent it; with brand slices, how many brands they hold and the owners of those rights holders registered. */
export interface PackForThreads extends CompiledPack {
  readonly sentBrands?: { readonly count: number; readonly owners: ReadonlyArray<readonly [brandId: string, owner: string]> };
}

export function packForThreads(compiled: CompiledPack): PackForThreads {
  const sliced = compiled.brandSlices !== undefined;
  const thread = {
    ...compiled,
    pack: { ...compiled.pack, brands: sliced ? [] : compiled.pack.brands, lists: NO_LISTS, fingerprints: { texts: [], images: [] } },
  };
  return sliced ? { ...thread, sentBrands: { count: compiled.pack.brands.length, owners: [...brandIndexOf(compiled).owners] } } : thread;
}

/** On the thread: the pack as sent, its brands decoded where read and its brand index kept. */
export function receivePackForThreads(sent: PackForThreads): CompiledPack {
  const { brandSlices, sentBrands, ...rest } = sent;
  if (!brandSlices || !sentBrands) return sent;
  const compiled: CompiledPack = { ...rest, pack: { ...sent.pack, brands: lazyBrandList(brandSlices, sentBrands.count) } };
  rememberBrandIndex(compiled, { owners: new Map(sentBrands.owners) });
  return compiled;
}
