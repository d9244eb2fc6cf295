// The matching pool's figures: its queue, its threads, the work it did.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { MatchPool } from './match-pool.js';

export function registerMatchPoolMetrics(registry: MetricsRegistry, pool: Pick<MatchPool, 'queueSize' | 'threadCount' | 'tasksRun' | 'listingsMatched'>): void {
  registry.gauge('gate_pool_queue', 'Listings waiting for a matching worker.', () => pool.queueSize);
  registry.gauge('gate_pool_threads', 'Matching worker threads alive.', () => pool.threadCount);
  registry.countedBy('gate_pool_tasks_total', 'Tasks sent to the matching pool (listings per task = listings / tasks).', () => pool.tasksRun);
  registry.countedBy('gate_pool_listings_total', 'Listings matched by the pool.', () => pool.listingsMatched);
}
