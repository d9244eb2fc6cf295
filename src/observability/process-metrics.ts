// The gate process's memory and file descriptors, read at scrape time.
import { readdirSync } from 'node:fs';
import type { MetricsRegistry } from './metrics.js';

export function registerProcessMetrics(registry: MetricsRegistry): void {
  registry.gauge(
    'nodejs_external_memory_bytes',
    "Memory outside the V8 heap held by the main thread's objects (buffers, shared memory).",
    () => process.memoryUsage().external,
  );
  registry.gauge('process_resident_memory_bytes', 'Resident memory of the gate process.', () => process.memoryUsage.rss());
  registry.gauge('nodejs_heap_used_bytes', 'V8 heap in use on the main thread.', () => process.memoryUsage().heapUsed);
  registry.gauge('process_open_fds', 'Open file descriptors of the gate process.', () => {
    try {
      return readdirSync('/proc/self/fd').length;
    } catch {
      return NaN; // not Linux
    }
  });
}
