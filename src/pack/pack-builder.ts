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

/**
 * A compiled pack; with `seeded`, the build thread already wrote its lists and
 * banks to Redis (and the pack carries them no more): the counts say what was new.
 */
export interface BuiltPack {
  compiled: CompiledPack;
  seeded?: SeedCounts;
}

/** Packs past this size (of JSON text) end their build thread once built. */
const LARGE_PACK_BYTES = 16 * 1024 * 1024;

export class PackBuilder {
  private worker: Worker | undefined;

  /** With `cache`, compiled databases are shared through Redis by database key. */
  constructor(private readonly cache?: DatabaseCacheConfig) {}

  private nextId = 1;
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
      if (reply.kind === 'compiled') waiter.resolve(reply.seeded ? { compiled: reply.compiled, seeded: reply.seeded } : { compiled: reply.compiled });
      else if (reply.kind === 'invalid') waiter.reject(new PackInvalidError(reply.issues));
      else waiter.reject(new Error(`pack build failed: ${reply.message}`));
      // An idle build thread that built a large pack is ended: the pack leaves hundreds
      // of MiB on its heap. Small builds keep it (a thread per build would cost more:
      // each new thread's memory is not all given back to the system).
      if (this.waiting.size === 0 && this.worker === worker && this.lastBuildBytes > LARGE_PACK_BYTES) {
        this.worker = undefined;
        void worker.terminate();
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

  /** Validates and compiles pack JSON; rejects with PackInvalidError naming every bad entry. */
  build(json: string, extraBrands: BrandEntry[] = [], seed = true): Promise<BuiltPack> {
    const id = this.nextId++;
    this.lastBuildBytes = json.length;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.thread().postMessage({ id, json, extraBrands, seed } satisfies PackBuildRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
