// Compiled Hyperscan databases kept in Redis by database key (the pattern set,
// engine version and platform), so that a second instance, or a restart, loads a
// large pack's database in a moment instead of compiling it for tens of seconds.
// Used from the pack-build thread, over a connection of its own.
import { Redis } from 'ioredis';

export interface DatabaseCache {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseCacheConfig {
  redisUrl: string;
  prefix: string;
}

/** Cached databases expire when no instance has loaded them for this long. */
const TTL_SECONDS = 30 * 86_400;

/** The pack-build thread's own connection: bulk writes get a long timeout, away from the serving connection. */
export function packBuildRedis(config: DatabaseCacheConfig): Redis {
  const redis = new Redis(config.redisUrl, { lazyConnect: true, enableOfflineQueue: true, maxRetriesPerRequest: 1, commandTimeout: 60_000, connectionName: 'gate-pack-build' });
  redis.on('error', () => undefined); // failures surface on the commands themselves
  return redis;
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
