// What the check path reads of a pack's shadow list values and banked items,
// built once per pack and thread: sets of values, parsed hashes, gram sets.
import { parsePhash, hammingDistance, type Phash } from '../fingerprint/phash.js';
import { IMAGE_MATCH_DISTANCE } from '../fingerprint/image-index.js';
import { TEXT_MATCH_SIMILARITY } from '../fingerprint/text-index.js';
import { gramSimilarity, textGrams } from '../fingerprint/text-grams.js';
import { LIST_KINDS, type ListKind, type ShadowEntries } from '../pack/policy-pack.js';
import type { CheckRequest } from './check-request.js';
import type { ListHit } from './list-hit.js';
import { listProbes } from './list-probes.js';

export interface ShadowIndex {
  lists: ReadonlyMap<ListKind, ReadonlySet<string>>;
  images: ReadonlyArray<{ ref: string; hash: Phash }>;
  texts: ReadonlyArray<{ ref: string; grams: Uint32Array }>;
}

const indexes = new WeakMap<ShadowEntries, ShadowIndex>();

export function shadowIndexOf(entries: ShadowEntries): ShadowIndex {
  let index = indexes.get(entries);
  if (!index) {
    const lists = new Map<ListKind, ReadonlySet<string>>();
    for (const kind of LIST_KINDS) if (entries.lists[kind].length > 0) lists.set(kind, new Set(entries.lists[kind]));
    index = {
      lists,
      images: entries.images.map((image) => ({ ref: image.ref, hash: parsePhash(image.phash) })),
      texts: entries.texts.map((text) => ({ ref: text.ref, grams: textGrams(text.text) })),
    };
    indexes.set(entries, index);
  }
  return index;
}

/** The listing's seller, shop and identity values on the shadow lists. */
export function shadowListHits(index: ShadowIndex, request: CheckRequest): ListHit[] {
  if (index.lists.size === 0) return [];
  return listProbes(request).filter((probe) => index.lists.get(probe.kind)?.has(probe.value) === true);
}

/** Shadow banked images within the matching distance of one of the listing's images (the closest per image). */
export function shadowImageHits(index: ShadowIndex, request: CheckRequest): Array<{ ref: string; field: string }> {
  const out: Array<{ ref: string; field: string }> = [];
  if (index.images.length === 0) return out;
  request.images?.forEach((image, i) => {
    if (image.phash === undefined) return;
    const { hi, lo } = parsePhash(image.phash);
    let best: { ref: string; distance: number } | undefined;
    for (const banked of index.images) {
      const distance = hammingDistance(hi, lo, banked.hash.hi, banked.hash.lo);
      if (distance <= IMAGE_MATCH_DISTANCE && (!best || distance < best.distance)) best = { ref: banked.ref, distance };
    }
    if (best) out.push({ ref: best.ref, field: `images[${i}].phash` });
  });
  return out;
}

/** Shadow banked texts the listing's title and description are a near-duplicate of, most similar first. */
export function shadowTextHits(index: ShadowIndex, request: CheckRequest): Array<{ ref: string; field: string }> {
  if (index.texts.length === 0) return [];
  const grams = textGrams(`${request.title}\n${request.description ?? ''}`);
  const field = request.description ? 'description' : 'title';
  return index.texts
    .map((text) => ({ ref: text.ref, similarity: gramSimilarity(grams, text.grams) }))
    .filter((hit) => hit.similarity >= TEXT_MATCH_SIMILARITY)
    .sort((a, b) => b.similarity - a.similarity)
    .map((hit) => ({ ref: hit.ref, field }));
}
