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
import { withoutSeededEntries, type BrandEntry, type ShadowEntries } from './policy-pack.js';
import { PackHistory, type PackAction, type PackVersion } from '../policy/pack-history.js';
import { GateError } from '../errors/gate-error.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface PackManagerParts {
  redis: Redis;
  keys: RedisKeys;
  livePack: LivePack;
  lists: BlocklistStore;
  fingerprints: FingerprintBank;
  metrics: GateMetrics;
  builder: PackBuilder;
  log: GateLog;
  /** Brands rights holders registered that are enforceable now (added to every pack). */
  registeredBrands?: () => Promise<BrandEntry[]>;
  /** This instance's id: announcements it made itself are not acted on twice. */
  instanceId?: string;
}

const REGISTRY_MESSAGE = 'registry:';
const ROLLOUT_MESSAGE = 'rollout:';
/** Compiled packs kept in memory by pack hash (the live one among them): a rollback to one of them or a rollout of one swaps it in without a build. */
const RECENT_PACKS = 3;

/** How a pack was readied: compiled, its database from the shared cache, or a pack this instance had built before. */
export type BuiltHow = 'compiled' | 'database-cache' | 'memory';

/** The staged rollout in force (stored at keys.packRollout). */
export interface RolloutState {
  version: string;
  packHash: string;
  /** Share of sellers, in percent, 0 < percent < 100. */
  percent: number;
  at: string;
  who: string;
}

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

/** Where a stored pack's bytes are: what a manifest and a history entry both say. */
type StoredChunks = Pick<PackManifest, 'packHash' | 'chunks' | 'bytes' | 'format'>;

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
  /** The live pack's base when it came from Redis without a build (a rollback to a pack held in memory): read when the registry needs it. */
  private baseStored: StoredChunks | undefined;
  private readonly recent = new Map<string, CompiledPack>();
  /** How the latest pack made live or staged here was readied. */
  lastHow: BuiltHow = 'compiled';
  readonly history: PackHistory;

  constructor(private readonly parts: PackManagerParts) {
    this.history = new PackHistory(parts.redis, parts.keys, (dropped, kept) => this.forgetChunks(dropped, kept));
  }

  /** At start: the admin pack in Redis if there is one, else the file. */
  async loadInitial(path: string): Promise<CompiledPack> {
    const stored = await this.readStored();
    if (stored) {
      try {
        const compiled = await this.makeLive(stored.source);
        this.parts.log.info(`pack ${compiled.pack.packVersion} loaded from Redis (uploaded by an admin; GATE_PACK is not used while it is there)`);
        return compiled;
      } catch (error) {
        this.parts.log.warn(`the pack stored in Redis is unusable (${(error as Error).message}); loading ${path}`);
      }
    }
    let file: Buffer;
    try {
      file = await readFile(path);
    } catch (error) {
      throw new PackInvalidError([{ path: '', message: `cannot read ${path}: ${(error as Error).message}` }]);
    }
    const source: PackSource = { bytes: sharedBytes([file]), format: 'json' };
    const compiled = await this.makeLive(source);
    this.parts.log.info(
      `pack ${compiled.pack.packVersion} loaded from ${path}: ${compiled.patternCount} patterns ${compiled.fromCache ? 'loaded from the compiled-database cache' : 'compiled'} in ${compiled.compileMillis.toFixed(0)} ms`,
    );
    // Kept in the history (bytes too, not as the live manifest: GATE_PACK stays in force), so that a rollback can return to it.
    if (!(await this.history.has(compiled.packHash))) {
      const stored = await this.storeChunks(source, compiled.packHash);
      await this.history.record(this.versionOf(compiled, stored, 'start', 'GATE_PACK'));
    }
    return compiled;
  }

  /** At start, after the live pack: the rollout in force, if any. */
  async loadRollout(): Promise<void> {
    await this.reloadRollout();
  }

  /** Whether the live pack's base is this upload's file (the file must stay while it is). */
  holds(file: string): boolean {
    const base = this.baseSource;
    return base !== undefined && 'file' in base && base.file === file;
  }

  /** An admin's pack (its bytes as uploaded): made live here, then stored and announced to the other instances. */
  async replace(source: PackSource, who = 'admin'): Promise<CompiledPack> {
    const compiled = await this.makeLive(source);
    const stored = await this.storeChunks(source, compiled.packHash);
    await this.writeManifest(stored);
    await this.history.record(this.versionOf(compiled, stored, 'replace', who));
    await this.parts.redis.publish(this.parts.keys.packChanges, compiled.packHash);
    return compiled;
  }

  /**
   * Makes the newest history entry of `version` live on every instance (issue 26
   * point 4) and ends a rollout. A pack this instance holds in memory swaps in
   * without a build; another is built from its stored bytes, its database taken
   * from the shared cache.
   */
  async rollback(version: string, who: string): Promise<{ compiled: CompiledPack; how: BuiltHow; rolloutCancelled: boolean }> {
    const entry = await this.history.find(version);
    if (!entry) throw new GateError('GATE_ERR_NOT_FOUND', `no version "${version}" in the pack history`, { field: 'version' });
    const rolloutCancelled = (await this.readRollout()) !== undefined;
    if (rolloutCancelled) await this.endRollout();
    const compiled = await this.makeLiveStored(entry, !(await this.wasLive(entry.packHash)));
    const how = this.lastHow;
    await this.writeManifest(entry);
    await this.history.record({ ...entry, at: new Date().toISOString(), who, action: 'rollback' });
    await this.parts.redis.publish(this.parts.keys.packChanges, compiled.packHash);
    return { compiled, how, rolloutCancelled };
  }

  /**
   * A pack to backtest (issue 26 point 3): validated and compiled as an upload is,
   * with the registered brands; its lists and banks not seeded but compared with
   * Redis's, what seeding would add coming back (refused past `additionsAtMost`);
   * not stored, recorded or kept. A bad pack is refused as PUT /v1/admin/pack refuses it.
   */
  async trial(source: PackSource, additionsAtMost: number): Promise<{ compiled: CompiledPack; additions: ShadowEntries }> {
    const built = await this.parts.builder.build(source, (await this.parts.registeredBrands?.()) ?? [], false, additionsAtMost);
    this.parts.builder.settled();
    if (!built.unseeded) throw new Error('the pack build did not compare the candidate with the live lists and banks');
    return { compiled: { ...built.compiled, pack: withoutSeededEntries(built.compiled.pack) }, additions: built.unseeded };
  }

  /** A candidate uploaded for a rollout: built (its lists and banks not seeded), stored, recorded; not live. */
  async candidate(source: PackSource, who: string): Promise<PackVersion> {
    const built = await this.buildCandidate(source);
    const stored = await this.storeChunks(source, built.packHash);
    const entry = this.versionOf(built, stored, 'candidate', who);
    await this.history.record(entry);
    return entry;
  }

  /**
   * Sets the share of sellers the history's `version` judges: 0 ends the rollout,
   * 100 makes it the live pack (its lists and banks seeded then), anything between
   * stages it on every instance.
   */
  async rollout(version: string, percent: number, who: string): Promise<{ state: RolloutState | undefined; live?: CompiledPack; how: BuiltHow }> {
    const entry = await this.history.find(version);
    if (!entry) throw new GateError('GATE_ERR_NOT_FOUND', `no version "${version}" in the pack history`, { field: 'version' });
    if (percent <= 0) {
      await this.endRollout();
      return { state: undefined, how: this.lastHow };
    }
    if (percent >= 100) {
      const live = await this.makeLiveStored(entry, !(await this.wasLive(entry.packHash)));
      const how = this.lastHow;
      await this.writeManifest(entry);
      await this.history.record({ ...entry, at: new Date().toISOString(), who, action: 'promote' });
      await this.parts.redis.publish(this.parts.keys.packChanges, live.packHash);
      await this.endRollout();
      return { state: undefined, live, how };
    }
    const state: RolloutState = { version: entry.version, packHash: entry.packHash, percent, at: new Date().toISOString(), who };
    await this.stageStored(entry, percent);
    await this.parts.redis.set(this.parts.keys.packRollout, JSON.stringify({ ...state, chunks: entry.chunks, bytes: entry.bytes, format: entry.format }));
    await this.parts.redis.publish(this.parts.keys.packChanges, ROLLOUT_MESSAGE);
    return { state, how: this.lastHow };
  }

  async readRollout(): Promise<(RolloutState & StoredChunks) | undefined> {
    const text = await this.parts.redis.get(this.parts.keys.packRollout);
    return text === null ? undefined : (JSON.parse(text) as RolloutState & StoredChunks);
  }

  private async endRollout(): Promise<void> {
    await this.parts.redis.del(this.parts.keys.packRollout);
    this.parts.livePack.stage(undefined);
    await this.parts.redis.publish(this.parts.keys.packChanges, ROLLOUT_MESSAGE);
  }

  private async reloadRollout(): Promise<void> {
    const state = await this.readRollout();
    if (!state) {
      if (this.parts.livePack.rollout) this.parts.livePack.stage(undefined);
      return;
    }
    await this.stageStored(state, state.percent);
  }

  /** The stored pack `entry` judging `percent` of sellers on this instance. */
  private async stageStored(entry: StoredChunks, percent: number): Promise<void> {
    const staged = this.parts.livePack.rollout;
    if (staged?.compiled.packHash === entry.packHash) {
      if (staged.percent !== percent) this.parts.livePack.stage({ compiled: staged.compiled, percent });
      return;
    }
    const held = this.recent.get(entry.packHash);
    let compiled: CompiledPack;
    if (held) {
      compiled = held;
      this.counted('memory');
    } else compiled = await this.buildCandidate(await this.readChunks(entry));
    await this.beforeSwap?.(compiled).catch((error: unknown) =>
      this.parts.log.warn(`warm-up of the rollout candidate failed (it goes ahead): ${(error as Error).message}`),
    );
    this.parts.livePack.stage({ compiled, percent });
  }

  private async buildCandidate(source: PackSource): Promise<CompiledPack> {
    let built: BuiltPack;
    try {
      built = await this.parts.builder.build(source, (await this.parts.registeredBrands?.()) ?? [], false);
    } catch (error) {
      this.parts.metrics.packRejected.inc();
      throw error;
    }
    this.parts.builder.settled();
    const compiled: CompiledPack = { ...built.compiled, pack: withoutSeededEntries(built.compiled.pack) };
    this.counted(compiled.fromCache ? 'database-cache' : 'compiled');
    this.remember(compiled);
    return compiled;
  }

  private counted(how: BuiltHow): void {
    this.lastHow = how;
    this.parts.metrics.packBuilds.inc({ how });
  }

  private remember(compiled: CompiledPack): void {
    this.recent.delete(compiled.packHash);
    this.recent.set(compiled.packHash, compiled);
    for (const hash of this.recent.keys()) {
      if (this.recent.size <= RECENT_PACKS) break;
      this.recent.delete(hash);
    }
  }

  private versionOf(compiled: CompiledPack, stored: StoredChunks, action: PackAction, who: string): PackVersion {
    return {
      version: compiled.pack.packVersion,
      packHash: compiled.packHash,
      key: compiled.key,
      at: new Date().toISOString(),
      who,
      action,
      patterns: compiled.patternCount,
      bytes: stored.bytes ?? 0,
      chunks: stored.chunks,
      format: stored.format ?? 'json',
    };
  }

  /** A version's stored bytes, once it left the history, unless a kept version, the live manifest or the rollout names them. */
  private async forgetChunks(dropped: PackVersion, kept: ReadonlySet<string>): Promise<void> {
    if (kept.has(dropped.packHash)) return;
    if ((await this.readManifest())?.packHash === dropped.packHash) return;
    if ((await this.readRollout())?.packHash === dropped.packHash) return;
    for (let i = 0; i < dropped.chunks; i++) await this.parts.redis.del(`${this.parts.keys.livePack}:${dropped.packHash}:${i}`);
  }

  /** A stored version's bytes, as a source to build from. */
  async readVersion(entry: PackVersion): Promise<PackSource> {
    return this.readChunks(entry);
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.parts.keys.packChanges) return;
      if (message === ROLLOUT_MESSAGE) {
        void this.reloadRollout().catch((error: unknown) => this.parts.log.warn(`could not take the announced rollout: ${(error as Error).message}`));
        return;
      }
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
        const base = this.baseSource ?? (this.baseStored ? await this.readChunks(this.baseStored) : undefined);
        if (base === undefined) return;
        try {
          const compiled = await this.makeLive(base, false);
          this.parts.log.info(`pack ${compiled.pack.packVersion} rebuilt with the registered brands (${compiled.patternCount} patterns)`);
        } catch (error) {
          this.parts.log.warn(`registered brands not made live: ${(error as Error).message}`);
        }
      }
    })().finally(() => {
      this.registryRebuild = undefined;
    });
    return this.registryRebuild;
  }

  private async reloadStored(): Promise<void> {
    try {
      const manifest = await this.readManifest();
      if (!manifest || manifest.packHash === this.parts.livePack.current?.packHash) return;
      // Not seeded again: the instance that took the upload wrote its lists and banks
      // before announcing it, and every instance hears of them from that one. Seeding
      // here too would repeat a million writes per instance, and an instance still
      // on an older announcement could write the older pack's values over newer ones.
      const compiled = await this.makeLiveStored(manifest, false);
      this.parts.log.info(`pack ${compiled.pack.packVersion} made live (announced by another instance; ${this.lastHow})`);
    } catch (error) {
      this.parts.log.warn(`could not load the announced pack: ${(error as Error).message}`);
    }
  }

  /** Whether the pack was ever live here (its lists and banks seeded), not only a rollout's candidate. */
  private async wasLive(packHash: string): Promise<boolean> {
    return (await this.history.list()).some((entry) => entry.packHash === packHash && entry.action !== 'candidate');
  }

  /**
   * A stored pack made live: swapped in at once when this instance holds it, else
   * built from its bytes (the database from the shared cache). `seed`: its lists
   * and banks must be written (a candidate never live before), which takes a build.
   */
  private async makeLiveStored(stored: StoredChunks, seed: boolean): Promise<CompiledPack> {
    const held = seed ? undefined : this.recent.get(stored.packHash);
    if (!held) return this.makeLive(await this.readChunks(stored), seed);
    const run = this.chain.then(async () => {
      const replaced = this.baseSource;
      this.baseSource = undefined;
      this.baseStored = stored;
      if (replaced && 'file' in replaced) await rm(replaced.file, { force: true });
      this.counted('memory');
      await this.swapIn(held);
      return held;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async swapIn(live: CompiledPack): Promise<void> {
    if (this.beforeSwap) {
      await this.beforeSwap(live).catch((error: unknown) =>
        this.parts.log.warn(`warm-up before the swap failed (the swap goes ahead): ${(error as Error).message}`),
      );
    }
    this.parts.livePack.swap(live);
    this.parts.builder.settled();
    this.parts.metrics.packSwaps.inc();
  }

  /**
   * Stores the pack in chunks (the manifest naming them is written apart): one
   * SET of a 100 MB pack would hold Redis (and every check's lookup) for seconds
   * and outlast the command timeout. Readers only ever see a complete pack.
   * Chunks stay while the history names the version (pack-history.ts).
   */
  private async storeChunks(source: PackSource, packHash: string): Promise<StoredChunks> {
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
    return { packHash, chunks, bytes: size, format: source.format };
  }

  private async writeManifest(stored: StoredChunks): Promise<void> {
    const manifest: PackManifest = { packHash: stored.packHash, chunks: stored.chunks, format: stored.format ?? 'json' };
    if (stored.bytes !== undefined) manifest.bytes = stored.bytes;
    await this.parts.redis.set(this.parts.keys.livePack, JSON.stringify(manifest));
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
    return { source: await this.readChunks(manifest), packHash: manifest.packHash };
  }

  private async readChunks(manifest: StoredChunks): Promise<PackSource> {
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
    return { bytes: target ?? sharedBytes(parts), format: manifest.format ?? 'json' };
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
      this.baseStored = undefined;
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
      this.counted(live.fromCache ? 'database-cache' : 'compiled');
      this.remember(live);
      await this.swapIn(live);
      return live;
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
