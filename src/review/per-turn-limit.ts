// At most so many starts of some background work per turn of the event loop. A
// spool replay with many lanes gets its Redis replies in bursts (a lane's write
// and the next 31 are fsynced and answered together), and each reply starts the
// lane's next item at once (parse, build the command, write it): 32 of them back to
// back held the event loop 6-12 ms at a time for the whole replay, and checks
// arriving meanwhile waited that long before the gate read them. Past the limit a
// start waits for the next turn, after the poll phase has read what arrived.
export class PerTurnLimit {
  private startedThisTurn = 0;
  private readonly waiting: Array<() => void> = [];
  private turnEnding = false;

  constructor(private readonly perTurn: number) {
    if (!(perTurn >= 1)) throw new Error(`PerTurnLimit: perTurn must be at least 1, not ${perTurn}`);
  }

  /** Resolves when one more start is allowed in this turn (or the next one with room). */
  take(): Promise<void> {
    this.endTurnLater();
    if (this.startedThisTurn < this.perTurn && this.waiting.length === 0) {
      this.startedThisTurn++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private endTurnLater(): void {
    if (this.turnEnding) return;
    this.turnEnding = true;
    setImmediate(() => {
      this.turnEnding = false;
      this.startedThisTurn = 0;
      while (this.startedThisTurn < this.perTurn && this.waiting.length > 0) {
        this.startedThisTurn++;
        this.waiting.shift()?.();
      }
      if (this.startedThisTurn > 0) this.endTurnLater();
    });
  }
}
