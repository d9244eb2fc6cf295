// The banked entries of every fingerprint bank and what it takes to index them
// again (each text's fingerprint, each text bank's stop grams), held on the
// bank-build thread: a million entries and their indexes are rebuilt there, never
// on the event loop. build() makes a generation the matching workers search.
import { FINGERPRINT_KINDS, type FingerprintKind } from './fingerprint-kind.js';
import { shareFingerprints, type SharedFingerprints } from './fingerprint-indexes.js';
import { buildImageIndex } from './image-index.js';
import { parsePhash } from './phash.js';
import { refTableOf, type RefTable } from './ref-table.js';
import { textGrams } from './text-grams.js';
import { buildTextIndex, commonGrams, fingerprintGrams, type TextFingerprint } from './text-index.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface BankEntry {
  ref: string;
  /** A 16-hex pHash for image kinds, the text for text kinds. */
  value: string;
}

export interface BankChange {
  kind: FingerprintKind;
  add?: BankEntry[];
  remove?: string[];
}

/** A built generation of the banks: what workers search, and how to name what they find. */
export interface FingerprintSnapshot {
  shared: SharedFingerprints;
  imageRefs: RefTable;
  textRefs: RefTable;
  /** Entries per bank in this generation. */
  sizes: Record<FingerprintKind, number>;
  /** How long building it took. */
  buildMs: number;
}

export function emptySizes(): Record<FingerprintKind, number> {
  return Object.fromEntries(FINGERPRINT_KINDS.map((kind) => [kind, 0])) as Record<FingerprintKind, number>;
}

export class BankState {
  private readonly values = new Map<FingerprintKind, Map<string, string>>(FINGERPRINT_KINDS.map((k) => [k, new Map()]));
  private readonly textCache = new Map<string, TextFingerprint>();
  private readonly stopGrams = new Map<FingerprintKind, { grams: Uint32Array; basis: number }>();
  private version: number;

  /** `lastVersion`: the newest generation the workers may have seen (a new build thread continues after it). */
  constructor(
    private readonly log: GateLog,
    lastVersion = 0,
  ) {
    this.version = lastVersion;
  }

  replace(kind: FingerprintKind, values: Map<string, string>): void {
    this.values.set(kind, values);
  }

  apply(change: BankChange): void {
    const bank = this.values.get(change.kind);
    if (!bank) return;
    for (const entry of change.add ?? []) bank.set(entry.ref, entry.value);
    for (const ref of change.remove ?? []) bank.delete(ref);
  }

  sizes(): Record<FingerprintKind, number> {
    const sizes = emptySizes();
    for (const kind of FINGERPRINT_KINDS) sizes[kind] = this.values.get(kind)?.size ?? 0;
    return sizes;
  }

  entriesWithPrefix(kind: FingerprintKind, prefix: string): BankEntry[] {
    const out: BankEntry[] = [];
    for (const [ref, value] of this.values.get(kind) ?? []) if (ref.startsWith(prefix)) out.push({ ref, value });
    return out;
  }

  private textFingerprint(text: string, stop: Uint32Array): TextFingerprint {
    let fp = this.textCache.get(text);
    if (!fp) {
      fp = fingerprintGrams(textGrams(text), stop);
      this.textCache.set(text, fp);
    } else if (fp.stop !== stop) {
      fp = fingerprintGrams(fp.grams, stop);
      this.textCache.set(text, fp);
    }
    return fp;
  }

  /**
   * The stop grams of a text bank, recomputed only when the bank has grown or
   * shrunk by a fifth since they were (a new set means signing every text again).
   */
  private stopGramsFor(kind: FingerprintKind, texts: readonly string[]): Uint32Array {
    const current = this.stopGrams.get(kind);
    if (current && Math.abs(texts.length - current.basis) <= current.basis / 5) return current.grams;
    const grams = commonGrams(texts.map((text) => this.textCache.get(text)?.grams ?? textGrams(text)));
    this.stopGrams.set(kind, { grams, basis: texts.length });
    return grams;
  }

  build(): FingerprintSnapshot {
    const started = performance.now();
    const imagesOf = (kind: FingerprintKind): { refs: string[]; hi: Uint32Array; lo: Uint32Array } => {
      const bank = this.values.get(kind) ?? new Map<string, string>();
      const refs: string[] = [];
      const hi = new Uint32Array(bank.size);
      const lo = new Uint32Array(bank.size);
      for (const [ref, hex] of bank) {
        try {
          const hash = parsePhash(hex);
          hi[refs.length] = hash.hi;
          lo[refs.length] = hash.lo;
          refs.push(ref);
        } catch {
          this.log.warn(`fingerprint ${kind}/${ref} is not a 64-bit hash; ignored`);
        }
      }
      return { refs, hi: hi.subarray(0, refs.length), lo: lo.subarray(0, refs.length) };
    };
    const textsOf = (kind: FingerprintKind): { refs: string[]; fingerprints: TextFingerprint[]; stop: Uint32Array } => {
      const bank = this.values.get(kind) ?? new Map<string, string>();
      const texts = [...bank.values()];
      const stop = this.stopGramsFor(kind, texts);
      return { refs: [...bank.keys()], fingerprints: texts.map((text) => this.textFingerprint(text, stop)), stop };
    };
    const banned = imagesOf('images');
    const negative = imagesOf('negative-images');
    const bannedTexts = textsOf('texts');
    const negativeTexts = textsOf('negative-texts');
    // Texts no longer banked need not stay cached.
    const live = new Set([...(this.values.get('texts')?.values() ?? []), ...(this.values.get('negative-texts')?.values() ?? [])]);
    for (const text of this.textCache.keys()) if (!live.has(text)) this.textCache.delete(text);
    return {
      shared: shareFingerprints(++this.version, {
        bannedImages: buildImageIndex(banned.hi, banned.lo),
        negativeImages: buildImageIndex(negative.hi, negative.lo),
        bannedTexts: buildTextIndex(bannedTexts.fingerprints, bannedTexts.stop),
        negativeTexts: buildTextIndex(negativeTexts.fingerprints, negativeTexts.stop),
      }),
      imageRefs: refTableOf(banned.refs),
      textRefs: refTableOf(bannedTexts.refs),
      sizes: this.sizes(),
      buildMs: performance.now() - started,
    };
  }
}
