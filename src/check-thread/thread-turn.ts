// How long a check thread has been working since its event loop last polled for
// sockets. uWS hands a thread everything that arrived on its connections at once,
// so a client with a deep window of check-socket messages, or many connections,
// could keep every other connection of the thread waiting for as long as its
// checks take. Past `boundMs` in one turn, a thread refuses new HTTP checks (503,
// retry-after) and holds socket messages for a later turn once half of it is spent.

export class ThreadTurn {
  private startedAt: number | undefined;
  private endScheduled = false;
  private readonly deferred: (() => void)[] = [];

  /** `boundMs` 0: a turn is never over its bound. */
  constructor(private readonly boundMs: number) {}

  /**
   * Counts the caller's work in the current turn (opening one if none is); true when
   * the turn has run past `share` of its bound (a check socket's messages take half,
   * so that they cannot crowd the turn's HTTP checks out).
   */
  overdue(share = 1): boolean {
    if (this.boundMs === 0) return false;
    const now = performance.now();
    if (this.startedAt === undefined) {
      this.startedAt = now;
      this.scheduleEnd();
      return false;
    }
    return now - this.startedAt > this.boundMs * share;
  }

  /** Runs `work` after this turn ends, in a turn of its own shared with the other deferred work. */
  later(work: () => void): void {
    this.deferred.push(work);
    this.scheduleEnd();
  }

  private scheduleEnd(): void {
    if (this.endScheduled) return;
    this.endScheduled = true;
    setImmediate(this.end);
  }

  // setImmediate runs after the poll phase has handed over every socket that was ready.
  private readonly end = (): void => {
    this.endScheduled = false;
    this.startedAt = undefined;
    for (const work of this.deferred.splice(0)) work();
    // What the deferred work spent is not charged to the sockets the next poll hands over.
    this.startedAt = undefined;
  };
}
