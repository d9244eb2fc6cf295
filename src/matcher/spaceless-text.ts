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

const ONE_STRETCH = Uint32Array.of(0);

/** The spaceless text, written at the start of `out` (at least `normalized.length` bytes). */
export function spacelessText(normalized: Buffer, out: Buffer): SpacelessText {
  let spaces = 0;
  for (let at = normalized.indexOf(SPACE); at >= 0; at = normalized.indexOf(SPACE, at + 1)) spaces++;
  if (spaces === 0) {
    normalized.copy(out);
    return { bytes: out.subarray(0, normalized.length), stretchStarts: ONE_STRETCH, normalizedStarts: ONE_STRETCH };
  }
  const stretchStarts = new Uint32Array(spaces + 1);
  const normalizedStarts = new Uint32Array(spaces + 1);
  let stretches = 0;
  let size = 0;
  let from = 0;
  while (from <= normalized.length) {
    let space = normalized.indexOf(SPACE, from);
    if (space < 0) space = normalized.length;
    if (space > from) {
      stretchStarts[stretches] = size;
      normalizedStarts[stretches] = from;
      stretches++;
      size += normalized.copy(out, size, from, space);
    }
    from = space + 1;
  }
  if (stretches === 0) return { bytes: out.subarray(0, 0), stretchStarts: ONE_STRETCH, normalizedStarts: ONE_STRETCH };
  return { bytes: out.subarray(0, size), stretchStarts: stretchStarts.subarray(0, stretches), normalizedStarts: normalizedStarts.subarray(0, stretches) };
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
