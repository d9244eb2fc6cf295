// A log for failures that can repeat on every request (Redis down): the first of
// each kind is written at once, the rest are counted and summed up at most once
// per interval, so an outage does not turn into thousands of log lines a second.
// Each is a warning: something was refused, delayed or kept for a retry.
import type { GateLog, LogFields } from './gate-logger.js';

export class ThrottledLog {
  private readonly counts = new Map<string, { suppressed: number; last: string; since: number }>();

  constructor(
    private readonly log: GateLog,
    private readonly intervalMs = 10_000,
  ) {}

  /** Logs `message` (with `fields`) under `kind`, or counts it if `kind` was logged within the interval. */
  note(kind: string, message: string, fields?: LogFields): void {
    const now = Date.now();
    const entry = this.counts.get(kind);
    if (!entry || now - entry.since >= this.intervalMs) {
      if (entry && entry.suppressed > 0)
        this.log.warn(`${entry.suppressed} more like this in the last ${Math.round((now - entry.since) / 1000)} s (last: ${entry.last})`, {
          kind,
          suppressed: entry.suppressed,
        });
      this.counts.set(kind, { suppressed: 0, last: message, since: now });
      this.log.warn(message, fields ? { kind, ...fields } : { kind });
      return;
    }
    entry.suppressed++;
    entry.last = message;
  }
}
