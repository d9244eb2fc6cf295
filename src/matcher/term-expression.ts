// Turns a normalized term into a Hyperscan expression that reads it through its
// disguises (contract section 3):
//   - a separator placed inside the term never hides it, whatever the scripts on
//     either side (`L.V`, `Gu-cci`, `A 货`, `1 : 1`, `mirror.grade`): between two
//     characters of the term, one separator of normalized text is accepted (a run
//     of soft separators is one space there; between two CJK characters
//     normalization has dropped it);
//   - a digit may stand for the letter it is typed for (`0 o`, `1 i l`, `3 e`,
//     `4 a`, `5 s`); normalization reads them inside a word that mixes letters and
//     digits, the expression also inside a spaced-out term (`5.o.n.y`);
//   - a letter never accepts another letter: `iv` does not match `lv`.
// What an expression cannot say (a space between whole words does not make one
// word, a price stays a price) the disguise guard checks on each match, from the
// term's skeleton (disguise-guard.ts).
import { CharClass, classOf, isAsciiLetter } from '../normalize/char-class.js';
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

/**
 * A separator as normalized text has it: a space for a soft run, or one ASCII
 * punctuation character of a hard one. One, not a run of them: `{0,3}` made a pack
 * compile 1.7 times slower (dev pack: 75 ms against 45) for runs such as `.#.`.
 */
const GAP = '[\\x20-\\x2f\\x3a-\\x40\\x5b-\\x60\\x7b-\\x7e]?';
/** The digits typed for letters (normalization reads the same ones, and keeps `1`). */
const DIGIT_FOR_LETTER: Readonly<Record<string, string>> = { o: '0', i: '1', l: '1', e: '3', a: '4', s: '5' };

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

function charExpression(cps: readonly number[], i: number): string {
  const cp = cps[i] ?? 0;
  const ch = String.fromCodePoint(cp);
  const digit = DIGIT_FOR_LETTER[ch];
  if (digit !== undefined) return `[${ch}${digit}]`;
  if (cp === 0x31 && wordHasLetter(cps, i)) return '[1il]';
  return escapeLiteral(ch);
}

function skeletonCode(cp: number): number {
  if (isAsciiLetter(cp)) return SKELETON_LETTER;
  if (cp >= 0x30 && cp <= 0x39) return SKELETON_DIGIT;
  return SKELETON_OTHER;
}

export function termShape(normalizedTerm: string): TermShape {
  const cps = Array.from(normalizedTerm.trim(), (c) => c.codePointAt(0) ?? 0);
  let expression = '';
  const skeleton: number[] = [];
  let previous = -1; // index of the last non-separator character
  let hardRun = ''; // the term's own hard punctuation since `previous`, which the text must have too
  cps.forEach((cp, i) => {
    if (isSeparator(cp)) {
      if (cp !== 0x20) hardRun += escapeLiteral(String.fromCodePoint(cp));
      return;
    }
    if (previous >= 0) {
      const bothCjk = classOf(cps[previous] ?? 0) === CharClass.Cjk && classOf(cp) === CharClass.Cjk;
      if (hardRun.length > 0) expression += `${GAP}${hardRun}${GAP}`;
      else if (!bothCjk || previous !== i - 1) expression += GAP;
    } else expression += hardRun;
    skeleton.push(skeletonCode(cp) | (previous >= 0 && previous !== i - 1 ? SKELETON_WORD_START : 0));
    expression += charExpression(cps, i);
    previous = i;
    hardRun = '';
  });
  if (hardRun.length > 0) expression += `${GAP}${hardRun}`;
  return {
    expression,
    leftBoundary: classOf(cps[0] ?? 0) === CharClass.Word,
    rightBoundary: classOf(cps[cps.length - 1] ?? 0) === CharClass.Word,
    skeleton: Uint8Array.from(skeleton),
  };
}
