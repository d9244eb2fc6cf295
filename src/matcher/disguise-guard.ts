// What a term's expression accepts but the contract does not call a disguise,
// checked on each match with the term's skeleton (term-skeleton.ts):
//   - a run of more than 3 separators inside a term separates (`L    V` is two letters);
//   - a plain space between two parts of a Latin word that are each longer than one
//     letter is a space between words (`can on` is not `Canon`), while a space-out
//     letter by letter (`C a n o n`) or punctuation (`Can.on`) is a disguise;
//   - a digit reads as a letter only where the term needs a letter there, and only
//     in a word that has letters, or as one character of a spaced-out term with at
//     least two letters (`5.o.n.y`): `305` is not `eos`, `1 V` is not `LV`.
import { CharClass } from '../normalize/char-class.js';
import type { NormalizedText } from '../normalize/normalized-text.js';
import { MAX_INSIDE_SEPARATOR } from '../normalize/separator-table.js';
import { SKELETON_KIND_MASK, SKELETON_LETTER, SKELETON_WORD_START } from './term-skeleton.js';

const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
const BLANK = /^\s*$/u;

interface MatchedChar {
  /** The byte of an ASCII character, 0 for any other. */
  ascii: number;
  word: boolean;
  /** Separators between this character and the one before it, in the original text (code points, invisible ones aside). */
  gapLength: number;
  /** Those separators were white space only. */
  gapBlank: boolean;
}

const isAsciiLetter = (b: number): boolean => b >= 0x61 && b <= 0x7a;
const isAsciiDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

function utf8Length(lead: number): number {
  return lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
}

/** The matched characters that are not separators, each with the separators before it. */
function matchedChars(text: NormalizedText, original: string, fromByte: number, toByte: number): MatchedChar[] {
  const chars: MatchedChar[] = [];
  let gapLength = 0;
  let gapBlank = true;
  for (let b = fromByte; b < toByte; ) {
    const lead = text.bytes[b] ?? 0;
    const index = text.byteToIndex[b] ?? 0;
    const cls = text.classes[index];
    if (cls === CharClass.Separator || cls === CharClass.Space) {
      const start = text.originStart[index] ?? 0;
      const end = text.originEnd[index] ?? start;
      const visible = original.slice(start, end).replace(INVISIBLE, '');
      gapLength += [...visible].length;
      gapBlank &&= BLANK.test(visible);
    } else {
      chars.push({ ascii: lead < 0x80 ? lead : 0, word: cls === CharClass.Word, gapLength, gapBlank });
      gapLength = 0;
      gapBlank = true;
    }
    b += utf8Length(lead);
  }
  return chars;
}

/** Whether a match of a term's expression, bytes `fromByte`-`toByte` of `text`, is the term (plain or disguised). */
export function isTermDisguise(text: NormalizedText, original: string, fromByte: number, toByte: number, skeleton: Uint8Array): boolean {
  if (skeleton.length === 0) return true;
  const chars = matchedChars(text, original, fromByte, toByte);
  if (chars.length !== skeleton.length) return true; // not a term's expression: nothing to line up
  const inserted = (k: number): boolean => k > 0 && (chars[k]?.gapLength ?? 0) > 0 && ((skeleton[k] ?? 0) & SKELETON_WORD_START) === 0;
  // Characters of the same part: no separator before, and the term's word goes on.
  const partBefore = (k: number): number => {
    let n = 1;
    for (let j = k; j > 0 && (chars[j]?.gapLength ?? 0) === 0 && ((skeleton[j] ?? 0) & SKELETON_WORD_START) === 0; j--) n++;
    return n;
  };
  const partFrom = (k: number): number => {
    let n = 1;
    for (let j = k + 1; j < chars.length && (chars[j]?.gapLength ?? 0) === 0 && ((skeleton[j] ?? 0) & SKELETON_WORD_START) === 0; j++) n++;
    return n;
  };
  for (let k = 1; k < chars.length; k++) {
    if (!inserted(k)) continue;
    const here = chars[k] as MatchedChar;
    if (here.gapLength > MAX_INSIDE_SEPARATOR) return false;
    const before = chars[k - 1] as MatchedChar;
    if (here.gapBlank && here.word && before.word && partBefore(k - 1) >= 2 && partFrom(k) >= 2) return false;
  }

  const letters = chars.reduce((n, c) => n + (isAsciiLetter(c.ascii) ? 1 : 0), 0);
  // Fragments: characters with no separator between them.
  let fragmentStart = 0;
  for (let k = 0; k <= chars.length; k++) {
    if (k < chars.length && (k === 0 || (chars[k]?.gapLength ?? 0) === 0)) continue;
    const fragment = chars.slice(fragmentStart, k);
    const readAsLetter = fragment.some((c, j) => isAsciiDigit(c.ascii) && ((skeleton[fragmentStart + j] ?? 0) & SKELETON_KIND_MASK) === SKELETON_LETTER);
    if (readAsLetter) {
      const hasLetter = fragment.some((c) => isAsciiLetter(c.ascii));
      if (!hasLetter && !(fragment.length === 1 && letters >= 2)) return false;
    }
    fragmentStart = k;
  }
  return true;
}
