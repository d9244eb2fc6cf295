// Whether the gate's Redis connection works, read at scrape time.
import type { Redis } from 'ioredis';
import type { MetricsRegistry } from '../observability/metrics.js';

export function registerRedisMetrics(registry: MetricsRegistry, redis: Pick<Redis, 'status'>): void {
  registry.gauge('gate_redis_up', '1 while the gate has a working Redis connection.', () => (redis.status === 'ready' ? 1 : 0));
}
