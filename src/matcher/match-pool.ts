// Matching runs in a piscina pool. At most one task is in flight per worker;
// listings that arrive while every worker is busy wait here and go together as
// the next task. A pool round trip costs about 50 us here (more under load: each
// task wakes a worker and, with its answer, the main thread) while matching one
// listing costs a few, so the busier the gate, the larger the batches, and no
// listing waits longer than it would have in piscina's own queue.
//
// piscina is pinned at 4.9.4, not 5.x. Piscina 5 hands its load balancer a fresh
// object per worker for every task (WorkerInfo's `interface` getter: an object
// with seven getters), and in the gate those outlived two scavenges and were
// promoted: at 2,000 checks/s the event loop's heap promoted 24 MB in 20 s against
// 6 MB with 4.9.4 (--trace-gc-nvp), and its mark-compacts, each a stall of 9-13 ms
// with answers up to 30 ms late around it, went from 4-5 to 0-1 per 20 s. This pool
// keeps at most one task per worker and needs no balancer.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { BackgroundPriority } from '../config/background-priority.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { ListingMatch, ListingToMatch, MatchTask, MatchTaskResult, MatchWorkerData } from './match-task.js';

export interface MatchPoolOptions {
  /** Worker threads. Default: the number of cores. */
  threads?: number;
  /** Most listings in one task. Default 64. */
  maxBatch?: number;
  /** Most listings waiting for a worker before `match` rejects with an overload error. Default 65,536. */
  maxQueue?: number;
  /** The workers' priority: a pool for background work (re-check jobs) yields the CPU to live checks. Default: unchanged. */
  background?: BackgroundPriority;
}

interface Pending {
  pack: CompiledPack;
  fingerprints: FingerprintSnapshot;
  listing: ListingToMatch;
  resolve: (match: ListingMatch) => void;
  reject: (error: Error) => void;
}

/** Fewer listings than this are not split across idle workers: a task costs more wake-ups than matching them. */
const MIN_TASK_LISTINGS = 8;

function groupKey(item: Pending): string {
  return `${item.pack.key}/${item.fingerprints.shared.version}`;
}

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
  private tasksInFlight = 0;
  tasksRun = 0;
  listingsMatched = 0;
  /** Listings handed to match() and not answered yet (waiting or being matched). */
  listingsInFlight = 0;

  constructor(options: MatchPoolOptions = {}) {
    this.threads = options.threads ?? Math.max(1, availableParallelism());
    this.maxBatch = options.maxBatch ?? 64;
    this.maxQueue = options.maxQueue ?? 65_536;
    this.piscina = new Piscina<MatchTask, MatchTaskResult>({
      filename: fileURLToPath(new URL('./match-worker.js', import.meta.url)),
      minThreads: this.threads,
      maxThreads: this.threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      ...(options.background !== undefined ? { workerData: { background: options.background } satisfies MatchWorkerData } : {}),
    });
  }

  /** Listings waiting for a worker. */
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
    if (this.pending.length >= this.maxQueue) return Promise.reject(new PoolOverloadedError());
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
    while (this.tasksInFlight < this.threads && this.pending.length > 0) {
      // Spread what is waiting over the idle workers; listings that arrived under
      // different packs or banks (a swap in between) never share a task: each is
      // matched against what was live when it arrived.
      const idle = this.threads - this.tasksInFlight;
      const first = this.pending[0] as Pending;
      const key = groupKey(first);
      let same = 1;
      while (same < this.pending.length && groupKey(this.pending[same] as Pending) === key) same++;
      const size = Math.min(this.maxBatch, same, Math.max(MIN_TASK_LISTINGS, Math.ceil(same / idle)));
      this.runBatch(this.pending.splice(0, size));
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
    this.tasksInFlight++;
    this.listingsMatched += items.length;
    this.piscina
      .run(task)
      .then(
        (results) =>
          items.forEach((item, i) => {
            const result = results[i];
            // A missing result is a signal not computed (degraded), never "no hits" (an allow).
            if (result) item.resolve(result);
            else item.reject(new Error(`the matching worker returned ${results.length} results for ${items.length} listings`));
          }),
        (error: unknown) => {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const item of items) item.reject(failure);
        },
      )
      .finally(() => {
        this.tasksInFlight--;
        this.flush();
      });
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

  /**
   * Lets the tasks in flight finish (up to `timeoutMs`), then ends the threads.
   * Not piscina's close(): in 4.9 it keeps the process alive for 30 s after.
   */
  async close(timeoutMs = 5000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (this.tasksInFlight > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 5));
    await this.piscina.destroy();
  }
}
