// src/observability/gc-seconds.ts: a collection on this thread is observed, by kind,
// in nodejs_gc_duration_seconds, and every pause of a batch counts (prom-client's
// own observer reads only the first entry of each batch).
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricsRegistry } from '../src/observability/metrics.js';

function series(text: string, name: string): number {
  let total = 0;
  for (const match of text.matchAll(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'gm'))) total += Number(match[1]);
  return total;
}

it('observes a full collection as major, in seconds, and every pause of a batch', async () => {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const registry = new MetricsRegistry();
  let entries = 0;
  const counting = new PerformanceObserver((list) => {
    entries += list.getEntries().length;
  });
  counting.observe({ entryTypes: ['gc'] });
  const stop = registry.collectDefaults();
  try {
    collect();
    collect();
    collect();
    // Entries reach observers after the collection, on a later turn.
    let text = '';
    for (let i = 0; i < 50; i++) {
      text = await registry.metrics();
      if (/^nodejs_gc_duration_seconds_count\{kind="major"\} [1-9]/m.test(text)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const seconds = Number(/^nodejs_gc_duration_seconds_sum\{kind="major"\} (\S+)$/m.exec(text)?.[1]);
    assert.ok(seconds > 0 && seconds < 1, `major: ${seconds} s`);
    await new Promise((r) => setTimeout(r, 50));
    text = await registry.metrics();
    assert.equal(series(text, 'nodejs_gc_duration_seconds_count'), entries, 'one observation per gc entry');
    assert.equal(text.match(/^# TYPE nodejs_gc_duration_seconds /gm)?.length, 1, 'the series once');
  } finally {
    stop();
    counting.disconnect();
  }
});
