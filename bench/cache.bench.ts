// Forgetting every cached answer (on a Redis reconnect, a ring change): lru-cache's
// clear() against GenerationCache's, on caches as full as the gate's can get
// (100,000 list answers, 200,000 ring answers). The cache is filled before each
// operation, untimed; only the clear is timed: it holds the event loop.
import { Bench } from 'tinybench';
import { LRUCache } from 'lru-cache';
import { GenerationCache } from '../src/cache/generation-cache.js';
import { report } from './bench-report.js';

export async function runCacheBench(): Promise<void> {
  for (const max of [100_000, 200_000]) {
    const keys = Array.from({ length: max }, (_, i) => `sellers\u0000s-${i}`);
    const lru = new LRUCache<string, boolean>({ max, ttl: 60_000 });
    const generations = new GenerationCache<boolean>({ max, ttlMs: 60_000 });
    const fill = (cache: { set(key: string, value: boolean): unknown }) => (): void => {
      for (const key of keys) cache.set(key, false);
    };
    // Warm-up by count, not time: a constant-time clear() would never add up to a warm-up time.
    const bench = new Bench({ iterations: 8, time: 0, warmupIterations: 2, warmupTime: 0 });
    bench
      .add('lru-cache clear()', () => lru.clear(), { beforeEach: fill(lru) })
      .add('GenerationCache clear()', () => generations.clear(), { beforeEach: fill(generations) });
    await bench.run();
    report(`clearing a full cache of ${max.toLocaleString('en')} answers`, bench, { label: 'clear', perOp: 1 });
  }
}
