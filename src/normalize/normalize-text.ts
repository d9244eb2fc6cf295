// Normalization against evasion (contract section 3), applied identically to pack
// terms and listing text. After the per-character fold (fold-table.ts):
//   - separators between CJK characters are dropped (`路 易 威 登`, `高|仿`);
//     a separator run of more than 3 characters always separates;
//   - runs of soft punctuation and spaces become one space (separator-table.ts),
//     hard punctuation is kept; separators between Latin letters stay, for the
//     matcher reads a term through them (`L.V`, `N-i-k-e`);
//   - inside a word that mixes letters and digits, the digits commonly typed for
//     letters are read as those letters (digit-letters.ts: `C4n0n` -> `canon`).
// The rules are tables built here from Unicode's data and OpenCC, handed to the
// native addon once per thread; its passes (native-rules/src/normalizer.cc) run
// them on the request path and hold no rule of their own.
import { classTables } from './char-class.js';
import { digitTables } from './digit-letters.js';
import { buildFoldTables } from './fold-table.js';
import type { NormalizedChars, NormalizedText } from './normalized-text.js';
import { separatorTables } from './separator-table.js';
import { createNormalizer, type NativeNormalizer, type NormalizerTables } from '../native/rules-engine.js';

let normalizer: NativeNormalizer | undefined;

/** Every rule the native passes apply, each from the module that owns it (~0.5 s to build). */
export function buildNormalizerTables(): NormalizerTables {
  return { fold: buildFoldTables(), classes: classTables(), separators: separatorTables(), digits: digitTables() };
}

/** Builds this thread's tables now rather than on the first listing. */
export function prepareNormalizer(): NativeNormalizer {
  normalizer ??= createNormalizer(buildNormalizerTables());
  return normalizer;
}

export function normalizeText(input: string): NormalizedText {
  const result = prepareNormalizer().normalize(input);
  const packed = result.buffer;
  const header = new Uint32Array(packed, result.byteOffset, 2);
  const length = header[0] ?? 0;
  const byteLength = header[1] ?? 0;
  let offset = result.byteOffset + 8;
  const originStart = new Uint32Array(packed, offset, length);
  offset += 4 * length;
  const originEnd = new Uint32Array(packed, offset, length);
  offset += 4 * length;
  const byteToIndex = new Uint32Array(packed, offset, byteLength + 1);
  offset += 4 * (byteLength + 1);
  const classes = new Uint8Array(packed, offset, length);
  offset += length;
  const bytes = Buffer.from(packed, offset, byteLength);
  return { length, originStart, originEnd, bytes, byteToIndex, classes };
}

/** Normalized text without the offset map: for fingerprints, which never point back. */
export function normalizeChars(input: string): NormalizedChars {
  const result = prepareNormalizer().normalize(input, false);
  const header = new Uint32Array(result.buffer, result.byteOffset, 2);
  const length = header[0] ?? 0;
  const byteLength = header[1] ?? 0;
  const offset = result.byteOffset + 8;
  return { length, classes: new Uint8Array(result.buffer, offset, length), bytes: Buffer.from(result.buffer, offset + length, byteLength) };
}

/** The normalized form of a pack term or any short string, as a plain string. */
export function normalizeTerm(term: string): string {
  return normalizeText(term).bytes.toString('utf8');
}
