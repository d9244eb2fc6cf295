// Blocklisted sellers, shops and identity hashes, held in Redis (shared by every
// instance) with an in-process cache in front. A change made anywhere is
// published; every instance drops the cached answers for those values at once,
// and drops its whole cache when its subscription reconnects (it may have missed
// messages meanwhile).
import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import { LIST_KINDS, type ListKind, type PackLists } from '../pack/policy-pack.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { ListHit } from '../gate/list-hit.js';

export interface ListProbe {
  kind: ListKind;
  value: string;
  field: string;
}

export interface BlocklistStoreOptions {
  /** Cached answers kept per instance. Default 1,000,000. */
  cacheEntries?: number;
  /** A cached answer is re-read after this long even without a change message. Default 60 s. */
  cacheTtlMs?: number;
}

interface ListChange {
  kind: ListKind;
  values: string[];
}

const SEED_CHUNK = 10_000;
const SEED_MESSAGE = 'seed';

export class BlocklistStore {
  private readonly cache: LRUCache<string, boolean>;
  hits = 0;
  misses = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: BlocklistStoreOptions = {},
  ) {
    this.cache = new LRUCache<string, boolean>({
      max: options.cacheEntries ?? 1_000_000,
      ttl: options.cacheTtlMs ?? 60_000,
    });
  }

  /** Subscribes to change messages; `subscriber` must be a connection of its own. */
  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.listChanges) this.onChange(message);
    });
    subscriber.on('ready', () => this.cache.clear());
    await subscriber.subscribe(this.keys.listChanges);
  }

  private onChange(message: string): void {
    if (message === SEED_MESSAGE) {
      this.cache.clear(); // a pack seeded many entries at once
      return;
    }
    try {
      const change = JSON.parse(message) as ListChange;
      for (const value of change.values) this.cache.delete(cacheKey(change.kind, value));
    } catch {
      this.cache.clear(); // an unreadable message: forget everything rather than serve stale answers
    }
  }

  /** Which of the probes are on a list. Throws if Redis cannot answer the uncached ones. */
  async check(probes: readonly ListProbe[]): Promise<ListHit[]> {
    const hits: ListHit[] = [];
    const uncached: ListProbe[] = [];
    for (const probe of probes) {
      const known = this.cache.get(cacheKey(probe.kind, probe.value));
      if (known === undefined) uncached.push(probe);
      else if (known) hits.push(probe);
    }
    this.hits += probes.length - uncached.length;
    this.misses += uncached.length;
    if (uncached.length === 0) return hits;
    const pipeline = this.redis.pipeline();
    for (const probe of uncached) pipeline.sismember(this.keys.list(probe.kind), probe.value);
    const results = await pipeline.exec();
    uncached.forEach((probe, i) => {
      const [error, answer] = results?.[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      const listed = answer === 1;
      this.cache.set(cacheKey(probe.kind, probe.value), listed);
      if (listed) hits.push(probe);
    });
    return hits;
  }

  async add(kind: ListKind, values: readonly string[]): Promise<number> {
    if (values.length === 0) return 0;
    const added = await this.redis.sadd(this.keys.list(kind), ...values);
    await this.announce({ kind, values: [...values] });
    return added;
  }

  async remove(kind: ListKind, values: readonly string[]): Promise<number> {
    if (values.length === 0) return 0;
    const removed = await this.redis.srem(this.keys.list(kind), ...values);
    await this.announce({ kind, values: [...values] });
    return removed;
  }

  async has(kind: ListKind, value: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.list(kind), value)) === 1;
  }

  /** Adds a pack's list entries (entries are only added: removal goes through `remove`). */
  async seed(lists: PackLists): Promise<void> {
    for (const kind of LIST_KINDS) {
      const values = lists[kind];
      for (let i = 0; i < values.length; i += SEED_CHUNK) {
        await this.redis.sadd(this.keys.list(kind), ...values.slice(i, i + SEED_CHUNK));
      }
    }
    this.cache.clear();
    await this.redis.publish(this.keys.listChanges, SEED_MESSAGE);
  }

  /** Lists were written by someone else (the pack-build thread): drop cached answers everywhere. */
  async seeded(): Promise<void> {
    this.cache.clear();
    await this.redis.publish(this.keys.listChanges, SEED_MESSAGE);
  }

  private async announce(change: ListChange): Promise<void> {
    for (const value of change.values) this.cache.delete(cacheKey(change.kind, value));
    await this.redis.publish(this.keys.listChanges, JSON.stringify(change));
  }
}

function cacheKey(kind: ListKind, value: string): string {
  return `${kind}\u0000${value}`;
}
