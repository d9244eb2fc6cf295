// Matching runs in a piscina pool. Requests that arrive in the same turn of the
// event loop are batched into one task per worker: a pool round trip costs about
// 50 us here while matching one listing costs a few, so under load batching is
// what keeps the workers busy on matching rather than on messaging.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { ListingMatch, ListingToMatch, MatchTask, MatchTaskResult } from './match-task.js';

export interface MatchPoolOptions {
  /** Worker threads. Default: the number of cores. */
  threads?: number;
  /** Most listings in one task. Default 64. */
  maxBatch?: number;
  /** Most tasks waiting for a worker before `match` rejects with an overload error. Default 1024. */
  maxQueue?: number;
}

interface Pending {
  pack: CompiledPack;
  fingerprints: FingerprintSnapshot;
  listing: ListingToMatch;
  resolve: (match: ListingMatch) => void;
  reject: (error: Error) => void;
}

const NO_MATCH: ListingMatch = { text: [], fingerprints: { images: [], texts: [] } };

export class PoolOverloadedError extends Error {
  constructor() {
    super('the matching pool queue is full');
    this.name = 'PoolOverloadedError';
  }
}

export class MatchPool {
  private readonly piscina: Piscina<MatchTask, MatchTaskResult>;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly threads: number;
  private pending: Pending[] = [];
  private flushScheduled = false;
  tasksRun = 0;
  listingsMatched = 0;
  /** Listings handed to match() and not answered yet (waiting or being matched). */
  listingsInFlight = 0;

  constructor(options: MatchPoolOptions = {}) {
    this.threads = options.threads ?? Math.max(1, availableParallelism());
    this.maxBatch = options.maxBatch ?? 64;
    this.maxQueue = options.maxQueue ?? 1024;
    this.piscina = new Piscina<MatchTask, MatchTaskResult>({
      filename: fileURLToPath(new URL('./match-worker.js', import.meta.url)),
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      maxQueue: this.maxQueue,
    });
  }

  get queueSize(): number {
    return this.piscina.queueSize + this.pending.length;
  }

  get utilization(): number {
    return this.piscina.utilization;
  }

  get threadCount(): number {
    return this.piscina.threads.length;
  }

  /** The worker threads alive now (piscina replaces one that exits). */
  workers(): ReadonlyArray<{ threadId: number; terminate(): Promise<number> }> {
    return this.piscina.threads;
  }

  /** Matches one listing against `pack` and the fingerprint banks of `fingerprints`. */
  match(pack: CompiledPack, fingerprints: FingerprintSnapshot, listing: ListingToMatch): Promise<ListingMatch> {
    if (this.piscina.queueSize >= this.maxQueue) return Promise.reject(new PoolOverloadedError());
    this.listingsInFlight++;
    const done = (): void => {
      this.listingsInFlight--;
    };
    return new Promise<ListingMatch>((resolve, reject) => {
      this.pending.push({
        pack,
        fingerprints,
        listing,
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.pending;
    this.pending = [];
    // Listings that arrived under the same pack and banks share tasks (a swap in
    // between splits them: each listing is matched against what was live when it arrived).
    const groups = new Map<string, Pending[]>();
    for (const item of pending) {
      const key = `${item.pack.key}/${item.fingerprints.shared.version}`;
      const list = groups.get(key) ?? [];
      list.push(item);
      groups.set(key, list);
    }
    for (const items of groups.values()) {
      const perTask = Math.min(this.maxBatch, Math.max(1, Math.ceil(items.length / this.threads)));
      for (let i = 0; i < items.length; i += perTask) this.runBatch(items.slice(i, i + perTask));
    }
  }

  private runBatch(items: Pending[]): void {
    const first = items[0];
    if (!first) return;
    const task: MatchTask = {
      packKey: first.pack.key,
      databaseBytes: first.pack.databaseBytes,
      meta: first.pack.meta,
      fingerprints: first.fingerprints.shared,
      listings: items.map((item) => item.listing),
    };
    this.tasksRun++;
    this.listingsMatched += items.length;
    this.piscina.run(task).then(
      (results) => items.forEach((item, i) => item.resolve(results[i] ?? NO_MATCH)),
      (error: unknown) => {
        const failure = error instanceof Error ? error : new Error(String(error));
        for (const item of items) item.reject(failure);
      },
    );
  }

  /**
   * Runs a small task on every thread, so that each worker has built its
   * normalization table and loaded the pack before the first real request.
   */
  async warmUp(pack: CompiledPack, fingerprints: FingerprintSnapshot): Promise<void> {
    const probe: ListingToMatch = { fields: [{ name: 'title', bit: 1, text: 'warm-up' }], fingerprint: { phashes: [] } };
    const tasks = Array.from({ length: this.threads * 2 }, () =>
      this.piscina.run({ packKey: pack.key, databaseBytes: pack.databaseBytes, meta: pack.meta, fingerprints: fingerprints.shared, listings: [probe] }),
    );
    await Promise.all(tasks);
  }

  async close(): Promise<void> {
    await this.piscina.close();
  }
}
