// Normalization against evasion (contract section 3), applied identically to pack
// terms and listing text. After the per-character fold (fold-table.ts):
//   - separators between CJK characters are dropped (`路 易 威 登`, `高|仿`);
//   - separators inside a chain of single letters are dropped (`L.V`, `N-i-k-e`,
//     `C a s t r o l`), while spaces between whole words stay word boundaries;
//   - other runs of soft punctuation and spaces become one space, so that
//     `Louis-Vuitton` reads as `louis vuitton`; hard punctuation (`:` `+` `&` ...)
//     is kept, so `1:1` stays distinct from `1.1`;
//   - inside a word that mixes letters and digits, the digits commonly typed for
//     letters are read as those letters (`C4n0n` -> `canon`). `1` is left as it is
//     because it stands for both `i` and `l`; the matcher accepts it for either.
import { CharClass, classOf, isAsciiDigit, isAsciiLetter } from './char-class.js';
import { FOLD_DELETE, FOLD_MULTI, foldTable } from './fold-table.js';
import type { NormalizedText } from './normalized-text.js';

/** A separator run this long or longer is never dropped: it separates, it does not disguise. */
const MAX_DISGUISE_SEPARATOR = 3;

const DIGIT_AS_LETTER: Readonly<Record<number, number>> = {
  0x30: 0x6f, // 0 -> o
  0x33: 0x65, // 3 -> e
  0x34: 0x61, // 4 -> a
  0x35: 0x73, // 5 -> s
};

const HARD_PUNCTUATION = new Set([':', '&', '#', '@', '%', '+', '=', '<', '>', '$'].map((c) => c.codePointAt(0) ?? 0));
const SOFT_SYMBOLS = new Set(['|', '~', '^', '`'].map((c) => c.codePointAt(0) ?? 0));
const PUNCTUATION = /^\p{P}$/u;

const softTable = new Uint8Array(0x10000);
for (let cp = 0; cp < 0x10000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  const ch = String.fromCharCode(cp);
  softTable[cp] = cp === 0x20 || SOFT_SYMBOLS.has(cp) || (PUNCTUATION.test(ch) && !HARD_PUNCTUATION.has(cp)) ? 1 : 0;
}

function isSoft(cp: number): boolean {
  return cp < 0x10000 && softTable[cp] === 1;
}

class CodePointBuffer {
  cps: Uint32Array;
  starts: Uint32Array;
  ends: Uint32Array;
  length = 0;

  constructor(capacity: number) {
    this.cps = new Uint32Array(capacity);
    this.starts = new Uint32Array(capacity);
    this.ends = new Uint32Array(capacity);
  }

  push(cp: number, start: number, end: number): void {
    if (this.length === this.cps.length) this.grow();
    this.cps[this.length] = cp;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  private grow(): void {
    const size = this.cps.length * 2 + 16;
    const cps = new Uint32Array(size);
    const starts = new Uint32Array(size);
    const ends = new Uint32Array(size);
    cps.set(this.cps);
    starts.set(this.starts);
    ends.set(this.ends);
    this.cps = cps;
    this.starts = starts;
    this.ends = ends;
  }
}

function foldCharacters(input: string): CodePointBuffer {
  const table = foldTable();
  const bmp = table.bmp;
  const out = new CodePointBuffer(input.length + 16);
  for (let i = 0; i < input.length; ) {
    let cp = input.charCodeAt(i);
    let width = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < input.length) {
      const low = input.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const end = i + width;
    if (cp < 0x10000) {
      const folded = bmp[cp] ?? FOLD_DELETE;
      if (folded >= 0) out.push(folded, i, end);
      else if (folded === FOLD_MULTI) for (const part of table.multi.get(cp) ?? []) out.push(part, i, end);
    } else {
      const folded = table.fold(cp);
      if (typeof folded === 'number') out.push(folded, i, end);
      else if (folded !== null) for (const part of folded) out.push(part, i, end);
    }
    i = end;
  }
  return out;
}

const enum RunKind {
  Word = 0,
  Cjk = 1,
  Separator = 2,
}

interface Runs {
  kind: Uint8Array;
  start: Uint32Array;
  end: Uint32Array;
  count: number;
}

function splitRuns(chars: CodePointBuffer, classes: Uint8Array): Runs {
  const n = chars.length;
  const runs: Runs = { kind: new Uint8Array(n), start: new Uint32Array(n), end: new Uint32Array(n), count: 0 };
  let i = 0;
  while (i < n) {
    const cls = classes[i] as CharClass;
    const kind = cls === CharClass.Word ? RunKind.Word : cls === CharClass.Cjk ? RunKind.Cjk : RunKind.Separator;
    let j = i + 1;
    if (kind !== RunKind.Cjk) {
      while (j < n) {
        const next = classes[j] as CharClass;
        const nextKind = next === CharClass.Word ? RunKind.Word : next === CharClass.Cjk ? RunKind.Cjk : RunKind.Separator;
        if (nextKind !== kind) break;
        j++;
      }
    }
    runs.kind[runs.count] = kind;
    runs.start[runs.count] = i;
    runs.end[runs.count] = j;
    runs.count++;
    i = j;
  }
  return runs;
}

/** Marks the separator runs that only disguise a term, and are to be dropped. */
function disguisingSeparators(runs: Runs, chars: CodePointBuffer): Uint8Array {
  const drop = new Uint8Array(runs.count);
  const runLength = (r: number): number => (runs.end[r] ?? 0) - (runs.start[r] ?? 0);
  const isShortSeparator = (r: number): boolean =>
    runs.kind[r] === RunKind.Separator && runLength(r) < MAX_DISGUISE_SEPARATOR + 1;
  const isSingleWord = (r: number): boolean => runs.kind[r] === RunKind.Word && runLength(r) === 1;

  for (let r = 1; r + 1 < runs.count; r++) {
    if (isShortSeparator(r) && runs.kind[r - 1] === RunKind.Cjk && runs.kind[r + 1] === RunKind.Cjk) drop[r] = 1;
  }
  let r = 0;
  while (r < runs.count) {
    if (!isSingleWord(r)) {
      r++;
      continue;
    }
    let last = r;
    let letters = isAsciiLetter(chars.cps[runs.start[r] ?? 0] ?? 0) ? 1 : 0;
    while (last + 2 < runs.count && isShortSeparator(last + 1) && isSingleWord(last + 2)) {
      last += 2;
      if (isAsciiLetter(chars.cps[runs.start[last] ?? 0] ?? 0)) letters++;
    }
    if (last > r && letters >= 2) for (let s = r + 1; s < last; s += 2) drop[s] = 1;
    r = last + 1;
  }
  return drop;
}

function joinRuns(chars: CodePointBuffer, classes: Uint8Array, runs: Runs, drop: Uint8Array): CodePointBuffer {
  const out = new CodePointBuffer(chars.length + 1);
  for (let r = 0; r < runs.count; r++) {
    if (drop[r] === 1) continue;
    const start = runs.start[r] ?? 0;
    const end = runs.end[r] ?? 0;
    if (runs.kind[r] !== RunKind.Separator) {
      for (let i = start; i < end; i++) out.push(chars.cps[i] ?? 0, chars.starts[i] ?? 0, chars.ends[i] ?? 0);
      continue;
    }
    let allSoft = true;
    for (let i = start; i < end && allSoft; i++) allSoft = isSoft(chars.cps[i] ?? 0);
    if (allSoft) {
      out.push(0x20, chars.starts[start] ?? 0, chars.ends[end - 1] ?? 0);
      continue;
    }
    for (let i = start; i < end; i++) {
      const cp = chars.cps[i] ?? 0;
      if (cp === 0x20 && classes[i - 1] === CharClass.Space && i > start) continue;
      out.push(cp, chars.starts[i] ?? 0, chars.ends[i] ?? 0);
    }
  }
  return out;
}

function readDigitsAsLetters(chars: CodePointBuffer, classes: Uint8Array): void {
  let i = 0;
  const n = chars.length;
  while (i < n) {
    if (classes[i] !== CharClass.Word) {
      i++;
      continue;
    }
    let j = i;
    let letters = 0;
    let digits = 0;
    while (j < n && classes[j] === CharClass.Word) {
      const cp = chars.cps[j] ?? 0;
      if (isAsciiLetter(cp)) letters++;
      else if (isAsciiDigit(cp)) digits++;
      j++;
    }
    if (letters > 0 && digits > 0) {
      for (let k = i; k < j; k++) {
        const letter = DIGIT_AS_LETTER[chars.cps[k] ?? 0];
        if (letter !== undefined) chars.cps[k] = letter;
      }
    }
    i = j;
  }
}

function classify(chars: CodePointBuffer): Uint8Array {
  const classes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) classes[i] = classOf(chars.cps[i] ?? 0);
  return classes;
}

function encodeUtf8(chars: CodePointBuffer): { bytes: Buffer; byteToIndex: Uint32Array } {
  const n = chars.length;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const cp = chars.cps[i] ?? 0;
    size += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  const bytes = Buffer.allocUnsafe(size);
  const byteToIndex = new Uint32Array(size + 1);
  let b = 0;
  for (let i = 0; i < n; i++) {
    const cp = chars.cps[i] ?? 0;
    if (cp < 0x80) {
      byteToIndex[b] = i;
      bytes[b++] = cp;
    } else if (cp < 0x800) {
      byteToIndex[b] = i;
      byteToIndex[b + 1] = i;
      bytes[b++] = 0xc0 | (cp >> 6);
      bytes[b++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0x10000) {
      byteToIndex[b] = i;
      byteToIndex[b + 1] = i;
      byteToIndex[b + 2] = i;
      bytes[b++] = 0xe0 | (cp >> 12);
      bytes[b++] = 0x80 | ((cp >> 6) & 0x3f);
      bytes[b++] = 0x80 | (cp & 0x3f);
    } else {
      byteToIndex[b] = i;
      byteToIndex[b + 1] = i;
      byteToIndex[b + 2] = i;
      byteToIndex[b + 3] = i;
      bytes[b++] = 0xf0 | (cp >> 18);
      bytes[b++] = 0x80 | ((cp >> 12) & 0x3f);
      bytes[b++] = 0x80 | ((cp >> 6) & 0x3f);
      bytes[b++] = 0x80 | (cp & 0x3f);
    }
  }
  byteToIndex[size] = n;
  return { bytes, byteToIndex };
}

export function normalizeText(input: string): NormalizedText {
  const folded = foldCharacters(input);
  const foldedClasses = classify(folded);
  const runs = splitRuns(folded, foldedClasses);
  const joined = joinRuns(folded, foldedClasses, runs, disguisingSeparators(runs, folded));
  const classes = classify(joined);
  readDigitsAsLetters(joined, classes);
  const { bytes, byteToIndex } = encodeUtf8(joined);
  return {
    codePoints: joined.cps.subarray(0, joined.length),
    originStart: joined.starts.subarray(0, joined.length),
    originEnd: joined.ends.subarray(0, joined.length),
    bytes,
    byteToIndex,
    classes,
  };
}

/** The normalized form of a pack term or any short string, as a plain string. */
export function normalizeTerm(term: string): string {
  return normalizeText(term).bytes.toString('utf8');
}
