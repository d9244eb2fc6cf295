// A check's bookkeeping (verdict records, figures, block causes, ring links) that
// Redis did not take and that could not wait in memory any longer — Redis down for
// longer than a write-behind keeps a batch, or the gate stopping meanwhile — is kept
// in the local spool folder, a file per kind, and written when Redis answers again,
// by this gate or the next one started on the same GATE_DATA_DIR.
import { ReviewSpool } from '../review/review-spool.js';

/** One batch as a spool line: its entries, key then value. */
type SpooledBatch = Array<[string, unknown]>;

/** Where one write-behind keeps the batches it gives up on. */
export interface BatchSpill<Value> {
  /** Appends the batch to the spool file (written before this resolves; synced to disk after); rejects if the file cannot be written. */
  keep(batch: ReadonlyMap<string, Value>): Promise<void>;
}

interface Lane {
  name: string;
  spool: ReviewSpool<SpooledBatch>;
  write: (batch: ReadonlyMap<string, unknown>) => Promise<void>;
}

export class BookkeepingSpool {
  private readonly lanes: Lane[] = [];
  /** Entries kept on disk, and entries written to Redis from the disk, since start, by kind ('verdict-record'…; for /metrics). */
  readonly spooled = new Map<string, number>();
  readonly replayed = new Map<string, number>();

  constructor(private readonly dir: string) {}

  /**
   * The spool of the write-behind named `name` (its file is named after it), whose
   * `write` takes its batches back. Values are kept as JSON: what JSON cannot carry
   * (a callback) is not replayed.
   */
  lane<Value>(name: string, write: (batch: ReadonlyMap<string, Value>) => Promise<void>): BatchSpill<Value> {
    // 'verdict records' → 'verdict-record', as gate_bookkeeping_dropped_total labels them.
    const what = name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/s$/, '');
    if (this.lanes.some((lane) => lane.name === what)) throw new Error(`two write-behinds named "${name}" share one bookkeeping spool`);
    const lane: Lane = { name: what, spool: new ReviewSpool<SpooledBatch>(this.dir, `bookkeeping-${what}`), write: write as Lane['write'] };
    this.lanes.push(lane);
    this.spooled.set(what, 0);
    this.replayed.set(what, 0);
    return {
      keep: async (batch) => {
        await lane.spool.append([...batch]);
        this.spooled.set(what, (this.spooled.get(what) ?? 0) + batch.size);
      },
    };
  }

  /** Writes what every lane kept back to Redis; a batch Redis refuses again stays in its file. Returns the entries written. */
  async replay(): Promise<number> {
    let written = 0;
    for (const lane of this.lanes) {
      if (!(await lane.spool.pending())) continue;
      await lane.spool.replay(async (line) => {
        await lane.write(new Map(line));
        written += line.length;
        this.replayed.set(lane.name, (this.replayed.get(lane.name) ?? 0) + line.length);
      });
    }
    return written;
  }

  /** True when any lane holds entries not yet written back. */
  async pending(): Promise<boolean> {
    for (const lane of this.lanes) if (await lane.spool.pending()) return true;
    return false;
  }

  /** Spooled lines a replay could not read (set aside by ReviewSpool). */
  get unreadable(): number {
    return this.lanes.reduce((sum, lane) => sum + lane.spool.unreadable, 0);
  }

  async close(): Promise<void> {
    for (const lane of this.lanes) await lane.spool.close();
  }
}
