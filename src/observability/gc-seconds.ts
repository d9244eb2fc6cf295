// Garbage collection on the main thread, from V8's `gc` performance entries: each
// pause (a scavenge, a mark-compact's final pause, an incremental marking step, the
// weak callbacks) stops the event loop, and load:cost shows it as the event loop's
// CPU "of which GC". Work V8 does on its helper threads is not in these entries.
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import type { Counter } from './metrics.js';

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

/** Adds each GC pause of this thread to `counter` (seconds, label `kind`) until the returned function is called. */
export function countGcSeconds(counter: Counter): () => void {
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) counter.inc({ kind: kindOf(entry) }, entry.duration / 1000);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => observer.disconnect();
}
