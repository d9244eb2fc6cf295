// Makes packs live: from a file at start, from an admin at run time. An admin's
// pack is stored in Redis and announced, so every instance on the same Redis
// compiles and swaps it in too; an instance that starts later takes it from Redis
// instead of its own file. A pack that fails validation or compilation is refused
// whole and the old one stays live.
import { createHash } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { CompiledPack } from './compiled-pack.js';
import type { BuiltPack, PackBuilder } from './pack-builder.js';
import type { LivePack } from './live-pack.js';
import { PackInvalidError } from './pack-invalid-error.js';
import { packSourceSize, sharedBytes, type PackSource } from './pack-source.js';
import type { BodyFormat } from '../http/decode-body.js';
import { withoutSeededEntries, type BrandEntry } from './policy-pack.js';

export interface PackManagerParts {
  redis: Redis;
  keys: RedisKeys;
  livePack: LivePack;
  lists: BlocklistStore;
  fingerprints: FingerprintBank;
  metrics: GateMetrics;
  builder: PackBuilder;
  log: (message: string) => void;
  /** Brands rights holders registered that are enforceable now (added to every pack). */
  registeredBrands?: () => Promise<BrandEntry[]>;
  /** This instance's id: announcements it made itself are not acted on twice. */
  instanceId?: string;
}

const REGISTRY_MESSAGE = 'registry:';

function signatureOf(brands: readonly BrandEntry[]): string {
  return createHash('sha256').update(JSON.stringify(brands)).digest('hex');
}

interface PackManifest {
  packHash: string;
  chunks: number;
  /** Total size, so that a reader can place the chunks straight into one shared buffer. */
  bytes?: number;
  format?: BodyFormat;
}

/** A stored pack is split into strings of this size (each held Redis for ~30 ms at 4 MiB: load:swap-timeline). */
const PACK_CHUNK_BYTES = 1024 * 1024;

interface StoredPack {
  source: PackSource;
  packHash: string;
}

export class PackManager {
  private chain: Promise<unknown> = Promise.resolve();
  /**
   * Runs before a pack goes live (the matching threads load its database), so
   * that no check waits for the loading: until it is done, the old pack serves.
   */
  beforeSwap: ((next: CompiledPack) => Promise<void>) | undefined;
  /** The admin's (or the file's) pack, to which registered brands are added. */
  private baseSource: PackSource | undefined;
  private registryDirty = false;
  /** Which registered brands the live pack was built with (ids and content). */
  private registrySignature = '';
  private registryRebuild: Promise<void> | undefined;

  constructor(private readonly parts: PackManagerParts) {}

  /** At start: the admin pack in Redis if there is one, else the file. */
  async loadInitial(path: string): Promise<CompiledPack> {
    const stored = await this.readStored();
    if (stored) {
      try {
        const compiled = await this.makeLive(stored.source);
        this.parts.log(`pack ${compiled.pack.packVersion} loaded from Redis (uploaded by an admin; GATE_PACK is not used while it is there)`);
        return compiled;
      } catch (error) {
        this.parts.log(`the pack stored in Redis is unusable (${(error as Error).message}); loading ${path}`);
      }
    }
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch (error) {
      throw new PackInvalidError([{ path: '', message: `cannot read ${path}: ${(error as Error).message}` }]);
    }
    const compiled = await this.makeLive({ bytes: sharedBytes([file]), format: 'json' });
    this.parts.log(`pack ${compiled.pack.packVersion} loaded from ${path}: ${compiled.patternCount} patterns ${compiled.fromCache ? 'loaded from the compiled-database cache' : 'compiled'} in ${compiled.compileMillis.toFixed(0)} ms`);
    return compiled;
  }

  /** Whether the live pack's base is this upload's file (the file must stay while it is). */
  holds(file: string): boolean {
    const base = this.baseSource;
    return base !== undefined && 'file' in base && base.file === file;
  }

  /** An admin's pack (its bytes as uploaded): made live here, then stored and announced to the other instances. */
  async replace(source: PackSource): Promise<CompiledPack> {
    const compiled = await this.makeLive(source);
    await this.store(source, compiled.packHash);
    await this.parts.redis.publish(this.parts.keys.packChanges, compiled.packHash);
    return compiled;
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.parts.keys.packChanges) return;
      if (message.startsWith(REGISTRY_MESSAGE)) {
        if (message !== `${REGISTRY_MESSAGE}${this.parts.instanceId ?? ''}`) void this.refreshRegistry();
        return;
      }
      if (message === this.parts.livePack.current?.packHash) return;
      void this.reloadStored();
    });
    await subscriber.subscribe(this.parts.keys.packChanges);
  }

  /**
   * Rebuilds the live pack with the registry as it is now, then tells the other
   * instances to do the same. Changes arriving during a rebuild cause one more
   * rebuild, not one each.
   */
  async registryChanged(): Promise<void> {
    await this.refreshRegistry();
    await this.parts.redis.publish(this.parts.keys.packChanges, `${REGISTRY_MESSAGE}${this.parts.instanceId ?? ''}`);
  }

  /** Rebuilds when the enforceable brands changed without an announcement (a mark's validity began or ended). */
  async recheckRegistry(): Promise<void> {
    if (this.baseSource === undefined || !this.parts.registeredBrands) return;
    if (signatureOf(await this.parts.registeredBrands()) !== this.registrySignature) await this.refreshRegistry();
  }

  refreshRegistry(): Promise<void> {
    this.registryDirty = true;
    this.registryRebuild ??= (async () => {
      while (this.registryDirty) {
        this.registryDirty = false;
        const base = this.baseSource;
        if (base === undefined) return;
        try {
          const compiled = await this.makeLive(base, false);
          this.parts.log(`pack ${compiled.pack.packVersion} rebuilt with the registered brands (${compiled.patternCount} patterns)`);
        } catch (error) {
          this.parts.log(`registered brands not made live: ${(error as Error).message}`);
        }
      }
    })().finally(() => {
      this.registryRebuild = undefined;
    });
    return this.registryRebuild;
  }

  private async reloadStored(): Promise<void> {
    try {
      const stored = await this.readStored();
      if (!stored || stored.packHash === this.parts.livePack.current?.packHash) return;
      // Not seeded again: the instance that took the upload wrote its lists and banks
      // before announcing it, and every instance hears of them from that one. Seeding
      // here too would repeat a million writes per instance, and an instance still
      // on an older announcement could write the older pack's values over newer ones.
      const compiled = await this.makeLive(stored.source, false);
      this.parts.log(`pack ${compiled.pack.packVersion} made live (announced by another instance)`);
    } catch (error) {
      this.parts.log(`could not load the announced pack: ${(error as Error).message}`);
    }
  }

  /**
   * Stores the pack in chunks, then the manifest naming them: one SET of a
   * 100 MB pack would hold Redis (and every check's lookup) for seconds and
   * outlast the command timeout. Readers only ever see a complete pack.
   */
  private async store(source: PackSource, packHash: string): Promise<void> {
    const { redis, keys } = this.parts;
    const size = packSourceSize(source);
    const chunks = Math.max(1, Math.ceil(size / PACK_CHUNK_BYTES));
    if ('file' in source) {
      // An upload goes from its file to Redis a chunk at a time.
      const file = await open(source.file, 'r');
      try {
        const chunk = Buffer.allocUnsafe(PACK_CHUNK_BYTES);
        for (let i = 0; i < chunks; i++) {
          const { bytesRead } = await file.read(chunk, 0, PACK_CHUNK_BYTES, i * PACK_CHUNK_BYTES);
          await redis.set(`${keys.livePack}:${packHash}:${i}`, chunk.subarray(0, bytesRead));
        }
      } finally {
        await file.close();
      }
    } else {
      const bytes = Buffer.from(source.bytes.buffer, source.bytes.byteOffset, source.bytes.byteLength);
      for (let i = 0; i < chunks; i++) {
        await redis.set(`${keys.livePack}:${packHash}:${i}`, bytes.subarray(i * PACK_CHUNK_BYTES, (i + 1) * PACK_CHUNK_BYTES));
      }
    }
    const previous = await this.readManifest();
    await redis.set(keys.livePack, JSON.stringify({ packHash, chunks, bytes: size, format: source.format } satisfies PackManifest));
    if (previous && previous.packHash !== packHash) {
      for (let i = 0; i < previous.chunks; i++) await redis.del(`${keys.livePack}:${previous.packHash}:${i}`);
    }
  }

  private async readManifest(): Promise<PackManifest | undefined> {
    const text = await this.parts.redis.get(this.parts.keys.livePack);
    if (text === null) return undefined;
    const manifest = JSON.parse(text) as Partial<PackManifest>;
    if (typeof manifest.packHash !== 'string' || typeof manifest.chunks !== 'number') return undefined;
    const out: PackManifest = { packHash: manifest.packHash, chunks: manifest.chunks, format: manifest.format === 'msgpack' ? 'msgpack' : 'json' };
    if (typeof manifest.bytes === 'number') out.bytes = manifest.bytes;
    return out;
  }

  private async readStored(): Promise<StoredPack | undefined> {
    const manifest = await this.readManifest();
    if (!manifest) return undefined;
    // Each chunk is copied into the shared buffer as it arrives: a few milliseconds
    // at a time on the event loop, never the whole pack at once.
    const target = manifest.bytes === undefined ? undefined : new Uint8Array(new SharedArrayBuffer(manifest.bytes));
    const parts: Buffer[] = [];
    let offset = 0;
    for (let i = 0; i < manifest.chunks; i++) {
      const chunk = await this.parts.redis.getBuffer(`${this.parts.keys.livePack}:${manifest.packHash}:${i}`);
      if (chunk === null) throw new Error(`the stored pack ${manifest.packHash} is missing chunk ${i}`);
      if (!target) parts.push(chunk);
      else if (offset + chunk.length > target.length) throw new Error(`the stored pack ${manifest.packHash} is larger than its manifest says`);
      else target.set(chunk, offset);
      offset += chunk.length;
    }
    if (target && offset !== target.length) throw new Error(`the stored pack ${manifest.packHash} is ${offset} bytes, its manifest says ${target.length}`);
    return { source: { bytes: target ?? sharedBytes(parts), format: manifest.format ?? 'json' }, packHash: manifest.packHash };
  }

  /** Swaps are serialized: two uploads at once cannot leave the older one live. */
  private makeLive(source: PackSource, seed = true): Promise<CompiledPack> {
    const run = this.chain.then(async () => {
      let built: BuiltPack;
      try {
        const registered = (await this.parts.registeredBrands?.()) ?? [];
        this.registrySignature = signatureOf(registered);
        built = await this.parts.builder.build(source, registered, seed);
      } catch (error) {
        this.parts.metrics.packRejected.inc();
        throw error;
      }
      const replaced = this.baseSource;
      this.baseSource = source;
      // An upload's file is the base of registry rebuilds until another pack replaces it.
      if (replaced && replaced !== source && 'file' in replaced) await rm(replaced.file, { force: true });
      const { compiled, seeded } = built;
      if (seeded) {
        // The build process wrote the lists and banks; instances drop or reload only what changed.
        if (seeded.lists > 0) await this.parts.lists.seeded();
        if (seeded.images + seeded.texts > 0) await this.parts.fingerprints.seeded();
      }
      // Once seeded, lists and banks live in Redis and the fingerprint bank; the live
      // pack keeps only what matching reads (a million-entry list would otherwise stay on the heap).
      const live: CompiledPack = { ...compiled, pack: withoutSeededEntries(compiled.pack) };
      if (this.beforeSwap) {
        await this.beforeSwap(live).catch((error: unknown) => this.parts.log(`warm-up before the swap failed (the swap goes ahead): ${(error as Error).message}`));
      }
      this.parts.livePack.swap(live);
      this.parts.builder.settled();
      this.parts.metrics.packSwaps.inc();
      return live;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
