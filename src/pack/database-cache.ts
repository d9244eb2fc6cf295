// Compiled Hyperscan databases kept in Redis by database key (the pattern set,
// engine version and platform), so that a second instance, or a restart, loads a
// large pack's database in a moment instead of compiling it for tens of seconds.
// Used from the pack-build thread, over a connection of its own.
import type { Redis } from 'ioredis';
import { connectRedis, useRedisTls, type RedisTls } from '../redis/connect-redis.js';

export interface DatabaseCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseCacheConfig {
  redisUrl: string;
  prefix: string;
  tls?: RedisTls;
}

/** Cached databases expire when no instance has loaded them for this long. */
const TTL_SECONDS = 30 * 86_400;

/** The pack-build thread's own connection: bulk writes get a long timeout, away from the serving connection. */
export function packBuildRedis(config: DatabaseCacheConfig): Promise<Redis> {
  useRedisTls(config.tls);
  return connectRedis(config.redisUrl, 'gate-pack-build', { enableOfflineQueue: true, commandTimeout: 60_000 });
}

export function redisDatabaseCache(redis: Redis, config: DatabaseCacheConfig, log: (message: string) => void): DatabaseCache {
  const keyOf = (key: string): string => `${config.prefix}{pack}:db:${key}`;
  return {
    async get(key) {
      try {
        const bytes = await redis.getBuffer(keyOf(key));
        if (bytes === null) return undefined;
        await redis.expire(keyOf(key), TTL_SECONDS);
        return bytes;
      } catch (error) {
        log(`compiled-database cache not read: ${(error as Error).message}`);
        return undefined;
      }
    },
    async put(key, bytes) {
      try {
        await redis.set(keyOf(key), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), 'EX', TTL_SECONDS);
      } catch (error) {
        log(`compiled-database cache not written: ${(error as Error).message}`);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
