// Builds packs on the pack-build thread (pack-build-worker.ts), one at a time,
// and hands back compiled packs whose database and pattern tables are already in
// shared memory.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CompiledPack } from './compiled-pack.js';
import type { PackBuildReply, PackBuildRequest } from './pack-build-messages.js';
import type { BrandEntry } from './policy-pack.js';
import type { DatabaseCacheConfig } from './database-cache.js';
import type { SeedCounts } from './seed-pack-entries.js';
import { PackInvalidError } from './pack-invalid-error.js';
import { GateError } from '../errors/gate-error.js';
import type { PackSource } from './pack-source.js';
import { decodeBrandSlices } from './brand-slices.js';
import { rememberBrandIndex } from './brand-index.js';

/**
 * A compiled pack; with `seeded`, the build thread already wrote its lists and
 * banks to Redis (and the pack carries them no more): the counts say what was new.
 */
export interface BuiltPack {
  compiled: CompiledPack;
  seeded?: SeedCounts;
}

/** The compiled pack with its brands decoded a slice per turn of the event loop. */
async function materialize(reply: Extract<PackBuildReply, { kind: 'compiled' }>): Promise<BuiltPack> {
  const { brands, index } = await decodeBrandSlices(reply.brandSlices);
  const compiled: CompiledPack = { ...reply.compiled, pack: { ...reply.compiled.pack, brands } };
  rememberBrandIndex(compiled, index);
  return reply.seeded ? { compiled, seeded: reply.seeded } : { compiled };
}

const RETIRE_LARGE_BUILDER_MS = 30_000;

/** Packs past this size (uploaded bytes) end their build thread a while after they are built. */
const LARGE_PACK_BYTES = 16 * 1024 * 1024;

export class PackBuilder {
  private worker: Worker | undefined;

  /** Compiled databases are shared through the Redis of `cache` by database key; the build thread seeds lists and banks there. */
  constructor(private readonly cache: DatabaseCacheConfig) {}

  private nextId = 1;
  private retireTimer: NodeJS.Timeout | undefined;
  private lastBuildBytes = 0;
  private readonly waiting = new Map<number, { resolve: (built: BuiltPack) => void; reject: (error: Error) => void }>();

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(fileURLToPath(new URL('./pack-build-worker.js', import.meta.url)), { workerData: { cache: this.cache } });
    worker.unref();
    worker.on('message', (reply: PackBuildReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.kind === 'compiled') materialize(reply).then(waiter.resolve, waiter.reject);
      else if (reply.kind === 'invalid') waiter.reject(new PackInvalidError(reply.issues));
      else if (reply.kind === 'unreadable') waiter.reject(new GateError(reply.code, reply.message, { field: 'body' }));
      else waiter.reject(new Error(`pack build failed: ${reply.message}`));
      // An idle build thread that built a large pack is ended: the pack leaves hundreds
      // of MiB on its heap. Small builds keep it (a thread per build would cost more:
      // each new thread's memory is not all given back to the system).
      // It goes a while after the build: until the pack is live, it holds the pack's
      // database loaded for the matching threads to share.
      if (this.waiting.size === 0 && this.worker === worker && this.lastBuildBytes > LARGE_PACK_BYTES) {
        clearTimeout(this.retireTimer);
        this.retireTimer = setTimeout(() => {
          if (this.waiting.size > 0 || this.worker !== worker) return;
          this.worker = undefined;
          void worker.terminate();
        }, RETIRE_LARGE_BUILDER_MS);
        this.retireTimer.unref();
      }
    });
    const fail = (error: Error): void => {
      this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.worker === worker) fail(new Error(`the pack build thread exited (${code})`));
    });
    this.worker = worker;
    return worker;
  }

  /**
   * Decodes, validates and compiles an uploaded pack; rejects with PackInvalidError
   * naming every bad entry, or a GateError when the bytes are not JSON or MessagePack.
   */
  build(source: PackSource, extraBrands: BrandEntry[] = [], seed = true): Promise<BuiltPack> {
    const id = this.nextId++;
    this.lastBuildBytes = source.bytes.byteLength;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.thread().postMessage({ id, source, extraBrands, seed } satisfies PackBuildRequest);
    });
  }

  /**
   * The last build's pack is live (the matching threads loaded its database): a
   * build thread that built a large pack can go now rather than when its timer ends.
   */
  settled(): void {
    const worker = this.worker;
    if (!worker || this.waiting.size > 0 || this.lastBuildBytes <= LARGE_PACK_BYTES) return;
    clearTimeout(this.retireTimer);
    this.worker = undefined;
    void worker.terminate();
  }

  async close(): Promise<void> {
    clearTimeout(this.retireTimer);
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
