// What could not reach Redis (down, restarting) is appended to a local file
// (written before the caller is answered, with a synchronous write to the page
// cache: a few microseconds, with no wait behind the thread pool or a sync in
// progress; then synced to disk in the background, one fdatasync for whatever was
// written meanwhile), and replayed when Redis answers again. Review
// items use it (replay is idempotent: the enqueue script de-duplicates by listing
// and content, and a spooled item keeps the reviewId the caller was given), and so
// do list changes and reviewers' decisions (each with an id replay de-duplicates by).
import { appendFileSync, closeSync, existsSync, fdatasync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { promisify } from 'node:util';
import { access, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, privateDir } from '../config/private-dir.js';
import { PerTurnLimit } from './per-turn-limit.js';
import type { SpooledItem } from './review-item-input.js';

export type { SpooledItem } from './review-item-input.js';

const syncData = promisify(fdatasync);

/** Spooled review items in flight at once during the gate's replay (ReviewSpool.replay's `lanes`). */
export const REVIEW_REPLAY_LANES = 32;
/** Review items a replay starts per turn of the event loop at most (PerTurnLimit says why). */
export const REVIEW_REPLAY_ITEMS_PER_TURN = 4;

/**
 * Why an item is spooled: Redis refused it (down, restarting), Redis was too slow
 * for its budget, or it only joined the spool behind a replay (newItemsJoinReplay).
 */
export type SpoolCause = 'unreachable' | 'late' | 'behind-replay';

/**
 * Items spooled as late since the last replay that make it an outage's backlog.
 * Fewer are a stall (an fsync of the Redis disk past a check's budget: 5 of 67,865
 * here, each spooling the few review items waiting behind it); a replay of those
 * that held new items back spooled every review checked while it ran, and at
 * 2,000 checks/s one stall a second kept 14% of review items spooled.
 */
export const LATE_ITEMS_FOR_BACKLOG = 64;

/** One gate process per spool directory: two replaying one file would race. */
function takeLock(path: string): void {
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx', mode: PRIVATE_FILE_MODE });
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
  private readonly unreadablePath: string;
  private fd: number | undefined;
  /** Written since the last fdatasync began. */
  private unsynced = false;
  private syncing: Promise<void> | undefined;
  private replaying = false;
  /**
   * Items were spooled because Redis could not take them (down, or too slow for
   * their budget), not only to wait behind a replay. At start, true if a previous
   * process left items in the spool: they are such a backlog.
   */
  private backlogFromOutage: boolean;
  /** Items spooled as late since the last replay began (LATE_ITEMS_FOR_BACKLOG). */
  private lateSinceReplay = 0;
  /** The running replay takes such a backlog: new items join the spool behind it. */
  private replayingBacklog = false;
  private readonly joinsObservers: Array<(joins: boolean) => void> = [];
  spooled = 0;
  replayed = 0;
  /** Lines a replay could not read (set aside in `<name>.unreadable.jsonl`). */
  unreadable = 0;

  constructor(dir: string, name = 'review-spool') {
    // Spooled items hold listings and reviewers' decisions: the gate's OS user only (issue 30).
    privateDir(dir);
    this.path = join(dir, `${name}.jsonl`);
    this.replayPath = join(dir, `${name}.replaying.jsonl`);
    this.unreadablePath = join(dir, `${name}.unreadable.jsonl`);
    takeLock(join(dir, 'spool.lock'));
    this.backlogFromOutage = [this.path, this.movingPath, this.replayPath].some((path) => existsSync(path));
  }

  /**
   * Resolves once the entry is written (the kernel holds it: a crash of this
   * process loses nothing); the sync to disk, which only a crash of the machine
   * itself could beat, follows without holding the caller. `cause`: an item Redis
   * refused makes the next replay an outage's backlog, as do
   * LATE_ITEMS_FOR_BACKLOG late ones; items that only joined the spool behind a
   * replay never do.
   */
  append(item: T, cause: SpoolCause = 'unreachable'): Promise<void> {
    try {
      this.fd ??= openSync(this.path, 'a', PRIVATE_FILE_MODE);
      writeSync(this.fd, `${JSON.stringify(item)}\n`);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    this.spooled++;
    if (cause === 'unreachable') this.backlogFromOutage = true;
    else if (cause === 'late' && ++this.lateSinceReplay >= LATE_ITEMS_FOR_BACKLOG) this.backlogFromOutage = true;
    this.unsynced = true;
    this.syncing ??= this.syncLoop().finally(() => {
      this.syncing = undefined;
    });
    return Promise.resolve();
  }

  private async syncLoop(): Promise<void> {
    while (this.unsynced && this.fd !== undefined) {
      this.unsynced = false;
      await syncData(this.fd).catch(() => undefined); // the write already happened; a failed sync is retried with the next
    }
  }

  /** Waits until everything written is synced. */
  private async flush(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  /** The next append opens the file again. */
  private closeFile(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  /**
   * Moves the spool aside and enqueues every item in it; items that fail again go
   * back into the spool. Returns how many were replayed. `lanes` items are in
   * flight at once (default 1: in order, as list changes need). Review items are
   * independent of each other and replay with many: one at a time, each waiting
   * for its own write and fsync in Redis, a replay took 1,400-2,100 items/s here (5,500 with 32 lanes), fewer than
   * a busy gate spools meanwhile, so it never caught up while the load lasted.
   * `itemsPerTurn` bounds how many items start in one turn of the event loop, so
   * that the checks arriving meanwhile are read between them (PerTurnLimit).
   */
  async replay(enqueue: (item: T) => Promise<unknown>, lanes = 1, itemsPerTurn = Infinity): Promise<number> {
    if (this.replaying) return 0;
    this.replaying = true;
    this.replayingBacklog = this.backlogFromOutage;
    this.backlogFromOutage = false;
    this.lateSinceReplay = 0;
    if (this.replayingBacklog) this.tellJoins(true);
    try {
      // Crash-safe hand-over: whatever was spooled is moved (rename) and merged
      // into the replay file, which is only removed once every item is queued.
      await this.mergeInto(this.movingPath); // a hand-over a crash interrupted
      await this.flush();
      // Closed and moved in one synchronous step: an append can neither slip in
      // between nor keep writing, through an open descriptor, to the moved file.
      this.closeFile();
      if (existsSync(this.path)) {
        renameSync(this.path, this.movingPath);
        await this.mergeInto(this.movingPath);
      }
      if (!(await exists(this.replayPath))) return 0;
      // Lines are decoded one at a time, as the lanes take them: decoding and
      // splitting the whole file at once stalled the event loop for a time that
      // grows with the outage (8 ms for 2,800 items here), just as Redis returned
      // and the checks waiting on it were near their deadlines.
      const bytes = await readFile(this.replayPath);
      let at = 0;
      const nextLine = (): string | undefined => {
        while (at < bytes.length) {
          const newline = bytes.indexOf(0x0a, at);
          const end = newline === -1 ? bytes.length : newline;
          const line = bytes.toString('utf8', at, end);
          at = end + 1;
          if (line.trim() !== '') return line;
        }
        return undefined;
      };
      let done = 0;
      const limit = Number.isFinite(itemsPerTurn) ? new PerTurnLimit(itemsPerTurn) : undefined;
      const lane = async (): Promise<void> => {
        for (let line = nextLine(); line !== undefined; line = nextLine()) {
          if (limit) await limit.take();
          let item: T;
          try {
            item = JSON.parse(line) as T;
          } catch {
            // A line torn by a crash of the machine mid-write: kept aside for a person,
            // rather than stopping every replay after it for good.
            appendFileSync(this.unreadablePath, `${line}\n`, { mode: PRIVATE_FILE_MODE });
            this.unreadable++;
            continue;
          }
          try {
            await enqueue(item);
            done++;
          } catch {
            await this.append(item); // still unreachable: back into the spool
          }
        }
      };
      // Every lane ends before the replay does (and before another may start); a lane
      // that failed (the spool could not be written) fails the replay, whose file stays.
      const ended = await Promise.allSettled(Array.from({ length: Math.max(1, lanes) }, lane));
      const failed = ended.find((lane): lane is PromiseRejectedResult => lane.status === 'rejected');
      if (failed) throw failed.reason;
      await rm(this.replayPath, { force: true });
      this.replayed += done;
      return done;
    } finally {
      const joined = this.replayingBacklog;
      this.replaying = false;
      this.replayingBacklog = false;
      if (joined) this.tellJoins(false);
    }
  }

  /** Calls `observer` with newItemsJoinReplay now and whenever it changes (check threads queue review items themselves). */
  observeJoins(observer: (joins: boolean) => void): void {
    this.joinsObservers.push(observer);
    observer(this.newItemsJoinReplay);
  }

  private tellJoins(joins: boolean): void {
    for (const observer of this.joinsObservers) observer(joins);
  }

  private get movingPath(): string {
    return `${this.path}.moving`;
  }

  private async mergeInto(source: string): Promise<void> {
    if (!(await exists(source))) return;
    const replay = await open(this.replayPath, 'a', PRIVATE_FILE_MODE);
    try {
      await replay.appendFile(await readFile(source));
      await replay.datasync();
    } finally {
      await replay.close();
    }
    await rm(source, { force: true });
  }

  /** True while a replay runs (gate_review_spool_replaying). */
  get replayInProgress(): boolean {
    return this.replaying;
  }

  /**
   * True while a replay takes a backlog left by an outage: Redis has just come
   * back and is busy taking it, so a new item joins the spool behind the older
   * ones rather than making its caller wait on Redis (the next replay, within a
   * second, takes it). A replay of nothing but such late joiners does not hold
   * new items: under a steady flow of reviews every replay would catch a few
   * more, and the spool would never let go.
   */
  get newItemsJoinReplay(): boolean {
    return this.replaying && this.replayingBacklog;
  }

  /** True when items wait to be replayed. */
  async pending(): Promise<boolean> {
    return (await exists(this.path)) || (await exists(this.replayPath)) || (await exists(this.movingPath));
  }

  async close(): Promise<void> {
    await this.flush();
    this.closeFile();
  }
}
