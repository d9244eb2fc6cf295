// What could not reach Redis (down, restarting) is appended to a local file
// (written before the caller is answered, synced to disk right after: one
// fdatasync for every entry of the same turn), and replayed when Redis answers again. Review
// items use it (replay is idempotent: the enqueue script de-duplicates by listing
// and content, and a spooled item keeps the reviewId the caller was given), and so
// do list changes and reviewers' decisions (each with an id replay de-duplicates by).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { access, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReviewItemInput } from './review-queue.js';

export type SpooledItem = ReviewItemInput & { reviewId: string };

/** One gate process per spool directory: two replaying one file would race. */
function takeLock(path: string): void {
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    return;
  } catch {
    const holder = Number(readFileSync(path, 'utf8').trim());
    let alive = false;
    try {
      if (holder > 0 && holder !== process.pid) {
        process.kill(holder, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (alive) throw new Error(`the review spool in ${path} belongs to running process ${holder}; give each gate instance its own GATE_DATA_DIR`);
    writeFileSync(path, String(process.pid));
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export class ReviewSpool<T = SpooledItem> {
  private readonly path: string;
  private readonly replayPath: string;
  private handle: FileHandle | undefined;
  private waiting: Array<{ line: string; resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing = false;
  private replaying = false;
  spooled = 0;
  replayed = 0;

  constructor(dir: string, name = 'review-spool') {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `${name}.jsonl`);
    this.replayPath = join(dir, `${name}.replaying.jsonl`);
    takeLock(join(dir, 'spool.lock'));
  }

  /** Resolves once the entry is on disk. */
  append(item: T): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ line: `${JSON.stringify(item)}\n`, resolve, reject });
      if (!this.flushing) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          this.handle ??= await open(this.path, 'a');
          await this.handle.appendFile(batch.map((b) => b.line).join(''));
          this.spooled += batch.length;
          // Written: the kernel holds it, so a crash of this process loses nothing,
          // and the caller is answered within its deadline. The sync to disk (which
          // only a crash of the machine itself could beat) follows without holding it.
          for (const b of batch) b.resolve();
          await this.handle.datasync();
        } catch (error) {
          for (const b of batch) b.reject(error as Error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Moves the spool aside and enqueues every item in it; items that fail again go
   * back into the spool. Returns how many were replayed.
   */
  async replay(enqueue: (item: T) => Promise<unknown>): Promise<number> {
    if (this.replaying) return 0;
    this.replaying = true;
    try {
      await this.flush();
      await this.handle?.close();
      this.handle = undefined;
      // Crash-safe hand-over: whatever was spooled is moved (rename) and merged
      // into the replay file, which is only removed once every item is queued.
      await this.mergeInto(this.movingPath); // a hand-over a crash interrupted
      if (await exists(this.path)) {
        await rename(this.path, this.movingPath);
        await this.mergeInto(this.movingPath);
      }
      if (!(await exists(this.replayPath))) return 0;
      const text = await readFile(this.replayPath, 'utf8');
      let done = 0;
      for (const line of text.split('\n')) {
        if (line.trim() === '') continue;
        const item = JSON.parse(line) as T;
        try {
          await enqueue(item);
          done++;
        } catch {
          await this.append(item); // still unreachable: back into the spool
        }
      }
      await rm(this.replayPath, { force: true });
      this.replayed += done;
      return done;
    } finally {
      this.replaying = false;
    }
  }

  private get movingPath(): string {
    return `${this.path}.moving`;
  }

  private async mergeInto(source: string): Promise<void> {
    if (!(await exists(source))) return;
    const replay = await open(this.replayPath, 'a');
    try {
      await replay.appendFile(await readFile(source));
      await replay.datasync();
    } finally {
      await replay.close();
    }
    await rm(source, { force: true });
  }

  /** True when items wait to be replayed. */
  async pending(): Promise<boolean> {
    return this.waiting.length > 0 || (await exists(this.path)) || (await exists(this.replayPath)) || (await exists(this.movingPath));
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }
}
