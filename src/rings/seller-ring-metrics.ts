// The seller rings' figures: who answered each ring lookup, and the in-process table of flagged ring nodes.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { SellerRings } from './seller-rings.js';

export function registerSellerRingMetrics(registry: MetricsRegistry, rings: Pick<SellerRings, 'tableAnswers' | 'redisAnswers' | 'flags'>): void {
  registry.countedBy(
    'gate_ring_lookups_total',
    'Ring lookups of checks: answered "no confirmed seller in its ring" by the in-process table of flagged ring nodes (table), or asked of Redis (redis).',
    () => [
      { labels: { result: 'table' }, value: rings.tableAnswers },
      { labels: { result: 'redis' }, value: rings.redisAnswers },
    ],
    ['result'],
  );
  registry.gauge(
    'gate_ring_flags_entries',
    'Sellers and attributes in rings with a confirmed seller, in the in-process table (gate_ring_flags_complete 0: not trusted yet, every check asks Redis).',
    () => rings.flags.tableState().entries,
  );
  registry.gauge('gate_ring_flags_complete', '1 while the in-process table holds every flagged ring node.', () => (rings.flags.tableState().complete ? 1 : 0));
}
