// The fingerprint banks of the deployment: entries from the pack and added at run
// time live in Redis; every instance keeps them in memory, indexed, and applies
// each announced change at once (an index rebuild is debounced by a few
// milliseconds), so an entry added through one instance matches on all of them
// within a second. A reconnect of the subscription reloads everything.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import { FINGERPRINT_KINDS, type FingerprintKind } from './fingerprint-kind.js';
import { shareFingerprints, type SharedFingerprints } from './fingerprint-indexes.js';
import { buildImageIndex } from './image-index.js';
import { parsePhash } from './phash.js';
import { textGrams } from './text-grams.js';
import { buildTextIndex, commonGrams, fingerprintGrams, type TextFingerprint } from './text-index.js';

export interface BankEntry {
  ref: string;
  /** A 16-hex pHash for image kinds, the text for text kinds. */
  value: string;
}

/** A built generation of the banks: what workers search, and how to name what they find. */
export interface FingerprintSnapshot {
  shared: SharedFingerprints;
  imageRefs: string[];
  textRefs: string[];
}

interface BankChange {
  kind: FingerprintKind;
  add?: BankEntry[];
  remove?: string[];
}

const REBUILD_DELAY_MS = 10;

/** Entries written or read per Redis command when a whole bank moves. */
const SEED_CHUNK = 10_000;

export class FingerprintBank {
  private readonly values = new Map<FingerprintKind, Map<string, string>>(FINGERPRINT_KINDS.map((k) => [k, new Map()]));
  private readonly textCache = new Map<string, TextFingerprint>();
  private readonly stopGrams = new Map<FingerprintKind, { grams: Uint32Array; basis: number }>();
  private snapshot: FingerprintSnapshot;
  private version = 0;
  /** Names this instance in its reload announcements. */
  private readonly origin = randomUUID();
  private rebuildTimer: NodeJS.Timeout | undefined;
  private readonly listeners: Array<(snapshot: FingerprintSnapshot) => void> = [];
  lastRebuildMs = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.snapshot = this.build();
  }

  get current(): FingerprintSnapshot {
    return this.snapshot;
  }

  onRebuild(listener: (snapshot: FingerprintSnapshot) => void): void {
    this.listeners.push(listener);
  }

  /** Banked entries whose ref starts with `prefix` (from this instance's copy of the bank). */
  entriesWithPrefix(kind: FingerprintKind, prefix: string): BankEntry[] {
    const out: BankEntry[] = [];
    for (const [ref, value] of this.values.get(kind) ?? []) if (ref.startsWith(prefix)) out.push({ ref, value });
    return out;
  }

  size(kind: FingerprintKind): number {
    return this.values.get(kind)?.size ?? 0;
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.fingerprintChanges) this.onChange(message);
    });
    subscriber.on('ready', () => {
      this.reload().catch((error: unknown) => this.log(`fingerprint reload failed: ${(error as Error).message}`));
    });
    await subscriber.subscribe(this.keys.fingerprintChanges);
  }

  /** Adds the pack's banked entries (entries are only added: removal goes through `remove`). */
  async seed(images: readonly BankEntry[], texts: readonly BankEntry[]): Promise<void> {
    for (const [kind, entries] of [['images', images], ['texts', texts]] as const) {
      // One chunk at a time: a whole pipeline of a million entries would wait in
      // Redis past the command timeout, and would stall every other client.
      for (let i = 0; i < entries.length; i += SEED_CHUNK) {
        await this.redis.hset(this.keys.fingerprints(kind), Object.fromEntries(entries.slice(i, i + SEED_CHUNK).map((e) => [e.ref, e.value])));
      }
    }
    await this.reload();
    await this.redis.publish(this.keys.fingerprintChanges, `reload:${this.origin}`);
  }

  /** Banks were written by someone else (the pack-build thread): reload here and everywhere. */
  async seeded(): Promise<void> {
    await this.reload();
    await this.redis.publish(this.keys.fingerprintChanges, `reload:${this.origin}`);
  }

  /** Reads every bank from Redis and rebuilds the indexes. */
  async reload(): Promise<void> {
    for (const kind of FINGERPRINT_KINDS) {
      // HSCAN in chunks: HGETALL of a million entries is one reply Redis takes seconds to build.
      const values = new Map<string, string>();
      let cursor = '0';
      do {
        const [next, flat] = await this.redis.hscan(this.keys.fingerprints(kind), cursor, 'COUNT', SEED_CHUNK);
        for (let i = 0; i + 1 < flat.length; i += 2) values.set(flat[i] ?? '', flat[i + 1] ?? '');
        cursor = next;
      } while (cursor !== '0');
      this.values.set(kind, values);
    }
    this.rebuildNow();
  }

  async add(kind: FingerprintKind, entries: readonly BankEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.hset(this.keys.fingerprints(kind), Object.fromEntries(entries.map((e) => [e.ref, e.value])));
    const change: BankChange = { kind, add: [...entries] };
    this.apply(change);
    await this.redis.publish(this.keys.fingerprintChanges, JSON.stringify(change));
  }

  async remove(kind: FingerprintKind, refs: readonly string[]): Promise<number> {
    if (refs.length === 0) return 0;
    const removed = await this.redis.hdel(this.keys.fingerprints(kind), ...refs);
    const change: BankChange = { kind, remove: [...refs] };
    this.apply(change);
    await this.redis.publish(this.keys.fingerprintChanges, JSON.stringify(change));
    return removed;
  }

  private onChange(message: string): void {
    if (message === `reload:${this.origin}`) return; // this instance's own announcement: already reloaded
    if (message.startsWith('reload')) {
      this.reload().catch((error: unknown) => this.log(`fingerprint reload failed: ${(error as Error).message}`));
      return;
    }
    try {
      this.apply(JSON.parse(message) as BankChange);
    } catch (error) {
      this.log(`unreadable fingerprint change (${(error as Error).message}); reloading`);
      this.reload().catch(() => undefined);
    }
  }

  private apply(change: BankChange): void {
    const bank = this.values.get(change.kind);
    if (!bank) return;
    for (const entry of change.add ?? []) bank.set(entry.ref, entry.value);
    for (const ref of change.remove ?? []) bank.delete(ref);
    if (!this.rebuildTimer) {
      this.rebuildTimer = setTimeout(() => {
        this.rebuildTimer = undefined;
        this.rebuildNow();
      }, REBUILD_DELAY_MS);
    }
  }

  private rebuildNow(): void {
    this.snapshot = this.build();
    for (const listener of this.listeners) listener(this.snapshot);
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

  private build(): FingerprintSnapshot {
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
          this.log(`fingerprint ${kind}/${ref} is not a 64-bit hash; ignored`);
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
    const snapshot: FingerprintSnapshot = {
      shared: shareFingerprints(++this.version, {
        bannedImages: buildImageIndex(banned.hi, banned.lo),
        negativeImages: buildImageIndex(negative.hi, negative.lo),
        bannedTexts: buildTextIndex(bannedTexts.fingerprints, bannedTexts.stop),
        negativeTexts: buildTextIndex(negativeTexts.fingerprints, negativeTexts.stop),
      }),
      imageRefs: banned.refs,
      textRefs: bannedTexts.refs,
    };
    this.lastRebuildMs = performance.now() - started;
    return snapshot;
  }
}
