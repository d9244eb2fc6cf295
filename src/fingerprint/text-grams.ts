// The character 3-grams of a text after normalization, ignoring spaces and
// punctuation, as a sorted set of 32-bit hashes. Character (not word) grams, so
// that Chinese, which has no spaces, is fingerprinted the same way as English.
import { CharClass } from '../normalize/char-class.js';
import { normalizeChars } from '../normalize/normalize-text.js';
import type { NormalizedChars } from '../normalize/normalized-text.js';
import { nativeTextGrams } from '../native/rules-engine.js';

function fnv3(a: number, b: number, c: number): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ a, 0x01000193);
  h = Math.imul(h ^ b, 0x01000193);
  h = Math.imul(h ^ c, 0x01000193);
  return h >>> 0;
}

export function textGrams(text: string): Uint32Array {
  return gramsOfNormalized([normalizeChars(text)]);
}

/** The grams of texts already normalized (a listing's fields, in order), as if they were one text. */
export function gramsOfNormalized(parts: readonly NormalizedChars[]): Uint32Array {
  return nativeTextGrams(
    parts.map((part) => part.bytes),
    parts.map((part) => part.classes),
  );
}

/** The same grams computed in TypeScript: the reference the native kernel is tested and benchmarked against. */
export function gramsOfNormalizedInJs(parts: readonly NormalizedChars[]): Uint32Array {
  const chars: number[] = [];
  for (const normalized of parts) {
    let i = 0;
    for (const ch of normalized.bytes.toString('utf8')) {
      const cls = normalized.classes[i++];
      if (cls === CharClass.Word || cls === CharClass.Cjk) chars.push(ch.codePointAt(0) ?? 0);
    }
  }
  if (chars.length < 3) return new Uint32Array(0);
  const grams = new Uint32Array(chars.length - 2);
  for (let k = 0; k + 2 < chars.length; k++) grams[k] = fnv3(chars[k] ?? 0, chars[k + 1] ?? 0, chars[k + 2] ?? 0);
  grams.sort();
  let unique = 0;
  for (let k = 0; k < grams.length; k++) if (k === 0 || grams[k] !== grams[k - 1]) grams[unique++] = grams[k] ?? 0;
  return grams.slice(0, unique);
}

/** Dice (Sørensen) similarity of two sorted gram sets: the share of their grams they have in common. */
export function gramSimilarity(a: Uint32Array, b: Uint32Array, bStart = 0, bEnd = b.length): number {
  const bLength = bEnd - bStart;
  if (a.length + bLength === 0) return 0;
  let i = 0;
  let j = bStart;
  let common = 0;
  while (i < a.length && j < bEnd) {
    const x = a[i] ?? 0;
    const y = b[j] ?? 0;
    if (x === y) {
      common++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return (2 * common) / (a.length + bLength);
}
