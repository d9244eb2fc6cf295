import type { NormalizerTables } from '../native/rules-engine.js';

/** What a normalized character is, for word boundaries and separator handling. */
export const enum CharClass {
  /** Punctuation, symbols and anything else that is neither a word letter nor CJK. */
  Separator = 0,
  /** A letter or digit of a script that separates words with spaces (Latin, Cyrillic, ...). */
  Word = 1,
  /** A CJK ideograph, kana or hangul: terms in these scripts match anywhere. */
  Cjk = 2,
  Space = 3,
}

const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3005\u30fc]$/u;
const WORD = /^[\p{L}\p{N}]$/u;

function classifySlow(cp: number): CharClass {
  if (cp === 0x20) return CharClass.Space;
  const ch = String.fromCodePoint(cp);
  if (CJK.test(ch)) return CharClass.Cjk;
  if (WORD.test(ch)) return CharClass.Word;
  return CharClass.Separator;
}

/** Planes 2 and 3: the CJK extensions. */
const CJK_EXTENSION_PLANES: readonly [number, number] = [0x20000, 0x3ffff];

/** Classes of planes 0 and 1; from plane 2 up, CJK extensions are CJK and the rest separators. */
export const directClasses = new Uint8Array(0x20000);
for (let cp = 0; cp < directClasses.length; cp++) {
  directClasses[cp] = cp >= 0xd800 && cp <= 0xdfff ? CharClass.Separator : classifySlow(cp);
}

export function classOf(cp: number): CharClass {
  if (cp < directClasses.length) return directClasses[cp] as CharClass;
  return cp >= CJK_EXTENSION_PLANES[0] && cp <= CJK_EXTENSION_PLANES[1] ? CharClass.Cjk : CharClass.Separator;
}

/** The classes as the native normalizer takes them (it applies classOf through them). */
export function classTables(): NormalizerTables['classes'] {
  return {
    direct: directClasses,
    above: Uint32Array.of(CJK_EXTENSION_PLANES[0], CJK_EXTENSION_PLANES[1], CharClass.Cjk),
    otherwise: CharClass.Separator,
    word: CharClass.Word,
    cjk: CharClass.Cjk,
  };
}

/** ASCII letters a-z (after folding, the only Latin letters left in normalized text). */
export function isAsciiLetter(cp: number): boolean {
  return cp >= 0x61 && cp <= 0x7a;
}
