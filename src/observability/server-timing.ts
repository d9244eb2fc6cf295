// The phases of one request by the gate's own clock, sent back as a standard
// `Server-Timing` header when the caller asks with `x-gate-timing` (the load
// suite's idle split reads it). Nothing is measured for other requests.

export class ServerTiming {
  private readonly phases: Array<[string, number]> = [];
  private last: number;

  constructor(startedAt: number) {
    this.last = startedAt;
  }

  /** Ends the phase named `name` now (performance.now() clock). */
  mark(name: string, at = performance.now()): void {
    this.phases.push([name, at - this.last]);
    this.last = at;
  }

  /** A phase measured elsewhere (another thread's clock, as a duration). */
  add(name: string, durationMs: number): void {
    this.phases.push([name, durationMs]);
  }

  header(): string {
    return this.phases.map(([name, ms]) => `${name};dur=${ms.toFixed(3)}`).join(', ');
  }
}
