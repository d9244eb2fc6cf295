// What a thread that judges listings (a check thread, a re-check job's) needs of a
// compiled pack: its lists and banks stay on the event loop (they can be millions
// of entries); the database and meta are shared memory. A pack from the build
// process sends its brands as the MessagePack slices the build made, decoded on
// the thread only where a check reads them, and its brand index as ids (a JSON
// array per slice, read a slice per turn) and owners (see 8afab1e for the cost of
// a clone).
import { setImmediate as nextTurn } from 'node:timers/promises';
import { brandIndexOf, emptyBrandIndex, rememberBrandIndex } from './brand-index.js';
import { lazyBrandList } from './brand-slices.js';
import type { CompiledPack } from './compiled-pack.js';
import { LIST_KINDS, type PackLists } from './policy-pack.js';

const NO_LISTS = Object.fromEntries(LIST_KINDS.map((kind) => [kind, []])) as unknown as PackLists;

/** A compiled pack as a thread is sent it; with brand slices, the owners of the brands rights holders registered. */
export interface PackForThreads extends CompiledPack {
  readonly brandOwners?: ReadonlyArray<readonly [brandId: string, owner: string]>;
}

export function packForThreads(compiled: CompiledPack): PackForThreads {
  const sliced = compiled.brandSlices !== undefined && compiled.brandIdSlices !== undefined;
  const brands = sliced ? [] : compiled.pack.brands;
  const thread = { ...compiled, pack: { ...compiled.pack, brands, lists: NO_LISTS, fingerprints: { texts: [], images: [] } } };
  return sliced ? { ...thread, brandOwners: [...brandIndexOf(compiled).owners] } : thread;
}

/** On the thread: the pack as sent, its brands decoded when read, its index built from the ids (yielding between slices). */
export async function receivePackForThreads(sent: PackForThreads): Promise<CompiledPack> {
  const { brandSlices, brandIdSlices, brandOwners, ...rest } = sent;
  if (!brandSlices || !brandIdSlices) return sent;
  const index = emptyBrandIndex();
  for (const ids of brandIdSlices) {
    await nextTurn();
    for (const id of JSON.parse(ids) as string[]) index.ids.add(id);
  }
  for (const [brandId, owner] of brandOwners ?? []) index.owners.set(brandId, owner);
  const compiled: CompiledPack = { ...rest, pack: { ...sent.pack, brands: lazyBrandList(brandSlices, index.ids.size) } };
  rememberBrandIndex(compiled, index);
  return compiled;
}
