// The adaptive bound on checks in flight (issue 8, overload): while it binds (a
// check arrived with it full) it shrinks when matching or the event loop is slower
// than its target and grows back when both are within; it never moves while fewer
// checks are in flight than it allows, and stays within its limits.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { AdmissionLimit } from '../src/gate/admission-limit.js';

/**
 * One 50 ms window of `count` matchings of `latencyMs`, starting at `at`; with
 * `binding`, a check arrives with the bound full during it. Returns the window's end.
 */
function window(limit: AdmissionLimit, at: number, latencyMs: number, options: { count?: number; binding?: boolean } = {}): number {
  const count = options.count ?? 20;
  if (options.binding ?? true) limit.admits(limit.limit);
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

  it('shrinks by a quarter per binding window over the target, down to its floor', () => {
    const limit = new AdmissionLimit({ max: 64, min: 4, targetMs: 5 });
    let at = window(limit, 0, 1, { binding: false });
    const seen: number[] = [];
    for (let w = 0; w < 12; w++) {
      at = window(limit, at, 12);
      seen.push(limit.limit);
    }
    assert.deepEqual(seen.slice(0, 4), [48, 36, 27, 20]);
    assert.equal(limit.limit, 4, 'never below the floor');
    assert.equal(limit.decreases, 12);
  });

  it('does not move while fewer checks are in flight than it allows, however slow they are', () => {
    const limit = new AdmissionLimit({ max: 64, targetMs: 5 });
    let at = window(limit, 0, 1, { binding: false });
    for (let w = 0; w < 10; w++) {
      limit.admits(16); // a burst of 16 callers: well within the bound
      at = window(limit, at, 40, { binding: false });
    }
    assert.equal(limit.limit, 64);
    assert.equal(limit.decreases, 0);
  });

  it('grows back by a tenth (at least one) while it binds and matching is within the target', () => {
    const limit = new AdmissionLimit({ max: 40, min: 4, targetMs: 5 });
    let at = 0;
    for (let w = 0; w < 10; w++) at = window(limit, at, 20);
    assert.equal(limit.limit, 4);
    const seen: number[] = [];
    for (let w = 0; w < 40; w++) {
      at = window(limit, at, 1);
      seen.push(limit.limit);
    }
    assert.deepEqual(seen.slice(0, 4), [5, 6, 7, 8]);
    assert.equal(limit.limit, 40, 'never above the fixed bound');
  });

  it('does not move on a window with too few matchings to tell', () => {
    const limit = new AdmissionLimit({ max: 64, targetMs: 5, minSamples: 8 });
    let at = window(limit, 0, 1);
    at = window(limit, at, 50, { count: 3 });
    assert.equal(limit.limit, 64);
  });

  it('judges the 90th percentile, not the worst matching', () => {
    const limit = new AdmissionLimit({ max: 64, targetMs: 5 });
    const at = window(limit, 0, 1, { binding: false });
    limit.admits(64);
    // 1 in 20 slow (a collection pause): the 90th percentile is within the target.
    for (let i = 0; i < 20; i++) limit.matched(i === 7 ? 40 : 2, at + i);
    limit.matched(2, at + 50);
    assert.equal(limit.limit, 64);
    assert.equal(limit.decreases, 0);
  });

  it('shrinks on a busy event loop as on slow matching, and reads its delay probe at every window', () => {
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
    let at = window(limit, 0, 1, { binding: false });
    delay = 8;
    at = window(limit, at, 1, { binding: false });
    assert.equal(limit.limit, 64, "not binding: the delay is the callers' own pace");
    at = window(limit, at, 1);
    assert.equal(limit.limit, 48);
    delay = 1;
    at = window(limit, at, 1);
    assert.equal(limit.limit, 52, 'a calm loop with the bound binding grows it again');
    const before = reads;
    window(limit, at, 1, { count: 2 });
    assert.equal(reads, before + 1, 'read (and so reset) even on a window with too few matchings');
  });
});
