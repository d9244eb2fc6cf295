// Blocklisted sellers, shops and identity hashes, held in Redis (shared by every
// instance) with two things in front in each process: a table of every listed
// value's hash (list-membership.ts), which answers "not listed" (nearly every
// probe) without asking Redis, and a cache of Redis's answers for the rest. A
// change made anywhere is published; every instance adds the values to its table
// and drops their cached answers at once, and reloads the table whole when its
// subscription reconnects or a pack seeded many entries (it may have missed
// messages, or they were too many to send), and every GATE_LIST_RESYNC_SECONDS.
import type { Redis } from 'ioredis';
import { GenerationCache } from '../cache/generation-cache.js';
import { LIST_KINDS, type ListKind } from '../pack/policy-pack.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { ListHit } from '../gate/list-hit.js';
import { MembershipMirror, type MirrorChange } from './membership-mirror.js';
import { answerInProcess, listCacheKey, type ListProbe } from './in-process-answer.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export type { ListProbe } from './in-process-answer.js';

export interface BlocklistStoreOptions {
  /** Cached answers kept per instance (only values the table may hold are asked). Default 100,000. */
  cacheEntries?: number;
  /** The table is reloaded from Redis this often, besides on reconnects and seeds. Default 600 s. */
  resyncMs?: number;
  /** A cached answer is re-read after this long even without a change message. Default 60 s. */
  cacheTtlMs?: number;
}

interface ListChange {
  kind: ListKind;
  values: string[];
}

const SEED_MESSAGE = 'seed';
const SCAN_COUNT = 10_000;

export class BlocklistStore {
  private readonly cache: GenerationCache<boolean>;
  private readonly table: MembershipMirror;
  hits = 0;
  misses = 0;
  /** Probes the table answered "not listed" without Redis. */
  tableAnswers = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    log: GateLog = silentLog,
    options: BlocklistStoreOptions = {},
  ) {
    this.cache = new GenerationCache<boolean>({ max: options.cacheEntries ?? 100_000, ttlMs: options.cacheTtlMs ?? 60_000 });
    this.table = new MembershipMirror({ name: 'blocklist', resyncMs: options.resyncMs ?? 600_000, log, scan: (add) => this.scanLists(add) });
  }

  /** Subscribes to change messages (`subscriber` must be a connection of its own) and loads the table. */
  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.listChanges) this.onChange(message);
    });
    subscriber.on('ready', () => {
      // Messages may have been missed while the subscription was down.
      this.cache.clear();
      this.table.refresh();
    });
    await subscriber.subscribe(this.keys.listChanges);
    this.table.start();
  }

  /** Calls `observer` with the table now and with every change (check threads keep a copy). */
  observeTable(observer: (change: MirrorChange) => void): () => void {
    return this.table.observe(observer);
  }

  /** The table's state, for /metrics. */
  tableState(): { complete: boolean; entries: number } {
    return { complete: this.table.isComplete, entries: this.table.size };
  }

  close(): void {
    this.table.close();
  }

  private async scanLists(add: (kind: string, value: string) => void): Promise<void> {
    for (const kind of LIST_KINDS) {
      let cursor = '0';
      do {
        const [nextCursor, values] = await this.redis.sscan(this.keys.list(kind), cursor, 'COUNT', SCAN_COUNT);
        for (const value of values) add(kind, value);
        cursor = nextCursor;
      } while (cursor !== '0');
    }
  }

  private onChange(message: string): void {
    if (message === SEED_MESSAGE) {
      this.cache.clear(); // a pack seeded many entries at once
      this.table.distrust();
      return;
    }
    let change: ListChange;
    try {
      change = JSON.parse(message) as ListChange;
    } catch {
      this.cache.clear(); // an unreadable message: forget everything rather than serve stale answers
      this.table.distrust();
      return;
    }
    this.learn(change);
  }

  /**
   * A change to these values (the message does not say add or remove): each is
   * a "maybe" in the table from now on, which Redis answers.
   */
  private learn(change: ListChange): void {
    for (const value of change.values) {
      this.cache.delete(listCacheKey(change.kind, value));
      this.table.learn(change.kind, value);
    }
  }

  /** Which of the probes are on a list. Throws if Redis cannot answer the uncached ones. */
  async check(probes: readonly ListProbe[]): Promise<ListHit[]> {
    const { hits, uncached, fromTable, fromCache } = answerInProcess(probes, this.table, this.cache);
    this.tableAnswers += fromTable;
    this.hits += fromCache;
    this.misses += uncached.length;
    if (uncached.length === 0) return hits;
    const pipeline = this.redis.pipeline();
    for (const probe of uncached) pipeline.sismember(this.keys.list(probe.kind), probe.value);
    const results = await pipeline.exec();
    uncached.forEach((probe, i) => {
      const [error, answer] = results?.[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      const listed = answer === 1;
      this.cache.set(listCacheKey(probe.kind, probe.value), listed);
      if (listed) hits.push(probe);
    });
    return hits;
  }

  /** Lists the values; an admin's earlier removal of any of them no longer holds a pack back from seeding it. */
  async add(kind: ListKind, values: readonly string[]): Promise<number> {
    if (values.length === 0) return 0;
    const [[error, added] = [null, 0]] =
      (await this.redis
        .multi()
        .sadd(this.keys.list(kind), ...values)
        .srem(this.keys.listRemoved(kind), ...values)
        .exec()) ?? [];
    if (error) throw error;
    await this.announce({ kind, values: [...values] });
    return Number(added);
  }

  /**
   * Unlists the values; returns how many were listed. `byAdmin`: the removal is
   * an admin's word, kept as a tombstone so that no pack seeds the values again
   * (at a restart, a pack swap) until an admin adds them (issue 29).
   */
  async remove(kind: ListKind, values: readonly string[], options: { byAdmin?: boolean } = {}): Promise<number> {
    if (values.length === 0) return 0;
    const transaction = this.redis.multi().srem(this.keys.list(kind), ...values);
    if (options.byAdmin) transaction.sadd(this.keys.listRemoved(kind), ...values);
    const [[error, removed] = [null, 0]] = (await transaction.exec()) ?? [];
    if (error) throw error;
    await this.announce({ kind, values: [...values] });
    return Number(removed);
  }

  async has(kind: ListKind, value: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.list(kind), value)) === 1;
  }

  /** Lists were written in bulk (here or by the pack-build process): every instance reloads. */
  async seeded(): Promise<void> {
    this.cache.clear();
    this.table.suspend(); // the message that comes back reloads it
    await this.redis.publish(this.keys.listChanges, SEED_MESSAGE);
  }

  private async announce(change: ListChange): Promise<void> {
    this.learn(change); // this instance's own checks see it before the message comes back
    await this.redis.publish(this.keys.listChanges, JSON.stringify(change));
  }
}
