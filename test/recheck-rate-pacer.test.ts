// GATE_RECHECK_MAX_RATE: a job's reads held to a most listings a second, on a
// clock of the test's own; a job that fell behind catches up by at most a second's
// worth; 0 holds nothing back; the setting refuses what is not a rate.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/gate-config.js';
import { RatePacer } from '../src/recheck/rate-pacer.js';

/** Reads `batches` batches of `size` as fast as the pacer lets them; the clock when each was read. */
function readTimes(pacer: RatePacer, clock: { ms: number }, batches: number, size: number, workMs = 0): number[] {
  const times: number[] = [];
  for (let i = 0; i < batches; i++) {
    clock.ms += pacer.waitBefore(size);
    times.push(clock.ms);
    clock.ms += workMs;
  }
  return times;
}

describe('re-check rate pacer', () => {
  it('holds reads to the rate from the first one', () => {
    const clock = { ms: 5000 };
    const pacer = new RatePacer(1000, () => clock.ms);
    // 500 listings a batch at 1,000 a second: a batch every 500 ms.
    assert.deepEqual(readTimes(pacer, clock, 5, 500), [5000, 5500, 6000, 6500, 7000]);
    // Work that takes longer than the rate allows is not waited for again.
    assert.deepEqual(readTimes(pacer, clock, 3, 500, 800).slice(1), [8300, 9100]);
  });

  it('lets a job that fell behind catch up by a second at most', () => {
    const clock = { ms: 0 };
    const pacer = new RatePacer(1000, () => clock.ms);
    readTimes(pacer, clock, 1, 500);
    clock.ms = 60_000; // a minute waiting on live checks
    // The batch due, and a second's worth banked (two batches), at once; then the rate again.
    assert.deepEqual(readTimes(pacer, clock, 5, 500), [60_000, 60_000, 60_000, 60_500, 61_000]);
  });

  it('holds nothing back without a rate', () => {
    const clock = { ms: 0 };
    assert.deepEqual(readTimes(new RatePacer(0, () => clock.ms), clock, 3, 10_000), [0, 0, 0]);
  });

  it('is 0 unless GATE_RECHECK_MAX_RATE says otherwise, and refuses what is not a rate, naming it', () => {
    assert.equal(loadConfig({}).recheck.maxRate, 0);
    assert.equal(loadConfig({ GATE_RECHECK_MAX_RATE: '8000' }).recheck.maxRate, 8000);
    for (const bad of ['-1', 'fast', '1.5'])
      assert.throws(
        () => loadConfig({ GATE_RECHECK_MAX_RATE: bad }),
        (error: Error) => error.message.includes('GATE_RECHECK_MAX_RATE'),
        bad,
      );
  });
});
