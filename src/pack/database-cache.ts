// Compiled Hyperscan databases kept in Redis by database key (the pattern set,
// engine version and platform), so that a second instance, or a restart, loads a
// large pack's database in a moment instead of compiling it for tens of seconds.
// Used from the pack-build process, over a connection of its own.
import type { Redis } from 'ioredis';
import { connectRedis, useRedisTls, type RedisTls } from '../redis/connect-redis.js';
import type { GateLog } from '../observability/gate-logger.js';

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

/** The pack-build process's own connection: bulk writes get a long timeout, away from the serving connection. */
export function packBuildRedis(config: DatabaseCacheConfig): Promise<Redis> {
  useRedisTls(config.tls);
  return connectRedis(config.redisUrl, 'gate-pack-build', { enableOfflineQueue: true, commandTimeout: 60_000 });
}

/**
 * A database is stored as chunks of this size, then a manifest naming them. With
 * appendfsync always, Redis writes and fsyncs each command's bytes before it takes
 * the next command: one SET of a scale pack's database held every check's command
 * for 0.25–0.45 s (load:swap-timeline); a chunk holds them for a few milliseconds.
 */
const CHUNK_BYTES = 1024 * 1024;

interface CachedManifest {
  chunks: number;
  bytes: number;
}

function parseManifest(text: string): CachedManifest | undefined {
  try {
    const value = JSON.parse(text) as Partial<CachedManifest>;
    if (Number.isInteger(value.chunks) && Number.isInteger(value.bytes)) return { chunks: value.chunks as number, bytes: value.bytes as number };
  } catch {
    // an entry written before databases were chunked: compiled afresh and replaced
  }
  return undefined;
}

export function redisDatabaseCache(redis: Redis, config: DatabaseCacheConfig, log: GateLog): DatabaseCache {
  const keyOf = (key: string): string => `${config.prefix}{pack}:db:${key}`;
  const chunkOf = (key: string, index: number): string => `${keyOf(key)}:${index}`;
  return {
    async get(key) {
      try {
        const text = await redis.get(keyOf(key));
        const manifest = text === null ? undefined : parseManifest(text);
        if (!manifest) return undefined;
        const bytes = new Uint8Array(manifest.bytes);
        let offset = 0;
        for (let i = 0; i < manifest.chunks; i++) {
          const chunk = await redis.getBuffer(chunkOf(key, i));
          if (chunk === null || offset + chunk.length > bytes.length) return undefined;
          bytes.set(chunk, offset);
          offset += chunk.length;
          await redis.expire(chunkOf(key, i), TTL_SECONDS);
        }
        if (offset !== bytes.length) return undefined;
        await redis.expire(keyOf(key), TTL_SECONDS);
        return bytes;
      } catch (error) {
        log.warn(`compiled-database cache not read: ${(error as Error).message}`);
        return undefined;
      }
    },
    async put(key, bytes) {
      try {
        const whole = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const chunks = Math.max(1, Math.ceil(whole.length / CHUNK_BYTES));
        for (let i = 0; i < chunks; i++) await redis.set(chunkOf(key, i), whole.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES), 'EX', TTL_SECONDS);
        // Last: a reader sees the manifest only once every chunk it names is there.
        await redis.set(keyOf(key), JSON.stringify({ chunks, bytes: whole.length } satisfies CachedManifest), 'EX', TTL_SECONDS);
      } catch (error) {
        log.warn(`compiled-database cache not written: ${(error as Error).message}`);
      }
    },
    async close() {
      redis.disconnect();
    },
  };
}
