// Event-loop delay over the last scrape interval: what every request waited before it was even read.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricsRegistry } from './metrics.js';

/** Starts the delay probe and registers its gauge; returns what stops the probe. */
export function registerEventLoopDelayMetrics(registry: MetricsRegistry): () => void {
  const resolutionMs = 10;
  const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs });
  loopDelay.enable();
  registry.gauge('gate_event_loop_delay_seconds', 'Event-loop delay since the previous scrape, by quantile (the 10 ms sampling interval subtracted).', () => {
    const quantiles = [0.5, 0.99, 1].map((q) => {
      const nanos = q === 1 ? loopDelay.max : loopDelay.percentile(q * 100);
      return { labels: { quantile: String(q) }, value: Math.max(0, nanos / 1e9 - resolutionMs / 1000) };
    });
    loopDelay.reset();
    return quantiles;
  });
  return () => void loopDelay.disable();
}
