/**
 * Listing text after normalization, with the way back to the caller's text.
 * Offsets into the original are UTF-16 code unit indices (JavaScript string
 * indices), the unit a reviewer's page highlights with.
 */
/** Normalized text without the way back to the original (for fingerprints). */
export interface NormalizedChars {
  /** Number of normalized code points. */
  readonly length: number;
  /** The normalized text as UTF-8. */
  readonly bytes: Buffer;
  /** Character class of each normalized code point (see CharClass). */
  readonly classes: Uint8Array;
}

export interface NormalizedText extends NormalizedChars {
  /** For each normalized code point, where its source starts in the original. */
  readonly originStart: Uint32Array;
  /** For each normalized code point, where its source ends in the original (exclusive). */
  readonly originEnd: Uint32Array;
  /** For each byte of `bytes` (and one past the end), the index of its code point. */
  readonly byteToIndex: Uint32Array;
}

export interface OriginalSpan {
  start: number;
  end: number;
}

/** Maps a byte range of the normalized text to the original text it came from. */
export function originalSpan(text: NormalizedText, fromByte: number, toByte: number): OriginalSpan {
  const count = text.length;
  if (count === 0) return { start: 0, end: 0 };
  const first = Math.min(text.byteToIndex[fromByte] ?? count - 1, count - 1);
  const last = Math.min(text.byteToIndex[Math.max(toByte - 1, fromByte)] ?? count - 1, count - 1);
  return { start: text.originStart[first] ?? 0, end: text.originEnd[last] ?? 0 };
}

/** The normalized character index at a byte offset. */
export function indexAtByte(text: NormalizedText, byte: number): number {
  return text.byteToIndex[byte] ?? text.length;
}
