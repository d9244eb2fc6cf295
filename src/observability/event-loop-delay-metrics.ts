// The event loop's delay (what every request waited before it was even read) as a
// Prometheus histogram: cumulative, so any number of scrapers each take the
// quantiles of their own window from the buckets' increase.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { MetricsRegistry, SummarizedHistogram } from './metrics.js';

const RESOLUTION_MS = 10;
/** Seconds. */
export const EVENT_LOOP_DELAY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5];

/**
 * Adds what the probe saw since the last fold to the histogram, each sample less
 * the probe's own 10 ms interval: the share of samples at or below each bound
 * comes from the probe's percentiles (finer towards the tail, where it matters).
 */
export function foldLoopDelay(
  probe: IntervalHistogram,
  histogram: Pick<SummarizedHistogram, 'add'>,
  buckets: readonly number[] = EVENT_LOOP_DELAY_BUCKETS,
): void {
  const count = probe.count;
  if (count === 0) return;
  const percentiles = [...probe.percentiles].sort((a, b) => a[0] - b[0]);
  const atOrBelow = buckets.map((bound) => {
    const limitNanos = (bound * 1000 + RESOLUTION_MS) * 1e6;
    let share = 0;
    for (const [percentile, nanos] of percentiles) if (nanos <= limitNanos) share = percentile / 100;
    return Math.round(count * share);
  });
  histogram.add(atOrBelow, count, count * Math.max(0, probe.mean / 1e9 - RESOLUTION_MS / 1000));
  probe.reset();
}

/** Starts the delay probe and registers its histogram, brought up to date at each scrape; returns what stops the probe. */
export function registerEventLoopDelayMetrics(registry: MetricsRegistry): () => void {
  const probe = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  probe.enable();
  registry.summarizedHistogram(
    'gate_event_loop_delay_seconds',
    "The event loop's delay, what a request waited before it was read (the probe's 10 ms sampling interval subtracted).",
    EVENT_LOOP_DELAY_BUCKETS,
    (histogram) => foldLoopDelay(probe, histogram),
  );
  return () => probe.disable();
}
