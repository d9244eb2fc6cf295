// How long a check thread has been working since its event loop last polled for
// sockets. uWS hands a thread everything that arrived on its connections at once,
// so a client with a deep window of check-socket messages, or many connections,
// could keep every other connection of the thread waiting for as long as its
// checks take. Past `boundMs` in one turn, a thread refuses new HTTP checks (503,
// retry-after) and holds socket messages for a later turn once half of it is spent.
// A turn that ran long with few HTTP checks in it is a thread that lost its core,
// collected garbage or served a socket, not one with too many checks: it refuses nothing.

export class ThreadTurn {
  private startedAt: number | undefined;
  /** overdue() calls in this turn: the checks it may refuse. */
  private calls = 0;
  private endScheduled = false;
  private readonly deferred: (() => void)[] = [];

  /** `boundMs` 0: a turn is never over its bound; nor is one with fewer than `minCalls` overdue() calls. */
  constructor(
    private readonly boundMs: number,
    private readonly minCalls = 64,
  ) {}

  /**
   * For a check that may be refused: counts it in the current turn (opening one if
   * none is); true when the turn has run past its bound with at least `minCalls`
   * such checks in it.
   */
  overdue(): boolean {
    if (this.boundMs === 0) return false;
    const elapsed = this.elapsed();
    return ++this.calls >= this.minCalls && elapsed > this.boundMs;
  }

  /** For work that can wait (a check socket's messages, which take half): true when the turn has run past `share` of its bound. */
  pastShare(share: number): boolean {
    return this.boundMs > 0 && this.elapsed() > this.boundMs * share;
  }

  /** Since the turn began; opens one if none is. */
  private elapsed(): number {
    const now = performance.now();
    if (this.startedAt !== undefined) return now - this.startedAt;
    this.startedAt = now;
    this.calls = 0;
    this.scheduleEnd();
    return 0;
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
