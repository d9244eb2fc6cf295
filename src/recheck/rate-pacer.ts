// GATE_RECHECK_MAX_RATE: a job read at most so many listings a second, for an SRE
// who would rather a job take longer than have it share the cores with live checks
// flat out (docs/rechecks.md, "Where the rest goes").

const MAX_CREDIT_MS = 1000;

/** Holds reads to at most `perSecond` listings a second since the first; 0: no limit. */
export class RatePacer {
  private origin: number | undefined;
  private counted = 0;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** How long to wait, in ms, before reading `listings` more. */
  waitBefore(listings: number): number {
    if (this.perSecond <= 0) return 0;
    const now = this.now();
    this.origin ??= now;
    // A job that ran below its rate (waiting on live checks, on Redis) banks at most a second's worth of listings.
    this.origin = Math.max(this.origin, now - MAX_CREDIT_MS - (this.counted / this.perSecond) * 1000);
    const due = this.origin + (this.counted / this.perSecond) * 1000;
    this.counted += listings;
    return Math.max(0, due - now);
  }
}
