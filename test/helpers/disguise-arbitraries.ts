// An adversarial generator of disguises (issue 24 item 2), from contract section 3
// alone: each character of a term and each word of it disguised independently,
// with several transformations at once (case, full-width, mathematical and circled
// letters, look-alike letters of other scripts, combining accents, invisible
// characters, separators inside the term, digits for letters, Traditional
// characters), and the innocent look-alikes that must not match (a Latin term
// inside a longer word, one letter for another, a long run of separators, a space
// between whole words, a number where the term has letters).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as OpenCC from 'opencc-js';
import { CONFUSABLES_FILE, parseConfusables } from '../../src/normalize/confusables.js';
import { normalizeTerm } from '../../src/normalize/normalize-text.js';

const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u30fc]$/u;
const WORD = /^[\p{L}\p{N}]$/u;
const isCjk = (c: string): boolean => CJK.test(c);
/** A letter or digit of a script that spaces its words. */
const isWordChar = (c: string): boolean => WORD.test(c) && !isCjk(c);
const isAsciiLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
const isDigit = (c: string): boolean => /^[0-9]$/.test(c);

/** The digits typed for letters (contract: `N1ke`, `L0uis`, `5ony`). */
export const DIGIT_FOR: Readonly<Record<string, string>> = { o: '0', i: '1', l: '1', e: '3', a: '4', s: '5' };
export const INVISIBLES: readonly string[] = ['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\ufeff', '\u200e'];
const ACCENTS = ['\u0301', '\u0300', '\u0308', '\u0302', '\u0327'];
/** Separators with something visible, at most 3 characters (more separate). */
const SOFT_SEPARATORS = ['.', '-', '·', '*', '|', '_', '/', '~', '★', '．', '・', '、', ' . ', '--', '-_-', '…'];
const BLANK_SEPARATORS = [' ', '\u3000', '  ', '\u00a0'];
// Hard punctuation (`:`, `+`, `#`...) is never a separator: `1:1` is not `11`, `AAA+` not `AAA`.

// Letters of other scripts that UTS #39 says look like each ASCII letter, from the
// Unicode file the gate ships; a compatibility form of an ASCII letter is that letter.
const lookAlikes = new Map<string, string[]>();
for (const [cp, target] of parseConfusables(readFileSync(CONFUSABLES_FILE, 'utf8'))) {
  if (target.length !== 1 || !/[a-z]/.test(target)) continue;
  if (/^[A-Za-z0-9]+$/.test(String.fromCodePoint(cp).normalize('NFKD').replace(/\p{M}/gu, ''))) continue;
  const list = lookAlikes.get(target) ?? [];
  list.push(String.fromCodePoint(cp));
  lookAlikes.set(target, list);
}
export const LOOK_ALIKES: ReadonlyMap<string, readonly string[]> = lookAlikes;
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'hk' });

type LetterStyle = 'plain' | 'fullWidth' | 'mathBold' | 'circled' | 'lookAlike';

interface CharChoice {
  upper: boolean;
  style: LetterStyle;
  pick: number;
  digit: boolean;
  accent: number; // 0: none
  invisible: number; // 0: none
  gap: boolean; // a separator before this character (words in `gaps` mode)
  separator: number;
  separatorKind: 'soft' | 'blank';
  traditional: boolean;
}

type WordMode = 'plain' | 'spaced' | 'gaps';
/** What becomes of the term's own separator after a word. */
type Join = 'keep' | 'soft' | 'blank' | 'remove';

interface WordChoice {
  mode: WordMode;
  join: Join;
  separator: number;
}

export interface DisguiseChoices {
  chars: CharChoice[];
  words: WordChoice[];
}

const charChoice: fc.Arbitrary<CharChoice> = fc.record({
  upper: fc.boolean(),
  style: fc.constantFrom<LetterStyle>('plain', 'fullWidth', 'mathBold', 'circled', 'lookAlike'),
  pick: fc.nat(),
  digit: fc.boolean(),
  accent: fc.nat({ max: ACCENTS.length }),
  invisible: fc.nat({ max: INVISIBLES.length }),
  gap: fc.boolean(),
  separator: fc.nat(),
  separatorKind: fc.constantFrom<'soft' | 'blank'>('soft', 'blank'),
  traditional: fc.boolean(),
});
const wordChoice: fc.Arbitrary<WordChoice> = fc.record({
  mode: fc.constantFrom<WordMode>('plain', 'spaced', 'gaps'),
  join: fc.constantFrom<Join>('keep', 'soft', 'blank', 'remove'),
  separator: fc.nat(),
});

const at = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

/** The term's words (split on spaces) and characters, for sizing the choices. */
function wordsOf(term: string): string[][] {
  return term
    .split(' ')
    .filter((w) => w.length > 0)
    .map((w) => Array.from(w));
}

export function disguiseChoices(term: string): fc.Arbitrary<DisguiseChoices> {
  const words = wordsOf(term);
  const count = words.reduce((n, w) => n + w.length, 0);
  return fc.record({
    chars: fc.array(charChoice, { minLength: count, maxLength: count }),
    words: fc.array(wordChoice, { minLength: words.length, maxLength: words.length }),
  });
}

function styled(c: string, choice: CharChoice): string {
  if (isDigit(c)) {
    const d = c.charCodeAt(0) - 0x30;
    if (choice.style === 'fullWidth') return String.fromCodePoint(0xff10 + d);
    if (choice.style === 'mathBold') return String.fromCodePoint(0x1d7ce + d);
    return c;
  }
  if (!isAsciiLetter(c)) return c;
  const upper = choice.upper ? c.toUpperCase() : c.toLowerCase();
  const offset = upper.toLowerCase().charCodeAt(0) - 0x61;
  const isUpper = upper !== upper.toLowerCase();
  switch (choice.style) {
    case 'fullWidth':
      return String.fromCodePoint(upper.charCodeAt(0) + 0xfee0);
    case 'mathBold':
      return String.fromCodePoint((isUpper ? 0x1d400 : 0x1d41a) + offset);
    case 'circled':
      return String.fromCodePoint((isUpper ? 0x24b6 : 0x24d0) + offset);
    case 'lookAlike': {
      const options = LOOK_ALIKES.get(upper.toLowerCase());
      return options ? at(options, choice.pick) : upper;
    }
    default:
      return upper;
  }
}

/** The separator put before a character, given what is on either side. */
function separatorFor(choice: CharChoice, blankAllowed: boolean): string {
  if (choice.separatorKind === 'blank' && blankAllowed) return at(BLANK_SEPARATORS, choice.separator);
  return at(SOFT_SEPARATORS, choice.separator);
}

/**
 * The disguised term. Digits stand for letters only where the contract reads them
 * so: in a part of a word that keeps a letter, or as one character of a word
 * spaced out letter by letter that keeps two letters (a part made only of digits
 * is a number). A plain space goes inside a Latin word only letter by letter.
 */
export function disguise(term: string, choices: DisguiseChoices): string {
  const words = wordsOf(term);
  // First where separators go: inside words, and instead of the term's own spaces.
  interface Unit {
    c: string;
    word: number;
    choice: CharChoice;
    /** What goes before the character: a separator, the term's space or what replaces it, or nothing. */
    before: string;
  }
  const units: Unit[] = [];
  let k = 0;
  words.forEach((chars, w) => {
    const word = choices.words[w] as WordChoice;
    let join = '';
    if (w > 0) {
      const previous = choices.words[w - 1] as WordChoice;
      const last = words[w - 1]?.[(words[w - 1]?.length ?? 1) - 1] ?? '';
      const first = chars[0] ?? '';
      // Words run together only letter to letter: glued to letters, a term's digits would read as letters.
      const letterEdges = isWordChar(last) && isWordChar(first) && !isDigit(last) && !isDigit(first);
      const kind = previous.join === 'remove' && !letterEdges ? 'keep' : previous.join;
      if (kind === 'keep') join = ' ';
      else if (kind === 'soft') join = at(SOFT_SEPARATORS, previous.separator);
      else if (kind === 'blank') join = at(BLANK_SEPARATORS, previous.separator);
    }
    chars.forEach((c, i) => {
      const choice = choices.chars[k++] as CharChoice;
      let before = i === 0 ? join : '';
      if (i > 0 && (word.mode === 'spaced' || (word.mode === 'gaps' && choice.gap))) {
        const previous = chars[i - 1] ?? '';
        before = separatorFor(choice, word.mode === 'spaced' || !isWordChar(previous) || !isWordChar(c));
      }
      units.push({ c, word: w, choice, before });
    });
  });
  // Digits for letters, undone in a word that would keep fewer than two letters, and
  // in a part (characters with no separator between them) that would be a number.
  const asDigit = units.map((u) => u.choice.digit && DIGIT_FOR[u.c.toLowerCase()] !== undefined);
  words.forEach((_, w) => {
    const kept = units.filter((u, i) => u.word === w && isAsciiLetter(u.c) && !asDigit[i]).length;
    if (kept < 2) units.forEach((u, i) => u.word === w && (asDigit[i] = false));
  });
  let start = 0;
  for (let i = 1; i <= units.length; i++) {
    if (i < units.length && units[i]?.before === '') continue;
    const keepsLetter = units.slice(start, i).some((u, j) => isAsciiLetter(u.c) && !asDigit[start + j]);
    if (!keepsLetter && i - start > 1) for (let j = start; j < i; j++) asDigit[j] = false;
    start = i;
  }
  let out = '';
  units.forEach((u, i) => {
    const { c, choice } = u;
    out += u.before;
    if (i > 0 && choice.invisible > 0) out += at(INVISIBLES, choice.invisible - 1);
    let shown = asDigit[i] ? (DIGIT_FOR[c.toLowerCase()] as string) : c;
    if (isCjk(shown) && choice.traditional) {
      const traditional = toTraditional(shown);
      if ([...traditional].length === 1 && normalizeTerm(traditional) === normalizeTerm(shown)) shown = traditional;
    } else if (shown === ':') shown = choice.upper ? '：' : ':';
    else shown = styled(shown, choice);
    out += shown;
    if (choice.accent > 0 && (isAsciiLetter(c) || isCjk(c))) out += at(ACCENTS, choice.accent - 1);
  });
  return out;
}

export type InnocentKind = 'glued' | 'otherLetter' | 'otherCjk' | 'longSeparator' | 'wordSpace' | 'number';

const GLUE = ['x', 'q', 'z', 'k', 'Ｘ'];
const OTHER_HAN = ['的', '是', '了', '人', '大', '中', '上', '水', '花', '鞋'];

/** Inner positions of a word where a separator may go: between two letters, digits or CJK characters. */
function innerGaps(term: string): number[] {
  const chars = Array.from(term);
  const gaps: number[] = [];
  for (let i = 1; i < chars.length; i++) {
    const a = chars[i - 1] ?? ' ';
    const b = chars[i] ?? ' ';
    if ((isWordChar(a) || isCjk(a)) && (isWordChar(b) || isCjk(b))) gaps.push(i);
  }
  return gaps;
}

/**
 * An innocent look-alike of the term, or undefined when this kind does not apply
 * to it: what the contract says is not the term, however close it looks.
 */
export function innocent(term: string, kind: InnocentKind, pick: number): string | undefined {
  const chars = Array.from(term);
  const first = chars[0] ?? '';
  const last = chars[chars.length - 1] ?? '';
  switch (kind) {
    case 'glued': {
      // A Latin term inside a longer word.
      if (pick % 2 === 0 && isWordChar(first)) return at(GLUE, pick >> 1) + term;
      if (isWordChar(last)) return term + at(GLUE, pick >> 1);
      return undefined;
    }
    case 'otherLetter': {
      // One letter for another: `IV` is not `LV`.
      const letters = chars.flatMap((c, i) => (isAsciiLetter(c) ? [i] : []));
      if (letters.length === 0) return undefined;
      const i = at(letters, pick);
      const original = (chars[i] ?? 'a').toLowerCase();
      let replacement = String.fromCharCode(0x61 + ((original.charCodeAt(0) - 0x61 + 1 + (pick % 25)) % 26));
      if (replacement === original) replacement = original === 'x' ? 'y' : 'x';
      return [...chars.slice(0, i), replacement, ...chars.slice(i + 1)].join('');
    }
    case 'otherCjk': {
      const han = chars.flatMap((c, i) => (isCjk(c) ? [i] : []));
      if (han.length === 0) return undefined;
      const i = at(han, pick);
      const replacement =
        OTHER_HAN.find((h, n) => n >= pick % OTHER_HAN.length && normalizeTerm(h) !== normalizeTerm(chars[i] ?? '')) ??
        OTHER_HAN.find((h) => normalizeTerm(h) !== normalizeTerm(chars[i] ?? ''));
      return [...chars.slice(0, i), replacement ?? '的', ...chars.slice(i + 1)].join('');
    }
    case 'longSeparator': {
      // More than 3 separators inside a word separate.
      const gaps = innerGaps(term);
      if (gaps.length === 0) return undefined;
      const i = at(gaps, pick);
      return [...chars.slice(0, i), at(['....', '    ', '-----', ' . . '], pick >> 3), ...chars.slice(i)].join('');
    }
    case 'wordSpace': {
      // A plain space between two parts of a Latin word, each longer than a letter: two words.
      const splits: number[] = [];
      let start = 0;
      chars.forEach((c, i) => {
        if (!isWordChar(c)) start = i + 1;
        const end = chars.findIndex((d, j) => j >= i && !isWordChar(d));
        const wordEnd = end < 0 ? chars.length : end;
        if (i - start >= 2 && wordEnd - i >= 2 && isWordChar(c) && isWordChar(chars[i - 1] ?? ' ')) splits.push(i);
      });
      if (splits.length === 0) return undefined;
      const i = at(splits, pick);
      return [...chars.slice(0, i), ' ', ...chars.slice(i)].join('');
    }
    case 'number': {
      // A Latin term whose every letter has a digit form, written in digits only: a number.
      if (!chars.every((c) => DIGIT_FOR[c.toLowerCase()] !== undefined)) return undefined;
      return chars.map((c) => DIGIT_FOR[c.toLowerCase()]).join('');
    }
  }
}

export const INNOCENT_KINDS: readonly InnocentKind[] = ['glued', 'otherLetter', 'otherCjk', 'longSeparator', 'wordSpace', 'number'];

/** Text around a term in a listing that neither glues onto it nor names it. */
export const CONTEXTS: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  ['Buy ', ' now!'],
  ['特价', '包邮'],
  ['【', '】正品'],
  ['new ', ' bag, 2024'],
  ['Comes with box. ', ' — free shipping, 7 days return.'],
];

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
const HAN = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经';
const KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノ';
const HANGUL = '가나다라마바사아자차카타파하';
const CYRILLIC = 'бгджзилпфцчшщъыьэюя';

const wordOf = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((cs) => cs.join(''));

/** Terms of every shape a pack holds: Latin, several Latin words, CJK, kana, hangul, Cyrillic, Latin next to CJK, digits around punctuation. */
export const generatedTerm: fc.Arbitrary<string> = fc.oneof(
  wordOf(LATIN, 2, 10),
  fc.array(wordOf(LATIN, 2, 8), { minLength: 2, maxLength: 3 }).map((ws) => ws.join(' ')),
  wordOf(HAN, 2, 4),
  wordOf(KANA, 2, 5),
  wordOf(HANGUL, 2, 4),
  wordOf(CYRILLIC, 3, 6),
  fc.tuple(wordOf(LATIN, 1, 3), wordOf(HAN, 1, 3), fc.boolean()).map(([l, h, latinFirst]) => (latinFirst ? l + h : h + l)),
  fc
    .tuple(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 99 }), fc.option(wordOf(LATIN, 3, 8), { nil: undefined }))
    .map(([a, b, w]) => `${a}:${b}${w ? ` ${w}` : ''}`),
  fc.tuple(wordOf(LATIN, 3, 5), wordOf(LATIN, 3, 8)).map(([a, b]) => `${a}+ ${b}`),
);
