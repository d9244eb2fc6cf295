// The four fingerprint indexes a matching worker consults, in one shared buffer:
// banned images and texts, and the "never match" (negative) images and texts that
// rights holders and authorised sellers register to stop false positives.
import { IMAGE_INDEX_ARRAYS, imageIndexArrays, imageIndexFromArrays, type ImageIndexData } from './image-index.js';
import { shareArrays, viewArrays, type SharedArrays } from './shared-arrays.js';
import { TEXT_INDEX_ARRAYS, textIndexArrays, textIndexFromArrays, type TextIndexData } from './text-index.js';

export interface FingerprintIndexes {
  bannedImages: ImageIndexData;
  negativeImages: ImageIndexData;
  bannedTexts: TextIndexData;
  negativeTexts: TextIndexData;
}

/** What a task carries: a version (workers cache by it) and one shared buffer. */
export interface SharedFingerprints {
  version: number;
  arrays: SharedArrays;
}

export function shareFingerprints(version: number, indexes: FingerprintIndexes): SharedFingerprints {
  return {
    version,
    arrays: shareArrays([
      ...imageIndexArrays(indexes.bannedImages),
      ...imageIndexArrays(indexes.negativeImages),
      ...textIndexArrays(indexes.bannedTexts),
      ...textIndexArrays(indexes.negativeTexts),
    ]),
  };
}

export function fingerprintsFromShared(shared: SharedFingerprints): FingerprintIndexes {
  const arrays = viewArrays(shared.arrays);
  let at = 0;
  const take = (n: number): Uint32Array[] => arrays.slice(at, (at += n));
  return {
    bannedImages: imageIndexFromArrays(take(IMAGE_INDEX_ARRAYS)),
    negativeImages: imageIndexFromArrays(take(IMAGE_INDEX_ARRAYS)),
    bannedTexts: textIndexFromArrays(take(TEXT_INDEX_ARRAYS)),
    negativeTexts: textIndexFromArrays(take(TEXT_INDEX_ARRAYS)),
  };
}
