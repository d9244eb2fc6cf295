// A listing's normalized text without its spaces, which term patterns scan
// (term-expression.ts). Normalized text has every soft separator as a space, so
// removing the spaces reads a term through any separator placed inside it; the
// way back to normalized offsets is kept per stretch between two spaces.
const SPACE = 0x20;

export interface SpacelessText {
  readonly bytes: Buffer;
  /** Where each stretch starts in `bytes`, ascending. */
  readonly stretchStarts: Uint32Array;
  /** Where the same stretch starts in the normalized text. */
  readonly normalizedStarts: Uint32Array;
}

export function spacelessText(normalized: Buffer): SpacelessText {
  const stretchStarts: number[] = [];
  const normalizedStarts: number[] = [];
  const out = Buffer.allocUnsafe(normalized.length);
  let size = 0;
  let from = 0;
  while (from <= normalized.length) {
    let space = normalized.indexOf(SPACE, from);
    if (space < 0) space = normalized.length;
    if (space > from) {
      stretchStarts.push(size);
      normalizedStarts.push(from);
      size += normalized.copy(out, size, from, space);
    }
    from = space + 1;
  }
  return { bytes: out.subarray(0, size), stretchStarts: Uint32Array.from(stretchStarts), normalizedStarts: Uint32Array.from(normalizedStarts) };
}

/** The normalized offset of a byte of spaceless text (`byte < bytes.length`). */
export function normalizedOffset(text: SpacelessText, byte: number): number {
  let low = 0;
  let high = text.stretchStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if ((text.stretchStarts[middle] ?? 0) <= byte) low = middle;
    else high = middle - 1;
  }
  return (text.normalizedStarts[low] ?? 0) + byte - (text.stretchStarts[low] ?? 0);
}
