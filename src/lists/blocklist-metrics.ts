// The blocklists' figures: who answered each lookup, and the in-process table of listed values.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { BlocklistStore } from './blocklist-store.js';

export function registerBlocklistMetrics(registry: MetricsRegistry, lists: Pick<BlocklistStore, 'tableAnswers' | 'hits' | 'misses' | 'tableState'>): void {
  registry.countedBy(
    'gate_list_cache_lookups_total',
    'Blocklist lookups: answered "not listed" by the in-process table of listed values (table), by the cache of Redis answers (hit), or by Redis (miss).',
    () => [
      { labels: { result: 'table' }, value: lists.tableAnswers },
      { labels: { result: 'hit' }, value: lists.hits },
      { labels: { result: 'miss' }, value: lists.misses },
    ],
    ['result'],
  );
  registry.gauge(
    'gate_list_table_entries',
    'Listed values in the in-process table (gate_list_table_complete 0: not trusted yet, every probe asks Redis).',
    () => lists.tableState().entries,
  );
  registry.gauge('gate_list_table_complete', '1 while the in-process table holds every listed value.', () => (lists.tableState().complete ? 1 : 0));
}
