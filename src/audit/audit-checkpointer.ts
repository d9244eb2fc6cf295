// Writes the signed checkpoints of the audit chain (issue 30 point 4): after so
// many records appended by this gate, and every so many seconds while any gate
// appended. A checkpoint vouches only for records it checked: those after the
// previous checkpoint are verified under the key first, so a record rewritten in
// Redis is never signed. A gate that finds the chain broken writes none and says so.
import { chainProblem, GENESIS, type ChainedRow, type ChainLink } from './audit-chain.js';
import type { AuditCheckpoint, AuditCheckpointFile } from './audit-checkpoint-file.js';
import type { GateLog } from '../observability/gate-logger.js';

/** When checkpoints are written, and where (outside Redis). */
export interface AuditCheckpointSettings {
  /** The append-only file of signed checkpoints. Default GATE_DATA_DIR/audit/checkpoints.jsonl. */
  readonly checkpointFile: string;
  /** A checkpoint after this many records appended by this gate. Default 100. */
  readonly checkpointEvery: number;
  /** And this often while records were appended by any gate, in seconds. Default 60. */
  readonly checkpointSeconds: number;
}

export class AuditCheckpointer {
  private latest: AuditCheckpoint | undefined;
  private latestRead = false;
  private appendedSince = 0;
  private running: Promise<AuditCheckpoint | undefined> | undefined;
  private queued: Promise<AuditCheckpoint | undefined> | undefined;
  private lastProblem: string | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly file: AuditCheckpointFile,
    private readonly key: Buffer,
    private readonly settings: AuditCheckpointSettings,
    /** The stream's records after an id ('-': from the start), in order. */
    private readonly rowsAfter: (id: string) => AsyncIterable<ChainedRow>,
    private readonly log: GateLog,
  ) {
    this.timer = setInterval(
      () => void this.checkpoint().catch((error: unknown) => this.log.warn(`audit checkpoint: ${(error as Error).message}`)),
      settings.checkpointSeconds * 1000,
    );
    this.timer.unref();
  }

  /** Told after each record this gate appended. */
  appended(): void {
    if (++this.appendedSince >= this.settings.checkpointEvery)
      void this.checkpoint().catch((error: unknown) => this.log.warn(`audit checkpoint: ${(error as Error).message}`));
  }

  /** Checks the records after the latest checkpoint and signs where they end; the latest checkpoint, undefined when there is none or the chain is broken. */
  checkpoint(): Promise<AuditCheckpoint | undefined> {
    // One at a time. A call meanwhile gets the next one, which starts after it and
    // so covers what it was called after; calls until that one starts share it
    // (appends faster than an fsync would otherwise queue a write each).
    if (this.queued !== undefined) return this.queued;
    const next = (this.running ?? Promise.resolve(undefined))
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.write();
      });
    this.queued = next;
    this.running = next;
    return next;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    // Records appended since the last checkpoint get one before the gate stops.
    if (this.appendedSince > 0) await this.checkpoint();
    else await this.running;
  }

  private async write(): Promise<AuditCheckpoint | undefined> {
    this.appendedSince = 0;
    if (!this.latestRead) {
      this.latest = (await this.file.read()).checkpoints.at(-1);
      this.latestRead = true;
    }
    const latest = this.latest;
    let before: ChainLink | undefined = latest === undefined ? undefined : { n: latest.count, hash: latest.headHash };
    let last: ChainedRow | undefined;
    for await (const row of this.rowsAfter(latest?.lastId ?? '-')) {
      // Without a checkpoint, the chain is anchored at its genesis only: a trimmed stream cannot be vouched for.
      before ??= row.n === 1 ? { n: 0, hash: GENESIS } : undefined;
      const problem = before === undefined ? `the stream starts at record ${row.n} and no checkpoint vouches for it` : chainProblem(this.key, before, row);
      if (problem !== undefined) {
        // Said once per problem: the timer would repeat it every interval.
        if (problem !== this.lastProblem) this.log.error(`audit chain: ${problem}; no checkpoint written (GET /v1/admin/audit/verify)`);
        this.lastProblem = problem;
        return undefined;
      }
      before = { n: row.n, hash: row.hash };
      last = row;
    }
    if (last === undefined) return latest;
    const checkpoint: AuditCheckpoint = { count: last.n, lastId: last.id, headHash: last.hash, at: new Date().toISOString() };
    await this.file.append(checkpoint);
    this.latest = checkpoint;
    this.lastProblem = undefined;
    return checkpoint;
  }
}
