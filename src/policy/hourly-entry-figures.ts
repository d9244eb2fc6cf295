// Figures per pack entry, counted off the response path (issue 26): a check adds
// to in-memory counts, written to Redis every second as hash increments
// per UTC hour (field `<entry key>\t<figure>`), and a few recent listing ids per
// entry, written every second. Every key expires a week and a day after its last
// write. Shadow entries' figures and enforced entries' figures each keep their own.
import type { Redis } from 'ioredis';
import { FIGURES_GATHER_MS, HashCounters } from '../redis/hash-counters.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import type { GateLog } from '../observability/gate-logger.js';

/** How long a figure or a sample outlives its last write: the week the listing reads, and a day. */
export const ENTRY_FIGURES_TTL_SECONDS = 8 * 86_400;
/** Listing ids kept per entry. */
export const SAMPLES_PER_ENTRY = 5;
/** Entries with samples waiting past which newer entries' samples wait for the next write. */
const MAX_SAMPLED_ENTRIES = 10_000;
const SAMPLES_EVERY_MS = 1000;
export const WEEK_HOURS = 168;

export interface HourlyFigures {
  /** Listings the entry matched in the current UTC hour, the last 24 and the last 168. */
  hits: { hour: number; day: number; week: number };
  /** Over the week, each other figure counted. */
  week: Record<string, number>;
  /** Hits by hour, the current one first (168). */
  hourly: number[];
  /** The latest listing ids it matched, newest first. */
  samples: string[];
}

export interface EntryFigureKeys {
  hits(hour: string): string;
  samples(entryKey: string): string;
  /** The entry keys with samples (a set, bounded by the entries), so that an erasure finds a listing's id in them. */
  sampled: string;
}

export function hourOf(at: number): string {
  return new Date(at).toISOString().slice(0, 13);
}

export class HourlyEntryFigures {
  private readonly counts: HashCounters;
  private samples = new Map<string, string[]>();
  private readonly timer: NodeJS.Timeout;
  private readonly failures: ThrottledLog;

  constructor(
    private readonly redis: Redis,
    private readonly keys: EntryFigureKeys,
    private readonly name: string,
    log: GateLog,
  ) {
    this.counts = new HashCounters(redis, name, log, FIGURES_GATHER_MS, ENTRY_FIGURES_TTL_SECONDS);
    this.failures = new ThrottledLog(log);
    this.timer = setInterval(() => void this.writeSamples(), SAMPLES_EVERY_MS);
    this.timer.unref();
  }

  /** One listing matched each of `entries` (entry keys, each once): a hit and each of `figures` for each. */
  count(entries: readonly string[], figures: readonly string[], listingId: string, at = Date.now()): void {
    const key = this.keys.hits(hourOf(at));
    for (const entry of entries) {
      this.counts.add(key, `${entry}\thits`);
      for (const figure of figures) this.counts.add(key, `${entry}\t${figure}`);
      const waiting = this.samples.get(entry);
      if (waiting) {
        waiting.push(listingId);
        if (waiting.length > SAMPLES_PER_ENTRY) waiting.shift();
      } else if (this.samples.size < MAX_SAMPLED_ENTRIES) this.samples.set(entry, [listingId]);
    }
  }

  /** Writes what is waiting (on shutdown, and before the figures are read). */
  async flush(): Promise<void> {
    await Promise.all([this.counts.flush(), this.writeSamples()]);
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    return this.flush();
  }

  /** The figures of each entry key over the week before `now`. */
  async read(entryKeys: readonly string[], now = Date.now()): Promise<Map<string, HourlyFigures>> {
    await this.flush();
    const out = new Map<string, HourlyFigures>(
      entryKeys.map((key) => [key, { hits: { hour: 0, day: 0, week: 0 }, week: {}, hourly: new Array<number>(WEEK_HOURS).fill(0), samples: [] }]),
    );
    if (out.size === 0) return out;
    const pipeline = this.redis.pipeline();
    for (let h = 0; h < WEEK_HOURS; h++) pipeline.hgetall(this.keys.hits(hourOf(now - h * 3_600_000)));
    for (const key of out.keys()) pipeline.lrange(this.keys.samples(key), 0, SAMPLES_PER_ENTRY - 1);
    const replies = (await pipeline.exec()) ?? [];
    replies.slice(0, WEEK_HOURS).forEach(([error, fields], h) => {
      if (error) throw error;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) {
        const tab = field.lastIndexOf('\t');
        const figures = out.get(field.slice(0, tab));
        if (!figures) continue;
        const n = Number(value);
        const figure = field.slice(tab + 1);
        if (figure === 'hits') {
          if (h < 1) figures.hits.hour += n;
          if (h < 24) figures.hits.day += n;
          figures.hits.week += n;
          figures.hourly[h] = (figures.hourly[h] ?? 0) + n;
        } else figures.week[figure] = (figures.week[figure] ?? 0) + n;
      }
    });
    [...out.values()].forEach((figures, i) => {
      const [error, ids] = replies[WEEK_HOURS + i] ?? [null, []];
      if (error) throw error;
      figures.samples = ids as string[];
    });
    return out;
  }

  /** The entry keys counted in the week before `now`. */
  async countedEntries(now = Date.now()): Promise<Set<string>> {
    await this.flush();
    const pipeline = this.redis.pipeline();
    for (let h = 0; h < WEEK_HOURS; h++) pipeline.hkeys(this.keys.hits(hourOf(now - h * 3_600_000)));
    const out = new Set<string>();
    for (const [error, fields] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      for (const field of fields as string[]) out.add(field.slice(0, field.lastIndexOf('\t')));
    }
    return out;
  }

  /** Takes the listings' ids out of every entry's samples (an erasure); returns how many were removed. */
  async erase(listingIds: readonly string[]): Promise<number> {
    await this.flush();
    const entries = await this.redis.smembers(this.keys.sampled);
    if (entries.length === 0 || listingIds.length === 0) return 0;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) for (const id of listingIds) pipeline.lrem(this.keys.samples(entry), 0, id);
    let removed = 0;
    for (const [error, count] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      removed += Number(count);
    }
    return removed;
  }

  private async writeSamples(): Promise<void> {
    if (this.samples.size === 0) return;
    const batch = this.samples;
    this.samples = new Map();
    const pipeline = this.redis.pipeline();
    for (const [entry, ids] of batch) {
      const key = this.keys.samples(entry);
      pipeline
        .lpush(key, ...ids)
        .ltrim(key, 0, SAMPLES_PER_ENTRY - 1)
        .expire(key, ENTRY_FIGURES_TTL_SECONDS);
    }
    pipeline.sadd(this.keys.sampled, ...batch.keys()).expire(this.keys.sampled, ENTRY_FIGURES_TTL_SECONDS);
    try {
      await pipeline.exec();
    } catch (error) {
      // Samples are examples, not counts: a batch Redis did not take is not tried again.
      this.failures.note(`${this.name}-samples`, `${this.name}: samples not written: ${(error as Error).message}`);
    }
  }
}
