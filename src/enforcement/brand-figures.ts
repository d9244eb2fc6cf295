// Per-brand figures by day (UTC): listings blocked at publish, sent to review,
// complaints filed, upheld, rejected and overturned, and the time reviewers took
// to decide. Counted in one hash per day, so a report over a range reads one key
// per day; the median decision time is computed on read. A day's keys expire
// GATE_FIGURES_RETENTION_DAYS after their last write.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { BookkeepingSpool } from '../redis/bookkeeping-spool.js';
import { FIGURES_GATHER_MS, HashCounters } from '../redis/hash-counters.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export const BRAND_FIGURES = [
  'blockedAtPublish',
  'sentToReview',
  'complaintsFiled',
  'complaintsUpheld',
  'complaintsRejected',
  'overturned',
  'allianceHits',
] as const;
export type BrandFigure = (typeof BRAND_FIGURES)[number];

export interface BrandDayFigures {
  day: string;
  brandId: string;
  counts: Record<BrandFigure, number>;
  decisions: number;
  /** null when nothing was decided that day. */
  medianSecondsToDecision: number | null;
}

/** Reports cover at most this many days. */
export const MAX_REPORT_DAYS = 366;
/** Days a day's figures are kept after its last write, by default (GATE_FIGURES_RETENTION_DAYS): a year's report and a month. */
export const DEFAULT_FIGURES_RETENTION_DAYS = 400;
/** Decision times kept per day (beyond this the median is over the first ones). */
const MAX_TIMES_PER_DAY = 1_000_000;

export function utcDay(at: Date | number | string = new Date()): string {
  return new Date(at).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(utcDay(t));
  return days;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export class BrandFigures {
  /** The publish path's counts, written together every few milliseconds. */
  private readonly later: HashCounters;
  /** How long a day's keys outlive their last write. */
  private readonly retentionSeconds: number;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    log: GateLog = silentLog,
    retentionDays = DEFAULT_FIGURES_RETENTION_DAYS,
    spool?: BookkeepingSpool,
  ) {
    this.retentionSeconds = Math.max(1, Math.round(retentionDays * 86_400));
    this.later = new HashCounters(redis, 'brand figures', log, FIGURES_GATHER_MS, this.retentionSeconds, spool);
  }

  /** Adds one to a figure of each brand, written with the other counts of the next second (the publish path's bookkeeping). */
  countLater(brandIds: Iterable<string>, figure: BrandFigure, at: Date | number | string = new Date()): void {
    const key = this.keys.figures(utcDay(at));
    for (const brandId of brandIds) this.later.add(key, `${brandId}\t${figure}`);
  }

  /** Counts given up on while Redis could not take them, for /metrics. */
  get droppedCounts(): number {
    return this.later.dropped;
  }

  /** Writes the counts still waiting (on shutdown, and before a report reads them). */
  flush(): Promise<void> {
    return this.later.flush();
  }

  /** Writes the counts still waiting, or keeps them in the spool (on shutdown). */
  close(): Promise<void> {
    return this.later.close();
  }

  /** Adds to figures of several brands at once (one round trip). */
  async count(brandIds: Iterable<string>, figure: BrandFigure, at: Date | number | string = new Date(), by = 1): Promise<void> {
    const key = this.keys.figures(utcDay(at));
    const pipeline = this.redis.pipeline();
    let any = false;
    for (const brandId of brandIds) {
      pipeline.hincrby(key, `${brandId}\t${figure}`, by);
      any = true;
    }
    if (any) await pipeline.expire(key, this.retentionSeconds).exec();
  }

  async decisionTime(brandIds: Iterable<string>, seconds: number, at: Date | number | string = new Date()): Promise<void> {
    const key = this.keys.decisionTimes(utcDay(at));
    const entries = [...brandIds].map((brandId) => `${brandId}\t${Math.max(0, Math.round(seconds))}`);
    if (entries.length === 0) return;
    await this.redis
      .multi()
      .rpush(key, ...entries)
      .ltrim(key, 0, MAX_TIMES_PER_DAY - 1)
      .expire(key, this.retentionSeconds)
      .exec();
  }

  /** Figures per day and brand, for brands `include` accepts; days without any figure are left out. */
  async report(from: string, to: string, include: (brandId: string) => boolean): Promise<BrandDayFigures[]> {
    await this.later.flush();
    const out: BrandDayFigures[] = [];
    for (const day of daysBetween(from, to)) {
      const [counts, times] = await Promise.all([this.redis.hgetall(this.keys.figures(day)), this.redis.lrange(this.keys.decisionTimes(day), 0, -1)]);
      const byBrand = new Map<string, BrandDayFigures>();
      const row = (brandId: string): BrandDayFigures => {
        let found = byBrand.get(brandId);
        if (!found) {
          found = {
            day,
            brandId,
            counts: Object.fromEntries(BRAND_FIGURES.map((f) => [f, 0])) as Record<BrandFigure, number>,
            decisions: 0,
            medianSecondsToDecision: null,
          };
          byBrand.set(brandId, found);
        }
        return found;
      };
      for (const [field, value] of Object.entries(counts)) {
        const [brandId = '', figure = ''] = field.split('\t');
        if (!include(brandId) || !(BRAND_FIGURES as readonly string[]).includes(figure)) continue;
        row(brandId).counts[figure as BrandFigure] = Number(value);
      }
      const seconds = new Map<string, number[]>();
      for (const entry of times) {
        const [brandId = '', value = '0'] = entry.split('\t');
        if (!include(brandId)) continue;
        seconds.set(brandId, [...(seconds.get(brandId) ?? []), Number(value)]);
      }
      for (const [brandId, values] of seconds) {
        const r = row(brandId);
        r.decisions = values.length;
        r.medianSecondsToDecision = median(values);
      }
      out.push(...[...byBrand.values()].sort((a, b) => a.brandId.localeCompare(b.brandId)));
    }
    return out;
  }
}
