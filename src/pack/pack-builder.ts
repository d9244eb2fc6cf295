// Builds packs on the pack-build thread (pack-build-worker.ts), one at a time,
// and hands back compiled packs whose database and pattern tables are already in
// shared memory.
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CompiledPack } from './compiled-pack.js';
import type { PackBuildReply, PackBuildRequest } from './pack-build-messages.js';
import type { BrandEntry } from './policy-pack.js';
import { PackInvalidError } from './pack-invalid-error.js';

export class PackBuilder {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (pack: CompiledPack) => void; reject: (error: Error) => void }>();

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(fileURLToPath(new URL('./pack-build-worker.js', import.meta.url)));
    worker.unref();
    worker.on('message', (reply: PackBuildReply) => {
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.kind === 'compiled') waiter.resolve(reply.compiled);
      else if (reply.kind === 'invalid') waiter.reject(new PackInvalidError(reply.issues));
      else waiter.reject(new Error(`pack build failed: ${reply.message}`));
    });
    const fail = (error: Error): void => {
      this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the pack build thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Validates and compiles pack JSON; rejects with PackInvalidError naming every bad entry. */
  build(json: string, extraBrands: BrandEntry[] = []): Promise<CompiledPack> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.thread().postMessage({ id, json, extraBrands } satisfies PackBuildRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
