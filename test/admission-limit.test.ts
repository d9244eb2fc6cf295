// The adaptive bound on checks in flight (issue 8, overload): it shrinks while
// matching takes longer than the target, grows back only when it is what holds
// checks back and matching is within the target, and stays within its limits.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AdmissionLimit } from '../src/gate/admission-limit.js';

/** One 50 ms window of `count` matchings of `latencyMs`, starting at `at`; returns the window's end. */
function window(limit: AdmissionLimit, at: number, latencyMs: number, count = 20): number {
  for (let i = 0; i < count; i++) limit.matched(latencyMs, at + (i * 49) / count);
  limit.matched(latencyMs, at + 50);
  return at + 50;
}

describe('adaptive admission bound', () => {
  it('starts at the fixed bound and admits below it', () => {
    const limit = new AdmissionLimit({ max: 64, targetMs: 5 });
    assert.equal(limit.limit, 64);
    assert.equal(limit.admits(63), true);
    assert.equal(limit.admits(64), false);
  });

  it('shrinks by a quarter per window over the target, down to its floor', () => {
    const limit = new AdmissionLimit({ max: 64, min: 4, targetMs: 5 });
    let at = window(limit, 0, 1);
    const seen: number[] = [];
    for (let w = 0; w < 12; w++) {
      at = window(limit, at, 12);
      seen.push(limit.limit);
    }
    assert.deepEqual(seen.slice(0, 4), [48, 36, 27, 20]);
    assert.equal(limit.limit, 4, 'never below the floor');
    assert.equal(limit.decreases, 12);
  });

  it('grows back by a tenth (at least one) only while the bound holds checks back and matching is within the target', () => {
    const limit = new AdmissionLimit({ max: 40, min: 4, targetMs: 5 });
    let at = 0;
    for (let w = 0; w < 10; w++) at = window(limit, at, 20);
    assert.equal(limit.limit, 4);
    // Within the target, but far fewer checks in flight than allowed: no reason to grow.
    limit.admits(1);
    at = window(limit, at, 1);
    assert.equal(limit.limit, 4);
    const seen: number[] = [];
    for (let w = 0; w < 40; w++) {
      limit.admits(limit.limit); // a check arrived with the bound full
      at = window(limit, at, 1);
      seen.push(limit.limit);
    }
    assert.deepEqual(seen.slice(0, 4), [5, 6, 7, 8]);
    assert.equal(limit.limit, 40, 'never above the fixed bound');
  });

  it('does not move on a window with too few matchings to tell', () => {
    const limit = new AdmissionLimit({ max: 64, targetMs: 5, minSamples: 8 });
    let at = window(limit, 0, 1);
    at = window(limit, at, 50, 3);
    assert.equal(limit.limit, 64);
  });

  it('judges the 90th percentile, not the worst matching', () => {
    const limit = new AdmissionLimit({ max: 64, targetMs: 5 });
    let at = window(limit, 0, 1);
    // 1 in 20 slow (a collection pause): the 90th percentile is within the target.
    for (let i = 0; i < 20; i++) limit.matched(i === 7 ? 40 : 2, at + i);
    limit.matched(2, at + 50);
    assert.equal(limit.limit, 64);
  });

  it('shrinks on a busy event loop only while the bound is what holds checks back', () => {
    let delay = 0;
    let reads = 0;
    const limit = new AdmissionLimit({
      max: 64,
      targetMs: 10,
      loopDelayTargetMs: 2,
      loopDelay: () => {
        reads++;
        return delay;
      },
    });
    let at = window(limit, 0, 1);
    delay = 8;
    // Few checks in flight (callers that wait for their answers): the delay is theirs, not a queue.
    limit.admits(5);
    at = window(limit, at, 1);
    assert.equal(limit.limit, 64);
    // The bound binds: a busy loop shrinks it as slow matching would.
    limit.admits(64);
    at = window(limit, at, 1);
    assert.equal(limit.limit, 48);
    delay = 1;
    limit.admits(48);
    at = window(limit, at, 1);
    assert.equal(limit.limit, 52, 'a calm loop with the bound binding grows it again');
    // The probe is read (and so reset) at every window's close, even one with too few checks to judge.
    const before = reads;
    window(limit, at, 1, 2);
    assert.equal(reads, before + 1);
  });
});
