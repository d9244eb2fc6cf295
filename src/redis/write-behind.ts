// Writes that need not hold the caller, gathered for a few milliseconds and sent
// together: a check's bookkeeping (its verdict record, the brand figures and block
// causes it adds to) would otherwise cost every check several commands, each a
// write to Redis that Redis must also fsync (appendfsync always). Entries for the
// same key are merged as they come (a counter adds up, a record keeps the newest),
// so a busy gate writes each counter once per flush, not once per check.
import { ThrottledLog } from '../observability/throttled-log.js';
import type { BatchSpill, BookkeepingSpool } from './bookkeeping-spool.js';
import type { GateLog } from '../observability/gate-logger.js';

/**
 * How long a check's verdict record and ring links wait to go with others'. Each
 * call is a Redis round trip that costs this event loop 25-200 µs of CPU here
 * (docs/measurements/bookkeeping.md), so fewer calls a second is what counts.
 */
export const BOOKKEEPING_GATHER_MS = 20;

export interface WriteBehindOptions<Value> {
  /** Names the writes in log lines. */
  name: string;
  /** Writes one batch; the promise rejects if Redis did not take it. */
  write: (batch: ReadonlyMap<string, Value>) => Promise<void>;
  /** The entry for a key when another comes for it (`older` is what was pending). */
  merge: (older: Value, newer: Value) => Value;
  /**
   * A batch Redis did not take is merged back and tried again with the next
   * (counters, whose merge adds up); otherwise it goes to the spool (or is dropped and counted).
   */
  retry: boolean;
  /**
   * How long an entry may wait. 0: until the end of this turn of the event loop
   * (what other checks answered in the same turn goes with it). Default 10 ms.
   */
  delayMs?: number;
  /** Pending keys past which a flush starts at once, and past which a retried batch is given up on. Default 2,000. */
  maxPending?: number;
  /**
   * Where a batch given up on goes instead of being dropped, and what is still
   * pending at close(): kept on local disk and written when Redis answers again.
   */
  spool?: BookkeepingSpool;
  log: GateLog;
}

export class WriteBehind<Value> {
  private pending = new Map<string, Value>();
  /** Cancels the flush that is due, if one is. */
  private cancelDue: (() => void) | undefined;
  private flushing: Promise<void> | undefined;
  private readonly delayMs: number;
  private readonly maxPending: number;
  private readonly failures: ThrottledLog;
  /** Entries lost: Redis did not take them, they could not wait longer, and no spool kept them. */
  dropped = 0;
  private readonly spill: BatchSpill<Value> | undefined;
  /** Batches sent and not yet answered, oldest first. */
  private readonly writing: Array<ReadonlyMap<string, Value>> = [];

  constructor(private readonly options: WriteBehindOptions<Value>) {
    this.delayMs = options.delayMs ?? 10;
    this.maxPending = options.maxPending ?? 2_000;
    this.failures = new ThrottledLog(options.log);
    this.spill = options.spool?.lane(options.name, options.write);
  }

  add(key: string, value: Value): void {
    const older = this.pending.get(key);
    this.pending.set(key, older === undefined ? value : this.options.merge(older, value));
    if (this.pending.size >= this.maxPending) void this.flush();
    else if (!this.cancelDue) this.arm(this.delayMs);
  }

  /** The entry waiting for `key`, or being written, if any: a read must not fall between the two. */
  peek(key: string): Value | undefined {
    const waiting = this.pending.get(key);
    if (waiting !== undefined) return waiting;
    for (let i = this.writing.length - 1; i >= 0; i--) {
      const value = this.writing[i]?.get(key);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  /** Forgets the entry waiting for `key` (a newer write for it goes out directly). */
  discard(key: string): void {
    this.pending.delete(key);
  }

  get size(): number {
    return this.pending.size;
  }

  private arm(delayMs: number): void {
    if (delayMs === 0) {
      const immediate = setImmediate(() => void this.flush()).unref();
      this.cancelDue = () => clearImmediate(immediate);
    } else {
      const timer = setTimeout(() => void this.flush(), delayMs).unref();
      this.cancelDue = () => clearTimeout(timer);
    }
  }

  private disarm(): void {
    this.cancelDue?.();
    this.cancelDue = undefined;
  }

  /** Sends what is pending now; resolves once Redis has answered (or refused) it. */
  async flush(): Promise<void> {
    this.disarm();
    if (this.pending.size === 0) return this.flushing;
    const batch = this.pending;
    this.pending = new Map();
    this.writing.push(batch);
    const previous = this.flushing;
    const current = (async () => {
      await previous;
      try {
        await this.options.write(batch);
      } catch (error) {
        await this.giveBack(batch, error as Error);
      } finally {
        this.writing.splice(this.writing.indexOf(batch), 1);
      }
    })();
    this.flushing = current;
    await current;
    if (this.flushing === current) this.flushing = undefined;
  }

  /**
   * Writes what is pending; what Redis does not take even then goes to the spool
   * (or is dropped without one) rather than waiting for a retry that will not come.
   */
  async close(): Promise<void> {
    await this.flush();
    this.disarm();
    if (this.pending.size === 0) return;
    const left = this.pending;
    this.pending = new Map();
    await this.giveUp(left, 'the gate is stopping');
  }

  private async giveBack(batch: ReadonlyMap<string, Value>, error: Error): Promise<void> {
    if (!this.options.retry || this.pending.size + batch.size > this.maxPending) return this.giveUp(batch, error.message);
    this.failures.note(this.options.name, `${this.options.name}: ${batch.size} pending writes kept for a retry (${error.message})`);
    for (const [key, value] of batch) {
      const newer = this.pending.get(key);
      this.pending.set(key, newer === undefined ? value : this.options.merge(value, newer));
    }
    if (!this.cancelDue) this.arm(Math.max(this.delayMs, 100));
  }

  private async giveUp(batch: ReadonlyMap<string, Value>, why: string): Promise<void> {
    if (this.spill) {
      try {
        await this.spill.keep(batch);
        this.failures.note(this.options.name, `${this.options.name}: ${batch.size} pending writes kept in the local spool until Redis answers (${why})`);
        return;
      } catch (error) {
        why = `${why}; the spool could not keep them either: ${(error as Error).message}`;
      }
    }
    this.dropped += batch.size;
    this.failures.note(this.options.name, `${this.options.name}: ${batch.size} pending writes dropped (${why})`);
  }
}
