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

function foldSlow(cp: number, confusables: Map<number, string>, simplified: Map<number, number>): string | null {
  const ch = String.fromCodePoint(cp);
  if (WHITE_SPACE.test(ch)) return ' ';
  if (IGNORABLE.test(ch) || CONTROL.test(ch)) return null;
  const decomposed = ch.normalize('NFKD').toLowerCase().normalize('NFKD').replace(MARK, '').normalize('NFC');
  let out = '';
  for (const part of decomposed) {
    const partCp = part.codePointAt(0) ?? 0;
    if (WHITE_SPACE.test(part)) {
      out += ' ';
      continue;
    }
    if (IGNORABLE.test(part) || CONTROL.test(part)) continue;
    const lookAlike = confusables.get(partCp);
    if (lookAlike !== undefined) {
      out += lookAlike;
      continue;
    }
    const simple = simplified.get(partCp);
    out += simple !== undefined ? String.fromCodePoint(simple) : part;
  }
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
