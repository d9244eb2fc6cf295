// The backtest sample's share (sample-share.ts): every listing up to the rate,
// then the rate's share of the traffic, rising at once and easing down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SampleShare } from '../src/backtest/sample-share.js';

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
});
