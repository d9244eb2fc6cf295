// A log for failures that can repeat on every request (Redis down): the first of
// each kind is written at once, the rest are counted and summed up at most once
// per interval, so an outage does not turn into thousands of log lines a second.
export class ThrottledLog {
  private readonly counts = new Map<string, { suppressed: number; last: string; since: number }>();

  constructor(
    private readonly log: (message: string) => void,
    private readonly intervalMs = 10_000,
  ) {}

  /** Logs `message` under `kind`, or counts it if `kind` was logged within the interval. */
  note(kind: string, message: string): void {
    const now = Date.now();
    const entry = this.counts.get(kind);
    if (!entry || now - entry.since >= this.intervalMs) {
      if (entry && entry.suppressed > 0)
        this.log(`${entry.suppressed} more like this in the last ${Math.round((now - entry.since) / 1000)} s (last: ${entry.last})`);
      this.counts.set(kind, { suppressed: 0, last: message, since: now });
      this.log(message);
      return;
    }
    entry.suppressed++;
    entry.last = message;
  }
}
