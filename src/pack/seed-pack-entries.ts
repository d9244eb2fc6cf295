// Writes a pack's lists and banked fingerprints to Redis from the pack-build
// thread, chunk by chunk, and counts what was new or changed: a million-entry pack never
// crosses to the event loop, and a swap that adds nothing new costs the serving
// instances nothing.
import type { Redis } from 'ioredis';
import { LIST_KINDS, type PolicyPack } from './policy-pack.js';
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

export async function seedPackEntries(redis: Redis, keys: RedisKeys, pack: PolicyPack): Promise<SeedCounts> {
  const counts: SeedCounts = { lists: 0, images: 0, texts: 0 };
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
      if (seeding.length > 0) counts.lists += await redis.sadd(keys.list(kind), ...seeding);
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
      if (changed.length === 0) continue;
      await redis.hset(keys.fingerprints(kind), Object.fromEntries(changed));
      if (kind === 'images') counts.images += changed.length;
      else counts.texts += changed.length;
    }
  }
  return counts;
}
