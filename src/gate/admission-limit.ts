// How many checks may be in flight at once, adapted to how long they wait for the
// machine. A fixed bound lets a 2x overload queue as many checks as the bound
// allows: each waits behind the others (checks answered late), and refusals wait
// behind a busy event loop. Here the bound follows the time from a check's arrival
// until its matching is done, by the gate's clock: the part of a check that grows
// when the event loop or the matching pool is saturated, and not when Redis is
// slow (a check waiting on Redis costs no CPU, and is answered `review`/`degraded`
// by its deadline rather than refused). The event loop's own delay counts too: a
// request waits that long before the gate reads it, refusal or not, and it grows
// when the machine's cores are taken (by the matching threads, Redis, whatever
// else runs) before matching shows it.
// Additive increase, multiplicative decrease, and only while the bound binds (a
// check arrived with it full): when a short window's 90th percentile of matching
// or of loop delay is over its target, the bound shrinks by a quarter; when both
// are within, it grows by a tenth. An overload always fills the bound, so under it
// the gate admits about what it can match within the targets and refuses the rest
// at once, before reading their bodies; with fewer checks in flight than the bound
// (a fixed set of callers, a burst, a cold start) nothing is refused, however slow.

export interface AdmissionLimitOptions {
  /** The bound never exceeds this (GATE_MAX_CHECKS_IN_FLIGHT). */
  max: number;
  /** The bound never goes below this. Default 4. */
  min?: number;
  /** The 90th percentile of a window's arrival-to-matched times to keep within, in ms (GATE_ADMISSION_TARGET_MS). */
  targetMs: number;
  /** How often the bound moves, in ms. Default 50. */
  windowMs?: number;
  /** Fewer matched checks than this in a window leave the bound as it is. Default 8. */
  minSamples?: number;
  /**
   * The 90th percentile of the event loop's delay in a window, in ms, past which the
   * bound shrinks as it does for slow matching (GATE_ADMISSION_LOOP_DELAY_MS).
   * Undefined: the delay is not watched.
   */
  loopDelayTargetMs?: number;
  /** The window's 90th percentile of event loop delay, in ms, and a fresh start for the next window. */
  loopDelay?: () => number;
}

const SAMPLE_CAPACITY = 4096;
const DECREASE = 0.75;
const INCREASE = 0.1;
const PERCENTILE = 0.9;

export class AdmissionLimit {
  private readonly max: number;
  private readonly min: number;
  private readonly targetMs: number;
  private readonly windowMs: number;
  private readonly minSamples: number;
  private readonly loopDelayTargetMs: number;
  private readonly loopDelay: (() => number) | undefined;
  private readonly samples = new Float64Array(SAMPLE_CAPACITY);
  private sampled = 0;
  private windowStart = -Infinity;
  /** The most checks in flight seen in this window. */
  private peakInFlight = 0;
  /** Checks in flight allowed now. */
  limit: number;
  /** Times the bound shrank since start (for /metrics). */
  decreases = 0;

  constructor(options: AdmissionLimitOptions) {
    this.max = options.max;
    this.min = Math.min(options.min ?? 4, options.max);
    this.targetMs = options.targetMs;
    this.windowMs = options.windowMs ?? 50;
    this.minSamples = options.minSamples ?? 8;
    this.loopDelayTargetMs = options.loopDelayTargetMs ?? Infinity;
    this.loopDelay = options.loopDelay;
    this.limit = this.max;
  }

  /** Whether one more check may start now, with `inFlight` checks already started. */
  admits(inFlight: number): boolean {
    if (inFlight + 1 > this.peakInFlight) this.peakInFlight = inFlight + 1;
    return inFlight < this.limit;
  }

  /** A check's matching was done `latencyMs` after it arrived; `now` is performance.now(). */
  matched(latencyMs: number, now: number): void {
    if (this.sampled < SAMPLE_CAPACITY) this.samples[this.sampled++] = latencyMs;
    if (now - this.windowStart < this.windowMs) return;
    const loopDelay = this.loopDelay?.() ?? 0;
    if (this.sampled >= this.minSamples) this.adjust(loopDelay);
    this.windowStart = now;
    this.sampled = 0;
    this.peakInFlight = 0;
  }

  private adjust(loopDelay: number): void {
    if (this.peakInFlight < this.limit) return;
    const window = this.samples.subarray(0, this.sampled).sort();
    const p90 = window[Math.min(window.length - 1, Math.floor(window.length * PERCENTILE))] ?? 0;
    if (p90 > this.targetMs || loopDelay > this.loopDelayTargetMs) {
      this.limit = Math.max(this.min, Math.floor(this.limit * DECREASE));
      this.decreases++;
    } else {
      this.limit = Math.min(this.max, this.limit + Math.max(1, Math.floor(this.limit * INCREASE)));
    }
  }
}
