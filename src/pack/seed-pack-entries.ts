// Writes a pack's lists and banked fingerprints to Redis from the pack-build
// thread, chunk by chunk, and counts what was new or changed: a million-entry pack never
// crosses to the event loop, and a swap that adds nothing new costs the serving
// instances nothing.
import type { Redis } from 'ioredis';
import { emptyPackLists, LIST_KINDS, type ListKind, type PolicyPack, type ShadowEntries } from './policy-pack.js';
import type { RedisKeys } from '../redis/redis-keys.js';

export interface SeedCounts {
  lists: number;
  images: number;
  texts: number;
}

// Small enough that Redis, which runs one command at a time, answers the checks'
// commands between two chunks within a fraction of a millisecond (a 10,000-entry
// SADD held them for several).
const CHUNK = 1_000;

/** What a pack holds that Redis does not, a chunk at a time: list values (bar those an admin removed), and banked items new or changed. */
interface Unseeded {
  list(kind: ListKind, values: string[]): Promise<void>;
  bank(kind: 'images' | 'texts', entries: Array<readonly [string, string]>): Promise<void>;
}

async function findUnseeded(redis: Redis, keys: RedisKeys, pack: PolicyPack, found: Unseeded): Promise<void> {
  // Only what Redis does not hold yet is written: a swap to a pack with the same
  // million entries reads them, and writes (and appends to the AOF) nothing.
  for (const kind of LIST_KINDS) {
    const values = pack.lists[kind];
    for (let i = 0; i < values.length; i += CHUNK) {
      const chunk = values.slice(i, i + CHUNK);
      const present = await redis.smismember(keys.list(kind), ...chunk);
      const missing = chunk.filter((_, j) => present[j] !== 1);
      if (missing.length === 0) continue;
      // Values an admin removed stay removed: the live lists are the truth after the first seeding.
      const removed = await redis.smismember(keys.listRemoved(kind), ...missing);
      const seeding = missing.filter((_, j) => removed[j] !== 1);
      if (seeding.length > 0) await found.list(kind, seeding);
    }
  }
  const banks = [
    ['images', pack.fingerprints.images.map((e) => [e.ref, e.phash] as const)],
    ['texts', pack.fingerprints.texts.map((e) => [e.ref, e.text] as const)],
  ] as const;
  for (const [kind, entries] of banks) {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const chunk = entries.slice(i, i + CHUNK);
      const stored = await redis.hmget(keys.fingerprints(kind), ...chunk.map(([ref]) => ref));
      // New refs and refs whose value changed both count: either way the banks must be rebuilt.
      const changed = chunk.filter(([, value], j) => stored[j] !== value);
      if (changed.length > 0) await found.bank(kind, changed);
    }
  }
}

export async function seedPackEntries(redis: Redis, keys: RedisKeys, pack: PolicyPack): Promise<SeedCounts> {
  const counts: SeedCounts = { lists: 0, images: 0, texts: 0 };
  await findUnseeded(redis, keys, pack, {
    list: async (kind, values) => {
      counts.lists += await redis.sadd(keys.list(kind), ...values);
    },
    bank: async (kind, entries) => {
      await redis.hset(keys.fingerprints(kind), Object.fromEntries(entries));
      counts[kind] += entries.length;
    },
  });
  return counts;
}

/** Thrown when a pack holds more that Redis does not than the caller takes. */
export class TooManyUnseeded extends Error {
  constructor(readonly limit: number) {
    super(`the pack holds more than ${limit} list values and banked items that the live lists and banks do not`);
  }
}

/**
 * What seeding the pack would add, written nowhere (a backtest's candidate): the
 * list values and banked items Redis does not hold, at most `limit` of them.
 */
export async function unseededEntries(redis: Redis, keys: RedisKeys, pack: PolicyPack, limit: number): Promise<ShadowEntries> {
  const entries: ShadowEntries = { lists: emptyPackLists(), images: [], texts: [] };
  let count = 0;
  const take = (n: number): void => {
    count += n;
    if (count > limit) throw new TooManyUnseeded(limit);
  };
  await findUnseeded(redis, keys, pack, {
    list: async (kind, values) => {
      take(values.length);
      entries.lists[kind].push(...values);
    },
    bank: async (kind, banked) => {
      take(banked.length);
      if (kind === 'images') entries.images.push(...banked.map(([ref, phash]) => ({ ref, phash })));
      else entries.texts.push(...banked.map(([ref, text]) => ({ ref, text })));
    },
  });
  return entries;
}
