// The pack-build process's figure, registered by the part that owns it.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { PackBuilder } from './pack-builder.js';

export function registerPackBuilderMetrics(registry: MetricsRegistry, builder: Pick<PackBuilder, 'lastBuildPeakRssBytes'>): void {
  registry.gauge(
    'gate_pack_build_peak_resident_bytes',
    'Peak resident memory of the process that built the latest pack (packs are built in a process of their own, not counted in this one).',
    () => builder.lastBuildPeakRssBytes,
  );
}
