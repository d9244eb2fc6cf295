// Turns a normalized term into a Hyperscan expression. Normalized text keeps `1`
// as it was typed (it stands for `i` as often as for `l`), so a term's `i` and `l`
// also accept `1`, and a `1` inside a term's word accepts `i` and `l`. A letter
// never accepts another letter: `iv` does not match `lv`.
import { CharClass, classOf, isAsciiLetter } from '../normalize/char-class.js';
import { escapeLiteral } from '../native/rules-engine.js';

export interface TermShape {
  expression: string;
  /** The term starts with a word character, so the text before it must not be one. */
  leftBoundary: boolean;
  /** The term ends with a word character, so the text after it must not be one. */
  rightBoundary: boolean;
}

function wordHasLetter(cps: number[], at: number): boolean {
  let i = at;
  while (i > 0 && classOf(cps[i - 1] ?? 0) === CharClass.Word) i--;
  for (; i < cps.length && classOf(cps[i] ?? 0) === CharClass.Word; i++) if (isAsciiLetter(cps[i] ?? 0)) return true;
  return false;
}

export function termShape(normalizedTerm: string): TermShape {
  const cps = Array.from(normalizedTerm.trim(), (c) => c.codePointAt(0) ?? 0);
  let expression = '';
  cps.forEach((cp, i) => {
    if (cp === 0x69) expression += '[i1]';
    else if (cp === 0x6c) expression += '[l1]';
    else if (cp === 0x31 && wordHasLetter(cps, i)) expression += '[1il]';
    else expression += escapeLiteral(String.fromCodePoint(cp));
  });
  return {
    expression,
    leftBoundary: classOf(cps[0] ?? 0) === CharClass.Word,
    rightBoundary: classOf(cps[cps.length - 1] ?? 0) === CharClass.Word,
  };
}

/**
 * The forms a normalized term is matched in: itself, and for a term of several
 * Latin words also the words run together, which is what a chain of spaced-out
 * letters (`S.h.e.l.l.H.e.l.i.x`) normalizes to.
 */
export function termVariants(normalizedTerm: string): string[] {
  const term = normalizedTerm.trim();
  const variants = [term];
  if (term.includes(' ')) {
    const words = term.split(' ');
    const allWords = words.every((w) => w.length > 0 && Array.from(w).every((c) => classOf(c.codePointAt(0) ?? 0) === CharClass.Word));
    if (allWords) variants.push(words.join(''));
  }
  return variants;
}
