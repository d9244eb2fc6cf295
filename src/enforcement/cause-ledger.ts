// What caused each block (a rule, a list entry, a banked item, an indicator, a
// brand's price floor), with how many of its blocks were overturned by reviewers
// or appeals. A cause whose overturned share passes the configured rate, over
// enough blocks to judge, is demoted: it can still send a listing to review but
// no longer block it on its own. Demotions are live on every instance and
// reported to admins (audit log and /v1/admin/demotions).
import type { Redis } from 'ioredis';
import type { AuditLog } from '../audit/audit-log.js';
import type { Reason } from '../gate/reason.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { BookkeepingSpool } from '../redis/bookkeeping-spool.js';
import { FIGURES_GATHER_MS, HashCounters } from '../redis/hash-counters.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface DemotionPolicy {
  /** Overturned share of a cause's blocks above which it is demoted (0-1). */
  maxOverturnedShare: number;
  /** Blocks a cause needs before its share is judged. */
  minBlocks: number;
}

export interface Demotion {
  cause: string;
  blocks: number;
  overturned: number;
  demotedAt: string;
}

/** The cause of a reason, or undefined for reasons that are not causes (degraded, ring). */
export function causeOf(reason: Reason): string | undefined {
  switch (reason.code) {
    case 'blocklist_seller':
    case 'blocklist_shop':
    case 'blocklist_identity':
      return `list:${reason.field ?? ''}:${reason.ref}`;
    case 'indicator':
    case 'indicator_with_brand':
      return `indicator:${reason.ref}`;
    case 'rule':
      return `rule:${reason.ref}`;
    case 'brand_below_floor':
      return `floor:${reason.ref}`;
    case 'text_fingerprint':
      return `text:${reason.ref}`;
    case 'image_fingerprint':
      return `image:${reason.ref}`;
    default:
      return undefined;
  }
}

export function causesOf(reasons: readonly Reason[]): string[] {
  return [...new Set(reasons.map(causeOf).filter((c): c is string => c !== undefined))];
}

export class CauseLedger {
  private demotedNow = new Set<string>();
  /** The publish path's block counts, written together every few milliseconds. */
  private readonly blocksLater: HashCounters;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly policy: DemotionPolicy,
    private readonly audit: AuditLog,
    private readonly log: GateLog,
    spool?: BookkeepingSpool,
  ) {
    this.blocksLater = new HashCounters(redis, 'block causes', log, FIGURES_GATHER_MS, undefined, spool);
  }

  /** The causes demoted right now (read on the publish path; kept in memory). */
  get demoted(): ReadonlySet<string> {
    return this.demotedNow;
  }

  private readonly observers: Array<(demoted: ReadonlySet<string>) => void> = [];

  /** Calls `observer` with the demoted causes now and whenever they are reloaded (check threads keep a copy), until the returned function is called. */
  observe(observer: (demoted: ReadonlySet<string>) => void): () => void {
    this.observers.push(observer);
    observer(this.demotedNow);
    return () => {
      const at = this.observers.indexOf(observer);
      if (at >= 0) this.observers.splice(at, 1);
    };
  }

  private tellObservers(): void {
    for (const observer of this.observers) observer(this.demotedNow);
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string) => {
      if (channel === this.keys.demotionChanges) void this.reload();
    });
    subscriber.on('ready', () => void this.reload());
    await subscriber.subscribe(this.keys.demotionChanges);
    await this.reload();
  }

  private async reload(): Promise<void> {
    try {
      this.demotedNow = new Set(await this.redis.hkeys(this.keys.demotedCauses));
      this.tellObservers();
    } catch (error) {
      this.log.warn(`demoted causes not reloaded: ${(error as Error).message}`);
    }
  }

  /** Counts a block against each of its causes, written with the other counts of the next few milliseconds. */
  countBlockLater(causes: readonly string[]): void {
    for (const cause of causes) this.blocksLater.add(this.keys.causeBlocks, cause);
  }

  /** Block counts given up on while Redis could not take them, for /metrics. */
  get droppedCounts(): number {
    return this.blocksLater.dropped;
  }

  /** Writes the block counts still waiting (on shutdown, and before an overturn is weighed against them). */
  flush(): Promise<void> {
    return this.blocksLater.flush();
  }

  /** Writes the block counts still waiting, or keeps them in the spool (on shutdown). */
  close(): Promise<void> {
    return this.blocksLater.close();
  }

  /** Counts an overturned block against each of its causes and demotes those past the rate. */
  async countOverturn(causes: readonly string[], by: string): Promise<Demotion[]> {
    await this.blocksLater.flush();
    const demoted: Demotion[] = [];
    for (const cause of causes) {
      const overturned = await this.redis.hincrby(this.keys.causeOverturns, cause, 1);
      const blocks = Number((await this.redis.hget(this.keys.causeBlocks, cause)) ?? 0);
      const judged = Math.max(blocks, overturned);
      if (judged < this.policy.minBlocks || overturned / judged <= this.policy.maxOverturnedShare) continue;
      const demotion: Demotion = { cause, blocks: judged, overturned, demotedAt: new Date().toISOString() };
      if ((await this.redis.hsetnx(this.keys.demotedCauses, cause, JSON.stringify(demotion))) === 0) continue;
      demoted.push(demotion);
      await this.audit.record({
        who: 'gate',
        what: 'cause:demote',
        subject: cause,
        why: `${overturned} of ${judged} blocks overturned (last by ${by})`,
        details: demotion,
      });
      this.log.info(`demoted ${cause} to review-only: ${overturned} of ${judged} blocks overturned`);
    }
    if (demoted.length > 0) {
      for (const d of demoted) this.demotedNow.add(d.cause);
      this.tellObservers();
      await this.redis.publish(this.keys.demotionChanges, 'demote');
    }
    return demoted;
  }

  /** Blocks and overturned blocks of each cause (written counts first). */
  async counts(causes: readonly string[]): Promise<Map<string, { blocks: number; overturned: number }>> {
    if (causes.length === 0) return new Map();
    await this.blocksLater.flush();
    const [blocks, overturned] = await Promise.all([this.redis.hmget(this.keys.causeBlocks, ...causes), this.redis.hmget(this.keys.causeOverturns, ...causes)]);
    return new Map(causes.map((cause, i) => [cause, { blocks: Number(blocks[i] ?? 0), overturned: Number(overturned[i] ?? 0) }]));
  }

  async list(): Promise<Demotion[]> {
    return Object.values(await this.redis.hgetall(this.keys.demotedCauses))
      .map((raw) => JSON.parse(raw) as Demotion)
      .sort((a, b) => a.demotedAt.localeCompare(b.demotedAt));
  }

  /** An admin reinstates a cause; its counts start afresh. */
  async reinstate(cause: string, by: string): Promise<boolean> {
    const removed = (await this.redis.hdel(this.keys.demotedCauses, cause)) === 1;
    if (!removed) return false;
    await this.redis.multi().hdel(this.keys.causeBlocks, cause).hdel(this.keys.causeOverturns, cause).exec();
    this.demotedNow.delete(cause);
    this.tellObservers();
    await this.redis.publish(this.keys.demotionChanges, 'reinstate');
    await this.audit.record({ who: by, what: 'cause:reinstate', subject: cause });
    return true;
  }
}
