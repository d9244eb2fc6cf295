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
//
// It runs on every field of every listing, so it works in module-level scratch
// buffers (one set per thread) and allocates only what it returns.
import { CharClass, classOf } from './char-class.js';
import { FOLD_DELETE, FOLD_MULTI, foldTable } from './fold-table.js';
import type { NormalizedText } from './normalized-text.js';

/** A separator run longer than this is never dropped: it separates, it does not disguise. */
const MAX_DISGUISE_SEPARATOR = 3;

const HARD_PUNCTUATION = new Set([':', '&', '#', '@', '%', '+', '=', '<', '>', '$'].map((c) => c.codePointAt(0) ?? 0));
const SOFT_SYMBOLS = new Set(['|', '~', '^', '`'].map((c) => c.codePointAt(0) ?? 0));
const PUNCTUATION = /^\p{P}$/u;

const softTable = new Uint8Array(0x10000);
for (let cp = 0; cp < 0x10000; cp++) {
  if (cp >= 0xd800 && cp <= 0xdfff) continue;
  softTable[cp] = cp === 0x20 || SOFT_SYMBOLS.has(cp) || (PUNCTUATION.test(String.fromCharCode(cp)) && !HARD_PUNCTUATION.has(cp)) ? 1 : 0;
}

/** 0 -> o, 3 -> e, 4 -> a, 5 -> s; 0 where a digit is not read as a letter. */
const digitAsLetter = new Uint8Array(128);
digitAsLetter[0x30] = 0x6f;
digitAsLetter[0x33] = 0x65;
digitAsLetter[0x34] = 0x61;
digitAsLetter[0x35] = 0x73;

const enum Run {
  Word = 0,
  Cjk = 1,
  Separator = 2,
}

/** Scratch space, grown on demand and reused by every call on this thread. */
let capacity = 0;
let foldCps = new Uint32Array(0);
let foldStarts = new Uint32Array(0);
let foldEnds = new Uint32Array(0);
let foldClasses = new Uint8Array(0);
let runStarts = new Uint32Array(0);
let runKinds = new Uint8Array(0);
let runDrop = new Uint8Array(0);
let outCps = new Uint32Array(0);
let outStarts = new Uint32Array(0);
let outEnds = new Uint32Array(0);
let outClasses = new Uint8Array(0);

function ensureCapacity(size: number): void {
  if (size <= capacity) return;
  capacity = Math.max(size, capacity * 2, 256);
  foldCps = new Uint32Array(capacity);
  foldStarts = new Uint32Array(capacity);
  foldEnds = new Uint32Array(capacity);
  foldClasses = new Uint8Array(capacity);
  runStarts = new Uint32Array(capacity + 1);
  runKinds = new Uint8Array(capacity);
  runDrop = new Uint8Array(capacity);
  outCps = new Uint32Array(capacity);
  outStarts = new Uint32Array(capacity);
  outEnds = new Uint32Array(capacity);
  outClasses = new Uint8Array(capacity);
}

function runKindOf(cls: number): Run {
  return cls === CharClass.Word ? Run.Word : cls === CharClass.Cjk ? Run.Cjk : Run.Separator;
}

/** Folds every character; returns how many folded code points there are. */
function foldCharacters(input: string): number {
  const table = foldTable();
  const bmp = table.bmp;
  let n = 0;
  const length = input.length;
  for (let i = 0; i < length; ) {
    let cp = input.charCodeAt(i);
    let end = i + 1;
    if (cp >= 0xd800 && cp <= 0xdbff && end < length) {
      const low = input.charCodeAt(end);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        end++;
      }
    }
    const folded = cp < 0x10000 ? (bmp[cp] as number) : FOLD_MULTI;
    if (folded >= 0) {
      if (n === capacity) ensureCapacity(n + 1);
      foldCps[n] = folded;
      foldStarts[n] = i;
      foldEnds[n] = end;
      foldClasses[n] = classOf(folded);
      n++;
    } else if (folded !== FOLD_DELETE) {
      const parts = cp < 0x10000 ? table.multi.get(cp) : table.fold(cp);
      const list = typeof parts === 'number' ? [parts] : (parts ?? []);
      for (const part of list) {
        if (n === capacity) ensureCapacity(n + 1);
        foldCps[n] = part;
        foldStarts[n] = i;
        foldEnds[n] = end;
        foldClasses[n] = classOf(part);
        n++;
      }
    }
    i = end;
  }
  return n;
}

/** Splits folded text into runs (word, one CJK character, separators); returns the run count. */
function splitRuns(n: number): number {
  let runs = 0;
  let i = 0;
  while (i < n) {
    const kind = runKindOf(foldClasses[i] as number);
    runStarts[runs] = i;
    runKinds[runs] = kind;
    runDrop[runs] = 0;
    runs++;
    i++;
    if (kind !== Run.Cjk) while (i < n && runKindOf(foldClasses[i] as number) === kind) i++;
  }
  runStarts[runs] = n;
  return runs;
}

function runLength(r: number): number {
  return (runStarts[r + 1] as number) - (runStarts[r] as number);
}

function isShortSeparator(r: number): boolean {
  return runKinds[r] === Run.Separator && runLength(r) <= MAX_DISGUISE_SEPARATOR;
}

function isSingleWord(r: number): boolean {
  return runKinds[r] === Run.Word && runLength(r) === 1;
}

function isLetterRun(r: number): boolean {
  const cp = foldCps[runStarts[r] as number] as number;
  return cp >= 0x61 && cp <= 0x7a;
}

/** Marks the separator runs that only disguise a term, to be dropped. */
function markDisguises(runs: number): void {
  for (let r = 1; r + 1 < runs; r++) {
    if (runKinds[r - 1] === Run.Cjk && runKinds[r + 1] === Run.Cjk && isShortSeparator(r)) runDrop[r] = 1;
  }
  let r = 0;
  while (r < runs) {
    if (!isSingleWord(r)) {
      r++;
      continue;
    }
    let last = r;
    let letters = isLetterRun(r) ? 1 : 0;
    while (last + 2 < runs && isShortSeparator(last + 1) && isSingleWord(last + 2)) {
      last += 2;
      if (isLetterRun(last)) letters++;
    }
    if (last > r && letters >= 2) for (let s = r + 1; s < last; s += 2) runDrop[s] = 1;
    r = last + 1;
  }
}

function emit(m: number, cp: number, start: number, end: number): number {
  outCps[m] = cp;
  outStarts[m] = start;
  outEnds[m] = end;
  outClasses[m] = classOf(cp);
  return m + 1;
}

/** Writes the kept runs to the output scratch; returns the output length. */
function joinRuns(runs: number): number {
  let m = 0;
  for (let r = 0; r < runs; r++) {
    if (runDrop[r] === 1) continue;
    const start = runStarts[r] as number;
    const end = runStarts[r + 1] as number;
    if (runKinds[r] !== Run.Separator) {
      for (let i = start; i < end; i++) {
        outCps[m] = foldCps[i] as number;
        outStarts[m] = foldStarts[i] as number;
        outEnds[m] = foldEnds[i] as number;
        outClasses[m] = foldClasses[i] as number;
        m++;
      }
      continue;
    }
    let allSoft = true;
    for (let i = start; i < end && allSoft; i++) {
      const cp = foldCps[i] as number;
      allSoft = cp < 0x10000 && softTable[cp] === 1;
    }
    if (allSoft) {
      m = emit(m, 0x20, foldStarts[start] as number, foldEnds[end - 1] as number);
      continue;
    }
    for (let i = start; i < end; i++) {
      const cp = foldCps[i] as number;
      if (cp === 0x20 && i > start && foldCps[i - 1] === 0x20) continue;
      m = emit(m, cp, foldStarts[i] as number, foldEnds[i] as number);
    }
  }
  return m;
}

function readDigitsAsLetters(m: number): void {
  let i = 0;
  while (i < m) {
    if (outClasses[i] !== CharClass.Word) {
      i++;
      continue;
    }
    let j = i;
    let letters = 0;
    let digits = 0;
    for (; j < m && outClasses[j] === CharClass.Word; j++) {
      const cp = outCps[j] as number;
      if (cp >= 0x61 && cp <= 0x7a) letters++;
      else if (cp >= 0x30 && cp <= 0x39) digits++;
    }
    if (letters > 0 && digits > 0) {
      for (let k = i; k < j; k++) {
        const cp = outCps[k] as number;
        if (cp < 0x3a && cp >= 0x30 && digitAsLetter[cp] !== 0) outCps[k] = digitAsLetter[cp] as number;
      }
    }
    i = j;
  }
}

function encodeUtf8(m: number): { bytes: Buffer; byteToIndex: Uint32Array } {
  let size = 0;
  for (let i = 0; i < m; i++) {
    const cp = outCps[i] as number;
    size += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  const bytes = Buffer.allocUnsafe(size);
  const byteToIndex = new Uint32Array(size + 1);
  let b = 0;
  for (let i = 0; i < m; i++) {
    const cp = outCps[i] as number;
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
  byteToIndex[size] = m;
  return { bytes, byteToIndex };
}

export function normalizeText(input: string): NormalizedText {
  ensureCapacity(input.length + 16);
  const n = foldCharacters(input);
  const runs = splitRuns(n);
  markDisguises(runs);
  const m = joinRuns(runs);
  readDigitsAsLetters(m);
  const { bytes, byteToIndex } = encodeUtf8(m);
  return {
    length: m,
    originStart: outStarts.slice(0, m),
    originEnd: outEnds.slice(0, m),
    bytes,
    byteToIndex,
    classes: outClasses.slice(0, m),
  };
}

/** The normalized form of a pack term or any short string, as a plain string. */
export function normalizeTerm(term: string): string {
  return normalizeText(term).bytes.toString('utf8');
}
