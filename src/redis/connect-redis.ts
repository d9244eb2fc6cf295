import { Redis, type RedisOptions } from 'ioredis';

/** Redis connection options for the request path: nothing waits on ioredis's default retries. */
export function requestPathOptions(): RedisOptions {
  return {
    // A command issued while disconnected fails at once instead of queueing without
    // bound; the caller decides (degraded verdict, spool) rather than waiting.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A stalled server (SIGSTOP, a long fork) must not hold a request: fail the
    // command, and let the caller fall back (degraded verdict, spool).
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 500),
    lazyConnect: true,
  };
}

export async function connectRedis(url: string, name: string, extra: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(url, { ...requestPathOptions(), connectionName: name, ...extra });
  // Errors are reported by the readiness probe and the callers; without a listener
  // ioredis would print every reconnect failure as an unhandled error.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A connection for SUBSCRIBE, which must queue its (re)subscriptions while reconnecting. */
export async function connectSubscriber(url: string, name: string): Promise<Redis> {
  return connectRedis(url, name, { enableOfflineQueue: true, maxRetriesPerRequest: null });
}
