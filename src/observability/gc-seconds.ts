// Garbage collection on the main thread, from V8's `gc` performance entries: each
// pause (a scavenge, a mark-compact's final pause, an incremental marking step, the
// weak callbacks) stops the event loop, and load:cost shows it as the event loop's
// CPU "of which GC". Work V8 does on its helper threads is not in these entries.
//
// The series is prom-client's standard nodejs_gc_duration_seconds (same name, label
// and buckets), but fed here: prom-client 15's own observer reads only the first
// entry of each batch V8 delivers, and under allocation load it missed 77 of 127
// pauses (70% of their time) in a test of ours. MetricsRegistry.collectDefaults
// registers this one in its place.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import type { Histogram } from 'prom-client';

export const GC_DURATION_SECONDS = 'nodejs_gc_duration_seconds';
/** prom-client's buckets for the series. */
export const GC_DURATION_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

const KINDS = new Map<number, string>([
  [constants.NODE_PERFORMANCE_GC_MINOR, 'minor'],
  [constants.NODE_PERFORMANCE_GC_MAJOR, 'major'],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, 'incremental'],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, 'weakcb'],
]);

/** A gc entry carries its kind in `detail` (Node 16+), which the types give to other entry types only. */
function kindOf(entry: PerformanceEntry): string {
  const { detail } = entry as PerformanceEntry & { detail?: { kind?: number } };
  return KINDS.get(detail?.kind ?? -1) ?? 'other';
}

/** Observes each GC pause of this thread in `histogram` (seconds, label `kind`) until the returned function is called. */
export function observeGcPauses(histogram: Histogram): () => void {
  const byKind = new Map<string, Histogram.Internal<string>>();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kindOf(entry);
      let child = byKind.get(kind);
      if (!child) byKind.set(kind, (child = histogram.labels(kind)));
      child.observe(entry.duration / 1000);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
