// The event loop's delay as a cumulative histogram: a stall shows in the buckets
// above it, and a second scrape still sees what the first one saw (a gauge reset
// at every scrape let two scrapers steal each other's windows).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { registerEventLoopDelayMetrics } from '../src/observability/event-loop-delay-metrics.js';
import { MetricsRegistry } from '../src/observability/metrics.js';

function bucket(text: string, le: string): number {
  const found = new RegExp(`^gate_event_loop_delay_seconds_bucket\\{le="${le.replace('+', '\\+')}"\\} (\\d+)$`, 'm').exec(text);
  assert.ok(found, `bucket ${le} in\n${text}`);
  return Number(found[1]);
}

describe('event-loop delay histogram', () => {
  it('counts a stall above its bucket, and keeps it for every scraper', async () => {
    const registry = new MetricsRegistry();
    const stop = registerEventLoopDelayMetrics(registry);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const until = performance.now() + 150;
      while (performance.now() < until); // the event loop held for 150 ms
      await new Promise((resolve) => setTimeout(resolve, 50));
      const first = await registry.metrics();
      const all = bucket(first, '+Inf');
      assert.ok(all > 0, 'the probe took samples');
      assert.ok(bucket(first, '0.1') < all, 'a sample above 100 ms');
      assert.equal(bucket(first, '5'), all, 'and none above 5 s');
      await new Promise((resolve) => setTimeout(resolve, 50)); // more samples for the second scrape
      const second = await registry.metrics();
      assert.ok(bucket(second, '+Inf') >= all, 'a second scrape still counts what the first saw');
      assert.ok(bucket(second, '0.1') < bucket(second, '+Inf'), 'the stall is still there for it');
      assert.match(second, /^gate_event_loop_delay_seconds_sum [0-9.e-]+$/m);
    } finally {
      stop();
    }
  });
});
