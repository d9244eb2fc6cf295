// The per-character fold, precomputed for the whole Basic Multilingual Plane so
// that normalizing a listing is one table lookup per character. Applied in order:
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

export interface FoldTable {
  /**
   * For a BMP code point: the single code point it folds to, FOLD_DELETE, or
   * FOLD_MULTI when it folds to several (see `multi`).
   */
  readonly bmp: Int32Array;
  readonly multi: ReadonlyMap<number, readonly number[]>;
  fold(cp: number): number | readonly number[] | null;
}

export const FOLD_MULTI = -2;

function toCodePoints(text: string): number[] {
  return Array.from(text, (c) => c.codePointAt(0) ?? 0);
}

export function buildFoldTable(): FoldTable {
  const confusables = confusableFolds();
  const simplified = traditionalToSimplified();
  const bmp = new Int32Array(0x10000);
  const multi = new Map<number, readonly number[]>();
  for (let cp = 0; cp < 0x10000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) {
      bmp[cp] = FOLD_DELETE; // a lone surrogate carries no text
      continue;
    }
    const out = foldSlow(cp, confusables, simplified);
    if (out === null) {
      bmp[cp] = FOLD_DELETE;
      continue;
    }
    const cps = toCodePoints(out);
    if (cps.length === 1) bmp[cp] = cps[0] ?? cp;
    else {
      bmp[cp] = FOLD_MULTI;
      multi.set(cp, cps);
    }
  }
  const astral = new Map<number, number | readonly number[] | null>();
  return {
    bmp,
    multi,
    fold(cp: number): number | readonly number[] | null {
      if (cp < 0x10000) {
        const v = bmp[cp] ?? FOLD_DELETE;
        if (v === FOLD_DELETE) return null;
        if (v === FOLD_MULTI) return multi.get(cp) ?? null;
        return v;
      }
      let known = astral.get(cp);
      if (known === undefined) {
        const out = foldSlow(cp, confusables, simplified);
        if (out === null) known = null;
        else {
          const cps = toCodePoints(out);
          known = cps.length === 1 ? (cps[0] ?? cp) : cps;
        }
        astral.set(cp, known);
      }
      return known;
    },
  };
}

let shared: FoldTable | undefined;

/** The process's (or worker thread's) fold table, built on first use (~0.3 s). */
export function foldTable(): FoldTable {
  shared ??= buildFoldTable();
  return shared;
}
