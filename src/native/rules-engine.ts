// The one place the native-rules addon is loaded, and the typed shape of its
// boundary. Everything that means something (terms, fields, offsets) is decided in
// TypeScript; the addon compiles, (de)serializes and scans.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Extended parameters of one pattern (Hyperscan's `hs_expr_ext_t`). */
export interface PatternExtension {
  minOffset?: number;
  maxOffset?: number;
  minLength?: number;
  editDistance?: number;
  hammingDistance?: number;
}

export interface PatternSpec {
  /** Stable numeric id reported with each match; several patterns may share one. */
  id: number;
  /** A Hyperscan (PCRE-subset) expression. Use `escapeLiteral` for literal text. */
  expression: string;
  /** A bitwise OR of `patternFlags` values. */
  flags: number;
  ext?: PatternExtension;
}

export interface ScanResult {
  /** Triples `(id, from, to)` in byte offsets; `from` is 0 unless the pattern has SOM_LEFTMOST. */
  matches: Uint32Array;
  /** True when the scan stopped at `maxMatches`, or a pattern matched more than `maxPerPattern` times (the rest were dropped). */
  truncated: boolean;
}

export interface NativeDatabase {
  scan(data: Uint8Array, maxMatches?: number, maxPerPattern?: number): ScanResult;
  serialize(): Buffer;
  info(): string;
  size(): number;
  close(): void;
}

export interface PatternFlags {
  readonly CASELESS: number;
  readonly DOTALL: number;
  readonly MULTILINE: number;
  readonly SINGLEMATCH: number;
  readonly ALLOWEMPTY: number;
  readonly UTF8: number;
  readonly UCP: number;
  readonly PREFILTER: number;
  readonly SOM_LEFTMOST: number;
}

/**
 * The normalizer's rules, handed to the addon once per thread (native-rules/src/normalizer-tables.h).
 * Each part is built by the module that owns its meaning; the addon keeps no rule of its own.
 */
export interface NormalizerTables {
  /** src/normalize/fold-table.ts */
  fold: {
    /** What each code point below `direct.length` folds to: a code point, `deleted` or `multiple`. */
    direct: Int32Array;
    deleted: number;
    multiple: number;
    /** The folds marked `multiple`: `cp, count, part...` repeated. */
    multi: Uint32Array;
    /** Code points from `direct.length` up that fold to another one: `cp, folded` pairs. */
    upper: Uint32Array;
    /** Ranges from `direct.length` up that are dropped: `first, last` pairs. */
    ignoredAbove: Uint32Array;
  };
  /** src/normalize/char-class.ts */
  classes: {
    /** The class of each code point below `direct.length` (as many as `fold.direct`). */
    direct: Uint8Array;
    /** Classes from `direct.length` up: `first, last, class` triples. */
    above: Uint32Array;
    /** The class of every other code point. */
    otherwise: number;
    /** The classes that make word runs and CJK runs; every other class makes separator runs. */
    word: number;
    cjk: number;
  };
  /** src/normalize/separator-table.ts */
  separators: {
    /** 1 for a soft separator, below `soft.length`. */
    soft: Uint8Array;
    /** The code point a stretch of soft separators becomes. */
    space: number;
    /** The longest separator run between CJK characters that is dropped. */
    maxInsideRun: number;
  };
  /** src/normalize/digit-letters.ts; each indexed by an ASCII code point. */
  digits: {
    /** The letter a digit is read as in a word that mixes letters and digits, 0 where it stays. */
    asLetter: Uint8Array;
    /** 1 for what counts as a letter, and as a digit, when telling whether a word mixes them. */
    letters: Uint8Array;
    digits: Uint8Array;
  };
}

export interface NativeNormalizer {
  /** Returns the packed result that src/normalize/normalize-text.ts unpacks (4-byte aligned). */
  normalize(text: string, withOffsets?: boolean): Buffer;
  /** The tables this normalizer was made with, as it holds them. */
  tables(): NormalizerTables;
}

interface NativeRulesAddon {
  hammingLookup(table: Uint32Array, hi: number, lo: number, maxDistance: number): Uint32Array;
  textGrams(bytes: readonly Uint8Array[], classes: readonly Uint8Array[]): Uint32Array;
  minhash(grams: Uint32Array, seedsA: Uint32Array, seedsB: Uint32Array): Uint32Array;
  idleThreadSchedule(): boolean;
  textLookup(
    offsets: Uint32Array,
    ids: Uint32Array,
    bandKeys: Uint32Array,
    gramOffsets: Uint32Array,
    grams: Uint32Array,
    tableBits: number,
    keys: Uint32Array,
    query: Uint32Array,
    threshold: number,
  ): Uint32Array;
  Normalizer: new (tables: NormalizerTables) => NativeNormalizer;
  compile(patterns: readonly PatternSpec[]): NativeDatabase;
  compileAsync(patterns: readonly PatternSpec[]): Promise<NativeDatabase>;
  deserialize(bytes: Uint8Array, key?: string): NativeDatabase;
  deserializeAsync(bytes: Uint8Array, key?: string): Promise<NativeDatabase>;
  version(): string;
  validPlatform(): boolean;
  sharedDatabaseCount(): number;
  flags: PatternFlags;
}

/** A compile failure, naming the pattern (by id and index) and Hyperscan's reason. */
export interface PatternCompileError extends Error {
  code: 'NATIVE_RULES_COMPILE';
  reason: string;
  patternIndex?: number;
  patternId?: number;
}

export function isPatternCompileError(error: unknown): error is PatternCompileError {
  return error instanceof Error && (error as { code?: unknown }).code === 'NATIVE_RULES_COMPILE';
}

function loadAddon(): NativeRulesAddon {
  const here = dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  // The compiled file sits in dist/src/native/ and the source in src/native/; the
  // addon is built once, in native-rules/build/ at the repository root.
  const candidates = [
    process.env.NATIVE_RULES_PATH,
    resolve(here, '../../../native-rules/build/Release/native_rules.node'),
    resolve(here, '../../native-rules/build/Release/native_rules.node'),
    resolve(here, '../../../native-rules/build/Debug/native_rules.node'),
  ].filter((path): path is string => typeof path === 'string' && path.length > 0);
  const failures: string[] = [];
  for (const path of candidates) {
    if (!existsSync(path)) {
      failures.push(`${path}: not found`);
      continue;
    }
    try {
      return require(path) as NativeRulesAddon;
    } catch (error) {
      failures.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `native-rules addon could not be loaded (run \`npm ci\` or \`npx node-gyp rebuild --directory=native-rules\`). Tried:\n  ${failures.join('\n  ')}`,
  );
}

const addon = loadAddon();

export const patternFlags: PatternFlags = addon.flags;

/** Multi-index hashing probe over the table of src/fingerprint/image-index.ts: (entry, distance) pairs by entry. */
export const hammingLookup: NativeRulesAddon['hammingLookup'] = (table, hi, lo, maxDistance) => addon.hammingLookup(table, hi, lo, maxDistance);

/** Sorted distinct 3-gram hashes of normalized parts taken as one text (src/fingerprint/text-grams.ts). */
export const nativeTextGrams: NativeRulesAddon['textGrams'] = (bytes, classes) => addon.textGrams(bytes, classes);

/** MinHash signature of a gram set under the given seeds (src/fingerprint/text-index.ts). */
export const nativeMinhash: NativeRulesAddon['minhash'] = (grams, seedsA, seedsB) => addon.minhash(grams, seedsA, seedsB);

/** Probe and exact check of a text lookup (src/fingerprint/text-index.ts): the ids of the banked texts that match, in the order found. */
export const nativeTextLookup: NativeRulesAddon['textLookup'] = (offsets, ids, bandKeys, gramOffsets, grams, tableBits, keys, query, threshold) =>
  addon.textLookup(offsets, ids, bandKeys, gramOffsets, grams, tableBits, keys, query, threshold);

/** Puts the calling thread under SCHED_IDLE (true), or does nothing where the platform has no such policy (false); throws when refused. */
export const idleThreadSchedule = (): boolean => addon.idleThreadSchedule();

export function createNormalizer(tables: NormalizerTables): NativeNormalizer {
  return new addon.Normalizer(tables);
}

export const rulesEngine = {
  compile: (patterns: readonly PatternSpec[]): NativeDatabase => addon.compile(patterns),
  compileAsync: (patterns: readonly PatternSpec[]): Promise<NativeDatabase> => addon.compileAsync(patterns),
  /**
   * Loads a serialized database, shared with every thread that loads the same one.
   * `key` names its content (a compiled pack's database key), which spares hashing the bytes.
   */
  deserialize: (bytes: Uint8Array, key?: string): NativeDatabase => addon.deserialize(bytes, key),
  /** The same, loaded on libuv's pool instead of the calling thread. */
  deserializeAsync: (bytes: Uint8Array, key?: string): Promise<NativeDatabase> => addon.deserializeAsync(bytes, key),
  /** Hyperscan's version string, part of every compiled-database cache key. */
  version: (): string => addon.version(),
  validPlatform: (): boolean => addon.validPlatform(),
  /** Distinct deserialized databases alive in this process, across all threads. */
  sharedDatabaseCount: (): number => addon.sharedDatabaseCount(),
};

const REGEX_META = /[\\^$.|?*+()[\]{}\-/#\s]/;

/** Turns literal text into an expression that matches exactly it. */
export function escapeLiteral(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (REGEX_META.test(ch)) out += ch === ' ' ? '\\x20' : `\\${ch}`;
    else out += ch;
  }
  return out;
}
