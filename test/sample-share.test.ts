// The backtest sample's share (sample-share.ts): every listing up to the rate,
// then the rate's share of the traffic, rising at once and easing down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BacktestSample } from '../src/backtest/backtest-sample.js';
import { SampleShare } from '../src/backtest/sample-share.js';
import { silentLog } from '../src/observability/gate-logger.js';
import { redisSuite } from './helpers/redis-suite.js';

describe('the backtest sample share', () => {
  it('draws every listing while the checks stay within the rate', () => {
    const share = new SampleShare(100);
    share.seen(80);
    assert.equal(share.tick(1000), 1);
    assert.ok(Array.from({ length: 1000 }, () => share.draw()).every(Boolean));
  });

  it("above the rate, draws the rate's share of the last interval's checks", () => {
    const share = new SampleShare(100);
    share.seen(2000);
    assert.equal(share.tick(1000), 0.05);
    share.seen(1000);
    assert.equal(share.tick(500), 0.05, 'checks per second, whatever the interval');
    const drawn = Array.from({ length: 100_000 }, () => share.draw()).filter(Boolean).length;
    assert.ok(drawn > 4500 && drawn < 5500, `${drawn} of 100,000 drawn at a share of 5%`);
  });

  it('follows a rise at once and a fall over a few intervals', () => {
    const share = new SampleShare(100);
    share.seen(400);
    assert.equal(share.tick(1000), 0.25);
    share.seen(0);
    assert.equal(share.tick(1000), 0.5, 'half way down after a quiet second');
    share.seen(0);
    assert.equal(share.tick(1000), 1);
  });

  it('eases down by the time that passed, whatever the interval', () => {
    const share = new SampleShare(100);
    share.seen(40);
    assert.equal(share.tick(100), 0.25, '400 a second');
    for (let tenth = 0; tenth < 10; tenth++) share.tick(100);
    assert.ok(Math.abs(share.share - 0.5) < 1e-9, `half way down after a quiet second of ten intervals: ${share.share}`);
  });
});

describe('the backtest sample of a gate that starts taking traffic', () => {
  const suite = redisSuite();

  it('draws a share within a quarter of a second, not after a second of drawing every listing', async () => {
    const sample = new BacktestSample(suite.client, { key: 'bs1:{backtest}:sample', size: 1000, maxAgeMs: 86_400_000, perSecond: 100, log: silentLog });
    const shares: number[] = [];
    const stop = sample.observeShare((share) => shares.push(share));
    try {
      // 1,000 checks a second, as a check thread reports them (every 20 ms).
      for (let at = 0; at < 250; at += 20) {
        sample.addPacked([], 20);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.ok((shares.at(-1) ?? 1) < 0.3, `share after 0.25 s at 1,000 checks a second: ${shares.join(', ')}`);
    } finally {
      stop();
      await sample.close();
    }
  });
});
