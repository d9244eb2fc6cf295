// Writes a pack's lists and banked fingerprints to Redis from the pack-build
// thread, chunk by chunk, and counts what was new: a million-entry pack never
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
  for (const kind of LIST_KINDS) {
    const values = pack.lists[kind];
    for (let i = 0; i < values.length; i += CHUNK) counts.lists += await redis.sadd(keys.list(kind), ...values.slice(i, i + CHUNK));
  }
  const banks = [
    ['images', pack.fingerprints.images.map((e) => [e.ref, e.phash] as const)],
    ['texts', pack.fingerprints.texts.map((e) => [e.ref, e.text] as const)],
  ] as const;
  for (const [kind, entries] of banks) {
    for (let i = 0; i < entries.length; i += CHUNK) {
      const added = await redis.hset(keys.fingerprints(kind), Object.fromEntries(entries.slice(i, i + CHUNK)));
      if (kind === 'images') counts.images += added;
      else counts.texts += added;
    }
  }
  return counts;
}
