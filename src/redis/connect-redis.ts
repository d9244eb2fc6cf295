// Connections to Redis or to a Redis Cluster (detected from the seed's INFO), with
// options that never let a request wait on ioredis's default retries or queue.
import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** PEM contents for TLS to Redis (`rediss://`): the CA to trust, and a client certificate if Redis asks for one. */
export interface RedisTls {
  ca?: string;
  cert?: string;
  key?: string;
}

let processTls: RedisTls | undefined;

/** Sets the TLS material every connection of this process uses for `rediss://` URLs. */
export function useRedisTls(tls: RedisTls | undefined): void {
  processTls = tls;
}

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
    // No auto-pipelining. It gathers a turn's commands into one write, but each batch
    // is a whole Pipeline object, and a batch waits for the one before it to be
    // answered: under load those objects outlived two scavenges and were promoted
    // (1.45 MB per scavenge of the event loop's heap at 500 checks/s, against 0.45
    // without; scavenges of 4.5 ms on average and up to 15 ms, against 2.1 and 6;
    // in the Redis-stop fault run, 27 answers past deadline + 2 ms against 2). The
    // gate gathers its own writes instead (a check's bookkeeping goes as one script
    // call per 5 ms, write-behind.ts), so little is left to gather: throughput
    // without it was within 3-6% (npm run load:profile, A/B twice).
    enableAutoPipelining: false,
  };
}

/** The URL as it may be logged: the password replaced. */
export function redactRedisUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export async function connectRedis(url: string, name: string, extra: RedisOptions = {}): Promise<Redis> {
  const tls = url.startsWith('rediss://') ? { tls: { ...(processTls ?? {}) } } : {};
  const client = new Redis(url, { ...requestPathOptions(), connectionName: name, ...tls, ...extra });
  // Errors are reported by the readiness probe and the callers; without a listener
  // ioredis would print every reconnect failure as an unhandled error.
  client.on('error', () => undefined);
  let cluster: boolean;
  try {
    await client.connect();
    cluster = /cluster_enabled:1/.test(await client.info('cluster'));
  } catch (error) {
    client.disconnect(); // the caller has no handle on it: it must not go on reconnecting
    throw error;
  }
  if (!cluster) return client;
  client.disconnect();
  return connectCluster(url, name, extra);
}

/**
 * The seed is a Redis Cluster node: a cluster client. The gate's code is written
 * against the single-node client, and every command, pipeline, transaction and
 * script it sends keeps its keys in one hash slot (the `{...}` tags of
 * redis-keys.ts), which is all the cluster client needs to route them; so the
 * cluster client stands in for it here.
 */
async function connectCluster(url: string, name: string, extra: RedisOptions): Promise<Redis> {
  const seed = new URL(url);
  const { lazyConnect: _lazy, enableOfflineQueue, ...nodeOptions } = { ...requestPathOptions(), connectionName: name, ...extra };
  const redisOptions: RedisOptions = { ...nodeOptions };
  if (seed.username) redisOptions.username = decodeURIComponent(seed.username);
  if (seed.password) redisOptions.password = decodeURIComponent(seed.password);
  if (seed.protocol === 'rediss:') redisOptions.tls = { ...(processTls ?? {}), ...(extra.tls ?? {}) };
  const cluster = new Cluster([{ host: seed.hostname, port: Number(seed.port || 6379) }], {
    redisOptions,
    enableOfflineQueue: enableOfflineQueue ?? false,
    enableAutoPipelining: false,
    lazyConnect: true,
    clusterRetryStrategy: (attempt: number) => Math.min(50 * attempt, 500),
    slotsRefreshTimeout: 2000,
  });
  cluster.on('error', () => undefined);
  try {
    await cluster.connect();
  } catch (error) {
    cluster.disconnect();
    throw error;
  }
  return cluster as unknown as Redis;
}

/** A connection for SUBSCRIBE, which must queue its (re)subscriptions while reconnecting. */
export async function connectSubscriber(url: string, name: string): Promise<Redis> {
  return connectRedis(url, name, { enableOfflineQueue: true, maxRetriesPerRequest: null });
}
