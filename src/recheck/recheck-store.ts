// Re-check jobs in Redis (docs/rechecks.md): made, read, listed, paused, resumed,
// cancelled, leased and advanced, each a single command or script so that any
// instance can do any of it and a job outlives every instance.
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';
import type { RecheckKeys } from '../redis/redis-keys.js';
import { recheckJobView, type RecheckJobView, type RecheckState } from './recheck-job.js';
import { parseScope, scopeSummary, type RecheckScope } from './recheck-scope.js';

export type StateAction = 'pause' | 'resume' | 'cancel';

/** A source entry as XRANGE gives it: id and fields (names and values alternating). */
export type SourceEntry = [id: Buffer, fields: Buffer[]];

/** One batch's emission (advance-recheck.lua). */
export interface RecheckAdvance {
  id: string;
  token: string;
  from: string;
  to: string;
  entries: number;
  rate: number;
  finished: boolean;
  /** Hash fields to increment (`changed:allow->block`, `unrecorded`, `invalid`, `outOfScope`). */
  counts: ReadonlyMap<string, number>;
  records: ReadonlyArray<RecheckRecord>;
}

export interface RecheckRecord {
  entryId: string;
  listingId: string;
  /** '' when the listing had no recorded verdict. */
  previous: string;
  /** '' for a bad entry (then `payload` is its error). */
  verdict: string;
  changed: boolean;
  /** The response or the error, JSON. */
  payload: string;
  /** The webhook event, JSON; undefined for none. */
  event?: string;
}

/** What the advance said: emitted, or why not (the cursor had moved, the lease is another's, the job is not running). */
export type AdvanceOutcome = { status: 'emitted'; done: number; state: RecheckState } | { status: 'moved' | 'lease-lost' | 'not-running' };

export interface RecheckStoreOptions {
  /** Seconds a job is kept after its last change (GATE_RETENTION_DAYS). */
  retentionSeconds: number;
  verdictsMaxLen: number;
  /** Whether webhook events are appended to the outbox (a webhook URL is configured). */
  webhooks: boolean;
}

/** The most jobs GET /v1/admin/rechecks lists, newest first. */
export const LISTED_JOBS = 100;

export class RecheckStore {
  private readonly createScript: (
    job: string,
    index: string,
    source: string,
    scope: string,
    id: string,
    now: number,
    ttl: number,
    onlyChanged: string,
    kind: string,
    trigger: string,
    scopeJson: string,
    summary: string,
  ) => Promise<[number, string]>;
  private readonly advanceScript: (...keysThenArgs: Array<string | number>) => Promise<[number, number, string]>;
  private readonly stateScript: (job: string, scope: string, action: string, now: number, ttl: number) => Promise<[number, string]>;
  private readonly leaseScript: (lease: string, token: string, ms: number) => Promise<number>;

  constructor(
    private readonly redis: Redis,
    readonly keys: RecheckKeys,
    private readonly outbox: string,
    private readonly options: RecheckStoreOptions,
  ) {
    this.createScript = luaCommand(redis, 'create-recheck', 4);
    this.advanceScript = luaCommand(redis, 'advance-recheck', 6);
    this.stateScript = luaCommand(redis, 'set-recheck-state', 2);
    this.leaseScript = luaCommand(redis, 'hold-recheck-lease', 1);
  }

  /** Makes a job over `source` (its entries now), scoped to a change or not; returns its total. */
  async create(
    id: string,
    source: string,
    kind: 'stream' | 'upload',
    onlyChanged: boolean,
    trigger: Record<string, unknown> | undefined,
    scope?: RecheckScope,
  ): Promise<number> {
    const [total] = await this.createScript(
      this.keys.job(id),
      this.keys.index,
      source,
      this.keys.scope(id),
      id,
      Date.now(),
      this.options.retentionSeconds,
      onlyChanged ? '1' : '0',
      kind,
      trigger ? JSON.stringify(trigger) : '',
      scope ? JSON.stringify(scope) : '',
      scope ? JSON.stringify(scopeSummary(scope)) : '',
    );
    return Number(total);
  }

  /** The job's scope; undefined for a job over every listing. Throws when the job says it has one that is gone or unreadable. */
  async scope(id: string, fields: Record<string, string>): Promise<RecheckScope | undefined> {
    if (!fields.scope) return undefined;
    const json = await this.redis.get(this.keys.scope(id));
    if (json === null) throw new Error(`the scope of re-check ${id} is gone`);
    return parseScope(json);
  }

  /** Entries of a stream now (0 when it does not exist); throws for a key that is not a stream. */
  async sourceLength(stream: string): Promise<number> {
    return this.redis.xlen(stream);
  }

  async fields(id: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.keys.job(id));
  }

  async get(id: string): Promise<RecheckJobView | undefined> {
    return recheckJobView(await this.fields(id), this.keys.verdicts(id));
  }

  /** The newest jobs still kept, newest first. */
  async list(): Promise<RecheckJobView[]> {
    const ids = await this.redis.zrevrange(this.keys.index, 0, LISTED_JOBS - 1);
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hgetall(this.keys.job(id));
    const rows = (await pipeline.exec()) ?? [];
    return rows.flatMap(([error, fields], i) => {
      if (error) throw error;
      const view = recheckJobView(fields as Record<string, string>, this.keys.verdicts(ids[i] as string));
      return view ? [view] : [];
    });
  }

  /** Ids of running jobs, oldest first. */
  async running(): Promise<string[]> {
    const ids = await this.redis.zrange(this.keys.index, 0, -1);
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.job(id), 'state');
    const rows = (await pipeline.exec()) ?? [];
    return ids.filter((_, i) => rows[i]?.[1] === 'running');
  }

  /** { changed, state }: changed false when the job's state does not allow the action; undefined when there is no such job. */
  async setState(id: string, action: StateAction): Promise<{ changed: boolean; state: RecheckState } | undefined> {
    const [status, state] = await this.stateScript(this.keys.job(id), this.keys.scope(id), action, Date.now(), this.options.retentionSeconds);
    if (status === -1) return undefined;
    return { changed: status === 1, state: state as RecheckState };
  }

  /** Takes the job's lease if nobody holds it. */
  async takeLease(id: string, token: string, ms: number): Promise<boolean> {
    return (await this.redis.set(this.keys.lease(id), token, 'PX', ms, 'NX')) === 'OK';
  }

  /** Renews the lease (ms > 0) or releases it (0); false when the caller no longer holds it. */
  async holdLease(id: string, token: string, ms: number): Promise<boolean> {
    return (await this.leaseScript(this.keys.lease(id), token, ms)) === 1;
  }

  /** Up to `count` entries of `source` after `cursor`, up to `endId`. */
  async read(source: string, cursor: string, endId: string, count: number): Promise<SourceEntry[]> {
    return (await this.redis.xrangeBuffer(source, `(${cursor}`, endId, 'COUNT', count)) as unknown as SourceEntry[];
  }

  async advance(batch: RecheckAdvance): Promise<AdvanceOutcome> {
    const { keys, options } = this;
    const args: Array<string | number> = [
      keys.job(batch.id),
      keys.lease(batch.id),
      keys.verdicts(batch.id),
      this.outbox,
      keys.upload(batch.id),
      keys.scope(batch.id),
    ];
    args.push(
      batch.token,
      batch.from,
      batch.to,
      batch.entries,
      Date.now(),
      Math.round(batch.rate),
      options.verdictsMaxLen,
      options.webhooks ? '1' : '0',
      options.retentionSeconds,
      batch.finished ? '1' : '0',
      batch.counts.size,
    );
    for (const [field, by] of batch.counts) args.push(field, by);
    for (const r of batch.records) args.push(r.entryId, r.listingId, r.previous, r.verdict, r.changed ? '1' : '0', r.payload, r.event ?? '');
    const [status, done, state] = await this.advanceScript(...args);
    if (status === 1) return { status: 'emitted', done: Number(done), state: state as RecheckState };
    return { status: status === 0 ? 'moved' : status === -1 ? 'lease-lost' : 'not-running' };
  }
}
