// Turns a normalized term into a Hyperscan expression that reads it through its
// disguises (contract section 3). The expression is matched against the listing's
// spaceless text (spaceless-text.ts: normalized text without its spaces, where
// every soft separator already is a space), so that:
//   - a separator placed inside the term never hides it, whatever the scripts on
//     either side (`L.V`, `Gu-cci`, `A 货`, `1 : 1`, `mirror.grade`), and the words
//     of a term may be run together (`S.h.e.l.l.H.e.l.i.x`);
//   - hard punctuation (`1:1` against `1.1`, `AAA+` against `AAA`) is the term's own
//     and must be there;
//   - a digit may stand for the letter it is typed for (`0 o`, `1 i l`, `3 e`,
//     `4 a`, `5 s`); normalization reads them inside a word that mixes letters and
//     digits, the expression also inside a spaced-out term (`5.o.n.y`);
//   - a letter never accepts another letter: `iv` does not match `lv`.
// The expression stays (nearly) literal, so a pack of thousands of terms compiles
// as fast as plain words do; an optional separator between letters made 1,000
// terms compile 57 times slower (bench/compile.bench.ts). What a spaceless match
// cannot tell (whole words, a space between words, a number) the match is checked
// for on the normalized text: boundaries, and the disguise guard with the term's
// skeleton (disguise-guard.ts).
import { CharClass, classOf, isAsciiLetter } from '../normalize/char-class.js';
import { LETTERS_OF_DIGIT } from '../normalize/digit-letters.js';
import { escapeLiteral } from '../native/rules-engine.js';
import { SKELETON_DIGIT, SKELETON_LETTER, SKELETON_OTHER, SKELETON_WORD_START } from './term-skeleton.js';

export interface TermShape {
  expression: string;
  /** The term starts with a word character, so the text before it must not be one. */
  leftBoundary: boolean;
  /** The term ends with a word character, so the text after it must not be one. */
  rightBoundary: boolean;
  /** One byte per non-separator character of the term (term-skeleton.ts). */
  skeleton: Uint8Array;
}

/** The digit typed for each letter (digit-letters.ts, which normalization reads too). */
const DIGIT_FOR_LETTER: ReadonlyMap<string, string> = new Map(
  [...LETTERS_OF_DIGIT].flatMap(([digit, letters]) => letters.map((letter) => [letter, digit] as const)),
);

const isSeparator = (cp: number): boolean => {
  const cls = classOf(cp);
  return cls === CharClass.Separator || cls === CharClass.Space;
};

function wordHasLetter(cps: readonly number[], at: number): boolean {
  let i = at;
  while (i > 0 && classOf(cps[i - 1] ?? 0) === CharClass.Word) i--;
  for (; i < cps.length && classOf(cps[i] ?? 0) === CharClass.Word; i++) if (isAsciiLetter(cps[i] ?? 0)) return true;
  return false;
}

function charExpression(cps: readonly number[], i: number, digitsForLetters: boolean): string {
  const cp = cps[i] ?? 0;
  const ch = String.fromCodePoint(cp);
  if (!digitsForLetters) return escapeLiteral(ch);
  const digit = DIGIT_FOR_LETTER.get(ch);
  if (digit !== undefined) return `[${ch}${digit}]`;
  // A digit typed for several letters is left as it is by normalization: it reads as any of them.
  const letters = LETTERS_OF_DIGIT.get(ch) ?? [];
  if (letters.length > 1 && wordHasLetter(cps, i)) return `[${ch}${letters.join('')}]`;
  return escapeLiteral(ch);
}

function skeletonCode(cp: number): number {
  if (isAsciiLetter(cp)) return SKELETON_LETTER;
  if (cp >= 0x30 && cp <= 0x39) return SKELETON_DIGIT;
  return SKELETON_OTHER;
}

/**
 * `digitsForLetters: false` keeps the letters literal: for romanized brand names
 * (sound-alikes), already a disguise of their own, where the digit classes made a
 * pack of 500 Chinese brand names compile ~2 times slower.
 */
export function termShape(normalizedTerm: string, digitsForLetters = true): TermShape {
  const cps = Array.from(normalizedTerm.trim(), (c) => c.codePointAt(0) ?? 0);
  let expression = '';
  const skeleton: number[] = [];
  let previous = -1; // index of the last non-separator character
  cps.forEach((cp, i) => {
    if (isSeparator(cp)) {
      // Spaces are not in spaceless text; the term's hard punctuation is, as it is.
      if (cp !== 0x20) expression += escapeLiteral(String.fromCodePoint(cp));
      return;
    }
    skeleton.push(skeletonCode(cp) | (previous >= 0 && previous !== i - 1 ? SKELETON_WORD_START : 0));
    expression += charExpression(cps, i, digitsForLetters);
    previous = i;
  });
  return {
    expression,
    leftBoundary: classOf(cps[0] ?? 0) === CharClass.Word,
    rightBoundary: classOf(cps[cps.length - 1] ?? 0) === CharClass.Word,
    skeleton: Uint8Array.from(skeleton),
  };
}
