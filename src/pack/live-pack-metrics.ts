// The live pack's figures: which one it is, its patterns, the size of its database.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { LivePack } from './live-pack.js';

export function registerLivePackMetrics(registry: MetricsRegistry, livePack: Pick<LivePack, 'current'>): void {
  registry.gauge(
    'gate_pack_info',
    'The live pack (value 1), by version and database key.',
    () => {
      const live = livePack.current;
      return live ? [{ labels: { version: live.pack.packVersion, key: live.key }, value: 1 }] : [];
    },
    ['version', 'key'],
  );
  registry.gauge('gate_pack_patterns', 'Patterns in the live pack.', () => livePack.current?.patternCount ?? 0);
  registry.gauge('gate_pack_database_bytes', "Size of the live pack's serialized Hyperscan database.", () => livePack.current?.databaseBytes.byteLength ?? 0);
}
