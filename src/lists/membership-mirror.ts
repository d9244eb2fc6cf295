// An in-process table (list-membership.ts) of the members of one or more Redis
// sets, kept in step so that the publish path can answer "not a member" without
// asking Redis. It is loaded whole by scanning the sets, learns announced members
// as they come, and is reloaded whenever messages may have been missed (the
// subscription reconnected, a bulk write was announced as such) and every
// `resyncMs`. Until a load has completed, and after a doubt (a bulk write, an
// unreadable message), it is not complete: callers must then ask Redis. A member
// taken out of a set stays in the table (it may share its hash with one still in)
// until the next reload: a "maybe" that the caller's exact path answers.
import { ListMembership, type MembershipSnapshot } from './list-membership.js';
import type { GateLog } from '../observability/gate-logger.js';

/** What a copy of the table elsewhere (a check thread's) must apply to stay the same. */
export type MirrorChange = { kind: 'table'; snapshot: MembershipSnapshot } | { kind: 'learn'; member: [string, string] } | { kind: 'incomplete' };

/** Adds every member of the mirrored sets to the table given; throws if Redis cannot answer. */
export type ScanMembers = (add: (kind: string, value: string) => void) => Promise<void>;

export interface MembershipMirrorOptions {
  /** Reads the mirrored sets whole. */
  scan: ScanMembers;
  /** The table is reloaded this often, besides on doubts. */
  resyncMs: number;
  log: GateLog;
  /** Names the table in log lines. */
  name: string;
  /** A failed reload is tried again after this long; 1 s unless given. */
  retryMs?: number;
}

const RELOAD_RETRY_MS = 1000;

export class MembershipMirror {
  private table = new ListMembership();
  private complete = false;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  /** Members announced while a reload scans, added to the new table before it serves. */
  private announcedDuringReload: Array<[string, string]> | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  private readonly observers: Array<(change: MirrorChange) => void> = [];

  constructor(private readonly options: MembershipMirrorOptions) {}

  /** Calls `observer` with the table as it is now, then with every change until the returned function is called. */
  observe(observer: (change: MirrorChange) => void): () => void {
    this.observers.push(observer);
    observer(this.complete ? { kind: 'table', snapshot: this.table.snapshot() } : { kind: 'incomplete' });
    return () => {
      const at = this.observers.indexOf(observer);
      if (at >= 0) this.observers.splice(at, 1);
    };
  }

  private tell(change: () => MirrorChange): void {
    if (this.observers.length === 0) return;
    const made = change();
    for (const observer of this.observers) observer(made);
  }

  /** Loads the table now and every `resyncMs`. */
  start(): void {
    void this.reload();
    this.resyncTimer = setInterval(() => void this.reload(), this.options.resyncMs);
    this.resyncTimer.unref();
  }

  close(): void {
    clearInterval(this.resyncTimer);
    clearTimeout(this.retryTimer);
  }

  get isComplete(): boolean {
    return this.complete;
  }

  get size(): number {
    return this.table.size;
  }

  /** False only when the table is complete and the value is surely not a member. */
  mightContain(kind: string, value: string): boolean {
    return !this.complete || this.table.mightContain(kind, value);
  }

  /** A member was added or removed somewhere: from now on it is a "maybe" here. */
  learn(kind: string, value: string): void {
    this.table.add(kind, value);
    this.announcedDuringReload?.push([kind, value]);
    this.tell(() => ({ kind: 'learn', member: [kind, value] }));
  }

  /**
   * The subscription reconnected, so messages may have been missed: reload, while
   * the table keeps serving as it did through the disconnection (until then it
   * answered from what it had; trusting it for the reload too adds only the
   * reload's duration, and spares the publish path asking a Redis that is just
   * back and busy catching up).
   */
  refresh(): void {
    void this.reload();
  }

  /** The sets were written in bulk or a message was unreadable: stop trusting the table and reload it. */
  distrust(): void {
    this.complete = false;
    this.tell(() => ({ kind: 'incomplete' }));
    void this.reload();
  }

  /** Marks the table incomplete until the reload that a message on its way will start. */
  suspend(): void {
    this.complete = false;
    this.tell(() => ({ kind: 'incomplete' }));
  }

  /**
   * Reads the sets into a new table while the old one (if complete) keeps
   * serving. Overlapping calls make one more reload, not one each.
   */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        this.announcedDuringReload = [];
        try {
          const next = new ListMembership();
          await this.options.scan((kind, value) => next.add(kind, value));
          for (const [kind, value] of this.announcedDuringReload) next.add(kind, value);
          this.table = next;
          this.complete = true;
          this.tell(() => ({ kind: 'table', snapshot: next.snapshot() }));
        } catch (error) {
          // Redis is away (or this connection is not back yet): tried again every
          // second until a reload succeeds. Meanwhile an incomplete table sends
          // callers to Redis (they degrade); a complete one (refresh after a
          // reconnect) keeps serving, and must not wait for the next resync to
          // learn what was written while the subscription was down.
          this.options.log.warn(`${this.options.name} table not reloaded: ${(error as Error).message}`);
          if (!this.retryTimer) {
            this.retryTimer = setTimeout(() => {
              this.retryTimer = undefined;
              void this.reload();
            }, this.options.retryMs ?? RELOAD_RETRY_MS);
            this.retryTimer.unref();
          }
        } finally {
          this.announcedDuringReload = undefined;
        }
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }
}
