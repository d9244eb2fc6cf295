// The per-character fold, precomputed for planes 0 and 1 (and the CJK code points
// of plane 2 that change) so that normalizing a listing is one table lookup per
// character. Applied in order:
//   1. invisible and format characters (zero-width, soft hyphen, BOM, bidi
//      controls: Default_Ignorable_Code_Point and Cf) are removed;
//   2. compatibility decomposition (NFKD: full-width, circled, mathematical,
//      ligatures, Roman numerals), lower case, combining marks removed, NFC;
//   3. letters from other scripts that imitate Latin letters or digits are
//      folded to them (UTS #39 confusables, restricted: see confusables.ts);
//   4. Traditional Chinese characters are folded to Simplified (OpenCC);
//   5. every kind of white space becomes one ASCII space.
import { confusableFolds } from './confusables.js';
import { traditionalToSimplified } from './chinese-script.js';
import type { NormalizerTables } from '../native/rules-engine.js';

/** The character is dropped from normalized text. */
export const FOLD_DELETE = -1;

const IGNORABLE = /^[\p{Default_Ignorable_Code_Point}\p{Cf}]$/u;
const CONTROL = /^\p{Cc}$/u;
const WHITE_SPACE = /^[\s\p{Z}]$/u;
const MARK = /\p{M}/gu;
const MARK_CHAR = /^\p{M}$/u;
const ASCII_ALNUM = /^[A-Za-z0-9]+$/;

function foldPart(part: string, confusables: Map<number, string>, simplified: Map<number, number>): string {
  if (IGNORABLE.test(part) || MARK_CHAR.test(part)) return '';
  if (WHITE_SPACE.test(part)) return ' ';
  if (CONTROL.test(part)) return '';
  // Looked up before and after lower-casing: UTS #39 maps capital Cyrillic KA to
  // `K` but its small form to Latin kra, which is not ASCII.
  const lower = part.toLowerCase();
  const lookAlike = confusables.get(part.codePointAt(0) ?? 0) ?? confusables.get(lower.codePointAt(0) ?? 0);
  if (lookAlike !== undefined) return lookAlike;
  let out = '';
  for (const piece of lower.normalize('NFKD').replace(MARK, '').normalize('NFC')) {
    const pieceCp = piece.codePointAt(0) ?? 0;
    const simple = simplified.get(pieceCp);
    out += simple !== undefined ? String.fromCodePoint(simple) : piece;
  }
  return out;
}

function foldSlow(cp: number, confusables: Map<number, string>, simplified: Map<number, number>): string | null {
  const ch = String.fromCodePoint(cp);
  // Ignorables first: JavaScript's \s counts U+FEFF (BOM) as white space.
  if (IGNORABLE.test(ch)) return null;
  if (WHITE_SPACE.test(ch)) return ' ';
  if (CONTROL.test(ch)) return null;
  // A compatibility form of ASCII letters or digits is those letters or digits:
  // `Ｉ` is `i` and `Ⅳ` is `iv`, not the `l` and `lv` UTS #39 would make of them.
  const compatible = ch.normalize('NFKD').replace(MARK, '');
  if (ASCII_ALNUM.test(compatible)) return compatible.toLowerCase();
  // Otherwise the character's own look-alike entry wins over its decomposition
  // (`Ϲ` decomposes to Greek capital sigma, which folds to `o`; it looks like `C`).
  const direct = confusables.get(cp);
  if (direct !== undefined) return direct;
  let out = '';
  for (const part of ch.normalize('NFKD')) out += foldPart(part, confusables, simplified);
  return out.length === 0 ? null : out;
}

/** Code points below this are folded through a direct table (planes 0 and 1). */
export const DIRECT_TABLE_SIZE = 0x20000;
/** Compatibility ideographs of plane 2, which decompose to unified ones. */
const COMPAT_IDEOGRAPHS: readonly [number, number] = [0x2f800, 0x2fa1f];
/**
 * The invisible code points above the direct table: tags and variation selectors,
 * the only Default_Ignorable_Code_Point range there (Unicode DerivedCoreProperties).
 */
export const IGNORABLE_ABOVE_DIRECT: readonly [number, number] = [0xe0000, 0xe0fff];

/** The fold as flat arrays, the form the native normalizer takes. */
export type FoldTables = NormalizerTables['fold'];

/** The character folds to more than one code point (listed in `FoldTables.multi`). */
export const FOLD_MULTI = -2;

export function buildFoldTables(): FoldTables {
  const confusables = confusableFolds();
  const simplified = traditionalToSimplified();
  const direct = new Int32Array(DIRECT_TABLE_SIZE);
  const multi: number[] = [];
  for (let cp = 0; cp < DIRECT_TABLE_SIZE; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) {
      direct[cp] = FOLD_DELETE; // a lone surrogate carries no text
      continue;
    }
    const out = foldSlow(cp, confusables, simplified);
    if (out === null) {
      direct[cp] = FOLD_DELETE;
      continue;
    }
    const cps = Array.from(out, (c) => c.codePointAt(0) ?? 0);
    if (cps.length === 1) direct[cp] = cps[0] ?? cp;
    else {
      direct[cp] = FOLD_MULTI;
      multi.push(cp, cps.length, ...cps);
    }
  }
  const upper: number[] = [];
  for (const [from, to] of simplified) if (from >= DIRECT_TABLE_SIZE) upper.push(from, to);
  for (let cp = COMPAT_IDEOGRAPHS[0]; cp <= COMPAT_IDEOGRAPHS[1]; cp++) {
    const out = foldSlow(cp, confusables, simplified);
    const cps = out === null ? [] : Array.from(out, (c) => c.codePointAt(0) ?? 0);
    if (cps.length === 1 && cps[0] !== cp) upper.push(cp, cps[0] ?? cp);
  }
  return {
    direct,
    deleted: FOLD_DELETE,
    multiple: FOLD_MULTI,
    multi: Uint32Array.from(multi),
    upper: Uint32Array.from(upper),
    ignoredAbove: Uint32Array.from(IGNORABLE_ABOVE_DIRECT),
  };
}
