// Which share of checked listings goes to the backtest sample: all of them while
// this instance checks at most GATE_BACKTEST_SAMPLE_RATE a second, fewer above, so
// that the sample spans minutes of traffic at any rate instead of its last seconds
// (100,000 listings were two minutes at 1,000 checks/s), and a check's Redis write
// is paid by a bounded number of listings. Every path (check threads, the event
// loop) draws with the same share, so the sample keeps the traffic's proportions.

/**
 * How often the share follows the check rate: a tenth of a second, so that traffic
 * after a lull (or a start) is drawn whole for that long, not for a second.
 */
export const SHARE_INTERVAL_MS = 100;
/** A fall is followed halfway in this long. */
const FALL_HALF_LIFE_MS = 1000;

export class SampleShare {
  private checks = 0;
  private rate = 0;
  private current = 1;

  /** `perSecond`: listings a second this instance adds to the sample at most, on average. */
  constructor(private readonly perSecond: number) {}

  /** The share to draw with now, in (0, 1]. */
  get share(): number {
    return this.current;
  }

  /** Checks of live traffic, sampled or not. */
  seen(checks: number): void {
    this.checks += checks;
  }

  /** Follows the last interval's check rate; returns the new share. */
  tick(elapsedMs: number): number {
    const lastRate = (this.checks * 1000) / Math.max(1, elapsedMs);
    this.checks = 0;
    // Rising traffic is followed at once, falling traffic over a few seconds: a lull does not open the sample to the next burst whole.
    const kept = 0.5 ** (elapsedMs / FALL_HALF_LIFE_MS);
    this.rate = lastRate >= this.rate ? lastRate : kept * this.rate + (1 - kept) * lastRate;
    this.current = this.rate <= this.perSecond ? 1 : this.perSecond / this.rate;
    return this.current;
  }

  /** Whether one listing goes to the sample. */
  draw(): boolean {
    return this.current >= 1 || Math.random() < this.current;
  }
}
