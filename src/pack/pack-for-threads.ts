// What a thread that judges listings (a check thread, a re-check job's) needs of a
// compiled pack: its lists and banks stay on the event loop (they can be millions
// of entries); the database and meta are shared memory.
import type { CompiledPack } from './compiled-pack.js';
import { LIST_KINDS, type PackLists } from './policy-pack.js';

const NO_LISTS = Object.fromEntries(LIST_KINDS.map((kind) => [kind, []])) as unknown as PackLists;

export function packForThreads(compiled: CompiledPack): CompiledPack {
  return { ...compiled, pack: { ...compiled.pack, lists: NO_LISTS, fingerprints: { texts: [], images: [] } } };
}
