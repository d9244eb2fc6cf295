// What a thread that judges listings (a check thread, a re-check job's) needs of a
// compiled pack: its lists and banks stay on the event loop (they can be millions
// of entries); the database and meta are shared memory. A pack from the build
// process sends its brands as the MessagePack slices the build made, decoded on
// the thread a slice per turn instead of cloned whole (see 8afab1e for the cost).
import { rememberBrandIndex } from './brand-index.js';
import { decodeBrandSlices } from './brand-slices.js';
import type { CompiledPack } from './compiled-pack.js';
import { LIST_KINDS, type PackLists } from './policy-pack.js';

const NO_LISTS = Object.fromEntries(LIST_KINDS.map((kind) => [kind, []])) as unknown as PackLists;

export function packForThreads(compiled: CompiledPack): CompiledPack {
  const brands = compiled.brandSlices ? [] : compiled.pack.brands;
  return { ...compiled, pack: { ...compiled.pack, brands, lists: NO_LISTS, fingerprints: { texts: [], images: [] } } };
}

/** On the thread: the pack as sent, with its brands decoded from their slices (yielding between them) and their index kept. */
export async function receivePackForThreads(sent: CompiledPack): Promise<CompiledPack> {
  const { brandSlices, ...rest } = sent;
  if (!brandSlices) return sent;
  const { brands, index } = await decodeBrandSlices(brandSlices);
  const compiled: CompiledPack = { ...rest, pack: { ...sent.pack, brands } };
  rememberBrandIndex(compiled, index);
  return compiled;
}
