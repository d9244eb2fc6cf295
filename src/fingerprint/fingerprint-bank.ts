// The fingerprint banks of the deployment: entries from the pack and added at run
// time live in Redis; every instance keeps them indexed and applies each announced
// change at once (the indexes are rebuilt a few milliseconds after a change), so
// an entry added through one instance matches on all of them. A reconnect of the
// subscription reloads everything.
// The entries and their indexes are held and built on the bank-build thread
// (bank-build-worker.ts): at a million entries a rebuild takes seconds, which the
// event loop answering checks never waits for. The event loop keeps the current
// generation (shared memory) and the banks' sizes.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { RedisTls } from '../redis/connect-redis.js';
import type { FingerprintKind } from './fingerprint-kind.js';
import { BankState, type BankChange, type BankEntry, type FingerprintSnapshot } from './bank-state.js';
import type { BankBuildConfig, BankBuildReply, BankBuildRequest } from './bank-build-messages.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export type { BankEntry, FingerprintSnapshot } from './bank-state.js';

export interface FingerprintBankOptions {
  /** Where the bank-build thread reads the banks from (its own connection). */
  redisUrl: string;
  tls?: RedisTls;
  log?: GateLog;
}

type Waiter = { resolve: (reply: BankBuildReply) => void; reject: (error: Error) => void };
/** A request as the caller gives it: the id is added here. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'id'> : never;

export class FingerprintBank {
  private snapshot: FingerprintSnapshot;
  private sizes: Record<FingerprintKind, number>;
  /** Names this instance in its reload announcements. */
  private readonly origin = randomUUID();
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();
  private closed = false;
  private loaded = false;
  private readonly log: GateLog;
  lastRebuildMs = 0;
  /** Resolved by the next snapshot to arrive: added once a change is applied on the thread, so that snapshot holds the change. */
  private indexWaiters: Array<() => void> = [];
  private pendingIndex: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: FingerprintBankOptions,
  ) {
    this.log = options.log ?? silentLog;
    this.snapshot = new BankState(this.log).build();
    this.sizes = { ...this.snapshot.sizes };
  }

  get current(): FingerprintSnapshot {
    return this.snapshot;
  }

  size(kind: FingerprintKind): number {
    return this.sizes[kind];
  }

  /** Banked entries whose ref starts with `prefix` (from this instance's copy of the bank). */
  async entriesWithPrefix(kind: FingerprintKind, prefix: string): Promise<BankEntry[]> {
    const reply = await this.ask({ kind: 'entries', bank: kind, prefix });
    return reply.kind === 'entries' ? reply.entries : [];
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.fingerprintChanges) this.onChange(message);
    });
    subscriber.on('ready', () => {
      this.reload().catch((error: unknown) => this.log.warn(`fingerprint reload failed: ${(error as Error).message}`));
    });
    await subscriber.subscribe(this.keys.fingerprintChanges);
  }

  /** Banks were written by someone else (the pack-build process): reload here and everywhere. */
  async seeded(): Promise<void> {
    await this.reload();
    await this.redis.publish(this.keys.fingerprintChanges, `reload:${this.origin}`);
  }

  /** Reads every bank from Redis and rebuilds the indexes (on the bank-build thread). */
  async reload(): Promise<void> {
    const reply = await this.ask({ kind: 'reload' });
    if (reply.kind === 'built') {
      this.adopt(reply.snapshot);
      this.loaded = true;
    }
  }

  /** Loads the banks unless that happened already (a pack's seeding reloads them only when it wrote something new). */
  async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.reload();
  }

  /**
   * Resolves once this instance matches with every change it applied: add() and
   * remove() answer when the thread holds a change, and it is indexed a few
   * milliseconds later. A re-check started with the change waits for this.
   */
  indexed(): Promise<void> {
    return this.pendingIndex ?? Promise.resolve();
  }

  async add(kind: FingerprintKind, entries: readonly BankEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.redis.hset(this.keys.fingerprints(kind), Object.fromEntries(entries.map((e) => [e.ref, e.value])));
    const change: BankChange = { kind, add: [...entries] };
    await this.apply([change]);
    await this.redis.publish(this.keys.fingerprintChanges, JSON.stringify(change));
  }

  async remove(kind: FingerprintKind, refs: readonly string[]): Promise<number> {
    if (refs.length === 0) return 0;
    const removed = await this.redis.hdel(this.keys.fingerprints(kind), ...refs);
    const change: BankChange = { kind, remove: [...refs] };
    await this.apply([change]);
    await this.redis.publish(this.keys.fingerprintChanges, JSON.stringify(change));
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private onChange(message: string): void {
    if (message === `reload:${this.origin}`) return; // this instance's own announcement: already reloaded
    if (message.startsWith('reload')) {
      this.reload().catch((error: unknown) => this.log.warn(`fingerprint reload failed: ${(error as Error).message}`));
      return;
    }
    let change: BankChange;
    try {
      change = JSON.parse(message) as BankChange;
    } catch (error) {
      this.log.warn(`unreadable fingerprint change (${(error as Error).message}); reloading`);
      this.reload().catch(() => undefined);
      return;
    }
    this.apply([change]).catch((error: unknown) => this.log.warn(`fingerprint change not applied (${(error as Error).message}); reloading`));
  }

  private async apply(changes: BankChange[]): Promise<void> {
    const reply = await this.ask({ kind: 'apply', changes });
    if (reply.kind === 'applied') {
      this.sizes = reply.sizes;
      this.pendingIndex = new Promise((resolve) => this.indexWaiters.push(resolve));
    }
  }

  /** A newer generation replaces the current one; an older one (overtaken on the way) is dropped. */
  private adopt(snapshot: FingerprintSnapshot): void {
    // Even a snapshot overtaken by a newer one was built after the changes waiting.
    for (const resolve of this.indexWaiters.splice(0)) resolve();
    this.pendingIndex = undefined;
    if (snapshot.shared.version <= this.snapshot.shared.version) return;
    this.snapshot = snapshot;
    this.sizes = { ...snapshot.sizes };
    this.lastRebuildMs = snapshot.buildMs;
    for (const observer of this.observers) observer(snapshot);
  }

  private readonly observers: Array<(snapshot: FingerprintSnapshot) => void> = [];

  /** Calls `observer` with the current generation, then with each newer one. */
  observe(observer: (snapshot: FingerprintSnapshot) => void): void {
    this.observers.push(observer);
    observer(this.snapshot);
  }

  private ask(request: Unnumbered<BankBuildRequest>): Promise<BankBuildReply> {
    if (this.closed) return Promise.reject(new Error('the fingerprint bank is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (reply) => (reply.kind === 'failed' ? reject(new Error(reply.message)) : resolve(reply)),
        reject,
      });
      this.thread().postMessage({ ...request, id } satisfies BankBuildRequest);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const config: BankBuildConfig = {
      redisUrl: this.options.redisUrl,
      prefix: this.keys.prefix,
      lastVersion: this.snapshot.shared.version,
      ...(this.options.tls ? { tls: this.options.tls } : {}),
    };
    const worker = new Worker(fileURLToPath(new URL('./bank-build-worker.js', import.meta.url)), { workerData: config });
    worker.unref();
    worker.on('message', (reply: BankBuildReply) => {
      if (reply.kind === 'rebuilt') {
        this.adopt(reply.snapshot);
        return;
      }
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    const fail = (error: Error): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
      if (this.closed) return;
      // The entries went with the thread: a new one reads them all again.
      this.log.warn(`${error.message}; starting it again`);
      this.reload().catch((reason: unknown) => this.log.warn(`fingerprint reload failed: ${(reason as Error).message}`));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the bank-build thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }
}
