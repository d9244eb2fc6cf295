// Digits typed for letters (contract section 3). Inside a word that mixes letters
// and digits, normalization reads a digit typed for one letter as that letter
// (`C4n0n` -> `canon`); `1`, typed for both `i` and `l`, stays `1`, and the matcher
// accepts it for either (src/matcher/term-expression.ts).
import { isAsciiLetter } from './char-class.js';
import type { NormalizerTables } from '../native/rules-engine.js';

/** Each digit typed for letters, and those letters. */
export const LETTERS_OF_DIGIT: ReadonlyMap<string, readonly string[]> = new Map([
  ['0', ['o']],
  ['1', ['i', 'l']],
  ['3', ['e']],
  ['4', ['a']],
  ['5', ['s']],
]);

const ASCII = 0x80;

const isAsciiDigit = (cp: number): boolean => cp >= 0x30 && cp <= 0x39;

/** The digit reading as the native normalizer takes it, indexed by ASCII code point. */
export function digitTables(): NormalizerTables['digits'] {
  const asLetter = new Uint8Array(ASCII);
  const letters = new Uint8Array(ASCII);
  const digits = new Uint8Array(ASCII);
  for (let cp = 0; cp < ASCII; cp++) {
    letters[cp] = isAsciiLetter(cp) ? 1 : 0;
    digits[cp] = isAsciiDigit(cp) ? 1 : 0;
  }
  for (const [digit, read] of LETTERS_OF_DIGIT) {
    const [letter] = read;
    if (read.length === 1 && letter !== undefined) asLetter[digit.charCodeAt(0)] = letter.charCodeAt(0);
  }
  return { asLetter, letters, digits };
}
