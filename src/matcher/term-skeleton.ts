// A term's skeleton: one byte per character of the term that is not a separator,
// in order, saying what the character is and whether a word of the term starts
// there. A match of the term's expression takes exactly one character of text per
// skeleton byte (separators aside), so the skeleton lines the two up for the
// disguise guard. Regex rules have an empty skeleton and no guard.

export const SKELETON_LETTER = 1;
export const SKELETON_DIGIT = 2;
/** A CJK character or a letter of another script. */
export const SKELETON_OTHER = 3;
export const SKELETON_KIND_MASK = 0x0f;
/** The term has a separator (a space between its words, its own punctuation) before this character. */
export const SKELETON_WORD_START = 0x80;

/** Every pattern's skeleton, back to back, as the pattern meta carries it. */
export interface Skeletons {
  /** Skeleton bytes of all patterns. */
  bytes: Uint8Array;
  /** Where pattern `id`'s skeleton starts in `bytes`; entry `id + 1` is where it ends. */
  starts: Uint32Array;
}

export function packSkeletons(perPattern: readonly Uint8Array[]): Skeletons {
  const starts = new Uint32Array(perPattern.length + 1);
  let size = 0;
  perPattern.forEach((skeleton, id) => {
    starts[id] = size;
    size += skeleton.length;
  });
  starts[perPattern.length] = size;
  const bytes = new Uint8Array(size);
  perPattern.forEach((skeleton, id) => bytes.set(skeleton, starts[id] ?? 0));
  return { bytes, starts };
}

export function skeletonOf(bytes: Uint8Array, starts: Uint32Array, id: number): Uint8Array {
  return bytes.subarray(starts[id] ?? 0, starts[id + 1] ?? 0);
}
