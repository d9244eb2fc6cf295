// src/observability/gc-seconds.ts: a collection on this thread is counted, by kind.
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MetricsRegistry } from '../src/observability/metrics.js';
import { countGcSeconds } from '../src/observability/gc-seconds.js';

it('counts a full collection as major, in seconds', async () => {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const counter = new MetricsRegistry().counter('gate_gc_seconds_total', 'test');
  const stop = countGcSeconds(counter);
  try {
    collect();
    // Entries reach observers after the collection, on a later turn.
    for (let i = 0; i < 50 && counter.get({ kind: 'major' }) === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const seconds = counter.get({ kind: 'major' });
    assert.ok(seconds > 0 && seconds < 1, `major: ${seconds} s`);
    assert.match(counter.render(), /^gate_gc_seconds_total\{kind="major"\} /m);
  } finally {
    stop();
  }
});
