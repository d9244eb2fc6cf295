// Writes intake outcomes to Redis in batches: whatever outcomes arrived while
// one batch was being written go together in the next, one script call each
// (record-intake-outcomes.lua appends and acknowledges atomically). While Redis
// cannot take a batch it is kept and retried: an entry is never acknowledged
// without its outcome, and never lost.
import type { Redis } from 'ioredis';
import type { IntakeKeys } from '../redis/redis-keys.js';
import { luaCommand } from '../redis/lua-command.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import type { GateLog } from '../observability/gate-logger.js';

export type OutcomeKind = 'response' | 'error' | 'dead';

export interface IntakeOutcome {
  kind: OutcomeKind;
  entryId: string;
  listingId: string;
  /** The check response or the error, encoded. */
  payload: Buffer;
  /** The entry's listing as it came (dead letters only). */
  listing?: Buffer;
}

type RecordOutcomes = (
  stream: string,
  verdicts: string,
  deadLetters: string,
  group: string,
  verdictsMaxLen: number,
  deadMaxLen: number,
  ...outcomes: Array<string | Buffer>
) => Promise<number[]>;

/** Outcomes in one script call: large enough to cost one round trip per hundreds of checks, small enough not to hold Redis long. */
const MAX_BATCH = 256;
const RETRY_MS = [50, 100, 250, 500, 1000];

export interface IntakeOutcomesOptions {
  group: string;
  verdictsMaxLen: number;
  deadMaxLen: number;
  log: GateLog;
  /** Called with each written batch, and for each of its outcomes whether it was recorded (false: another instance recorded the entry first). */
  written: (batch: readonly IntakeOutcome[], recorded: readonly boolean[]) => void;
}

export class IntakeOutcomes {
  private readonly record: RecordOutcomes;
  private readonly failures: ThrottledLog;
  private queue: IntakeOutcome[] = [];
  private writing: Promise<void> | undefined;
  private givenUp = false;

  constructor(
    redis: Redis,
    private readonly keys: IntakeKeys,
    private readonly options: IntakeOutcomesOptions,
  ) {
    this.record = luaCommand<RecordOutcomes>(redis, 'record-intake-outcomes', 3);
    this.failures = new ThrottledLog(options.log);
  }

  /** Outcomes waiting to be written (or being written). */
  get waiting(): number {
    return this.queue.length;
  }

  add(outcome: IntakeOutcome): void {
    this.queue.push(outcome);
    this.writing ??= this.writeAll().finally(() => (this.writing = undefined));
  }

  /** Stops retrying: what is not written stays pending in the group, for another instance to claim. */
  giveUp(): void {
    this.givenUp = true;
  }

  private async writeAll(): Promise<void> {
    // One turn of the event loop gathers the outcomes that settled together.
    await new Promise((resolve) => setImmediate(resolve));
    let attempt = 0;
    while (this.queue.length > 0 && !this.givenUp) {
      const batch = this.queue.slice(0, MAX_BATCH);
      const args: Array<string | Buffer> = [];
      for (const o of batch) args.push(o.kind, o.entryId, o.listingId, o.payload, o.listing ?? '');
      try {
        const recorded = await this.record(
          this.keys.stream,
          this.keys.verdicts,
          this.keys.deadLetters,
          this.options.group,
          this.options.verdictsMaxLen,
          this.options.deadMaxLen,
          ...args,
        );
        this.queue.splice(0, batch.length);
        attempt = 0;
        this.options.written(
          batch,
          recorded.map((flag) => flag === 1),
        );
      } catch (error) {
        // Run or not, a retry is safe: the script skips entries no longer pending.
        this.failures.note('intake-record', `intake: ${this.queue.length} outcomes not written yet, retrying: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]));
      }
    }
  }
}
