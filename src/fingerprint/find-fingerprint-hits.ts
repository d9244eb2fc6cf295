// Looks a listing's images and text up in the fingerprint indexes (runs in the
// matching workers). An image or text that is also close to a negative ("never
// match") entry does not count.
import type { FingerprintIndexes } from './fingerprint-indexes.js';
import { lookupImage } from './image-index.js';
import { parsePhash } from './phash.js';
import { gramsOfNormalized } from './text-grams.js';
import type { NormalizedText } from '../normalize/normalized-text.js';
import { lookupText } from './text-index.js';

export interface FingerprintInput {
  /** `images[i].phash` of the listing, undefined where an image has none. */
  phashes: Array<string | undefined>;
}

export interface FingerprintHits {
  /** For each matching image: its position in the listing, the banked entry, the distance. */
  images: Array<{ image: number; entry: number; distance: number }>;
  /** Banked texts the listing is a near-duplicate of, most similar first. */
  texts: Array<{ entry: number; similarity: number }>;
}

/**
 * `text` is the listing's title and description, already normalized by the text
 * matcher (normalizing them again here would double the cost of a check).
 */
export function findFingerprintHits(indexes: FingerprintIndexes, input: FingerprintInput, text: readonly NormalizedText[]): FingerprintHits {
  const images: FingerprintHits['images'] = [];
  input.phashes.forEach((hex, image) => {
    if (hex === undefined || indexes.bannedImages.count === 0) return;
    const { hi, lo } = parsePhash(hex);
    const banned = lookupImage(indexes.bannedImages, hi, lo);
    if (banned.length === 0 || lookupImage(indexes.negativeImages, hi, lo).length > 0) return;
    for (const [entry, distance] of banned.sort((a, b) => a[1] - b[1])) images.push({ image, entry, distance });
  });
  let texts: FingerprintHits['texts'] = [];
  if (indexes.bannedTexts.count > 0 && text.length > 0) {
    const grams = gramsOfNormalized(text);
    const banned = lookupText(indexes.bannedTexts, grams);
    if (banned.length > 0 && lookupText(indexes.negativeTexts, grams).length === 0) {
      texts = banned.sort((a, b) => b[1] - a[1]).map(([entry, similarity]) => ({ entry, similarity }));
    }
  }
  return { images, texts };
}
