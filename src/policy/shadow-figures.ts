// What shadow entries would have done (issue 26 point 1), counted off the
// response path: a check adds to in-memory counts (the check threads' come with
// their outcome batches), written to Redis every few milliseconds as hash
// increments per UTC hour, and a few recent listing ids per entry, written
// every second. Every key expires a week and a day after its last write.
import type { Redis } from 'ioredis';
import type { ShadowOutcome } from '../gate/shadow-outcome.js';
import type { Verdict } from '../gate/reason.js';
import { entryKey, type EntryRef } from '../gate/shadow-entry.js';
import { HashCounters } from '../redis/hash-counters.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { ThrottledLog } from '../observability/throttled-log.js';

/** How long a figure or a sample outlives its last write: the week the listing reads, and a day. */
export const SHADOW_FIGURES_TTL_SECONDS = 8 * 86_400;
/** Listing ids kept per entry. */
export const SAMPLES_PER_ENTRY = 5;
/** Entries with samples waiting past which newer entries' samples wait for the next write. */
const MAX_SAMPLED_ENTRIES = 10_000;
const SAMPLES_EVERY_MS = 1000;
const HOURS = { hour: 1, day: 24, week: 168 } as const;

export interface ShadowEntryFigures {
  /** Listings the entry matched in the current UTC hour, the last 24 and the last 168. */
  hits: { hour: number; day: number; week: number };
  /** Over the week: the verdicts those listings would have had with every shadow entry enforced. */
  wouldHave: Record<Verdict, number>;
  /** Over the week: listings whose verdict that would have changed. */
  changed: number;
  /** The latest listing ids it matched, newest first. */
  samples: string[];
}

export function hourOf(at: number): string {
  return new Date(at).toISOString().slice(0, 13);
}

function emptyFigures(): ShadowEntryFigures {
  return { hits: { hour: 0, day: 0, week: 0 }, wouldHave: { allow: 0, review: 0, block: 0 }, changed: 0, samples: [] };
}

export class ShadowFigures {
  private readonly counts: HashCounters;
  private samples = new Map<string, string[]>();
  private readonly timer: NodeJS.Timeout;
  private readonly failures: ThrottledLog;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    log: (message: string) => void,
  ) {
    this.counts = new HashCounters(redis, 'shadow figures', log, undefined, SHADOW_FIGURES_TTL_SECONDS);
    this.failures = new ThrottledLog(log);
    this.timer = setInterval(() => void this.writeSamples(), SAMPLES_EVERY_MS);
    this.timer.unref();
  }

  /** Counts one check's shadow outcome (`verdict`: the one the caller got). */
  count(outcome: ShadowOutcome, listingId: string, verdict: Verdict, at = Date.now()): void {
    const key = this.keys.shadowHits(hourOf(at));
    const changed = outcome.wouldHave !== verdict;
    for (const entry of outcome.entries) {
      this.counts.add(key, `${entry}\thits`);
      this.counts.add(key, `${entry}\twould:${outcome.wouldHave}`);
      if (changed) this.counts.add(key, `${entry}\tchanged`);
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

  /** The figures of each entry, by entry key. */
  async figuresOf(entries: readonly EntryRef[], now = Date.now()): Promise<Map<string, ShadowEntryFigures>> {
    await this.flush();
    const out = new Map<string, ShadowEntryFigures>(entries.map((entry) => [entryKey(entry), emptyFigures()]));
    if (out.size === 0) return out;
    const pipeline = this.redis.pipeline();
    for (let h = 0; h < HOURS.week; h++) pipeline.hgetall(this.keys.shadowHits(hourOf(now - h * 3_600_000)));
    for (const key of out.keys()) pipeline.lrange(this.keys.shadowSamples(key), 0, SAMPLES_PER_ENTRY - 1);
    const replies = (await pipeline.exec()) ?? [];
    replies.slice(0, HOURS.week).forEach(([error, fields], h) => {
      if (error) throw error;
      for (const [field, value] of Object.entries(fields as Record<string, string>)) {
        const tab = field.lastIndexOf('\t');
        const figures = out.get(field.slice(0, tab));
        if (!figures) continue;
        const n = Number(value);
        const figure = field.slice(tab + 1);
        if (figure === 'hits') {
          if (h < HOURS.hour) figures.hits.hour += n;
          if (h < HOURS.day) figures.hits.day += n;
          figures.hits.week += n;
        } else if (figure === 'changed') figures.changed += n;
        else if (figure === 'would:allow' || figure === 'would:review' || figure === 'would:block') figures.wouldHave[figure.slice(6) as Verdict] += n;
      }
    });
    [...out.values()].forEach((figures, i) => {
      const [error, ids] = replies[HOURS.week + i] ?? [null, []];
      if (error) throw error;
      figures.samples = ids as string[];
    });
    return out;
  }

  private async writeSamples(): Promise<void> {
    if (this.samples.size === 0) return;
    const batch = this.samples;
    this.samples = new Map();
    const pipeline = this.redis.pipeline();
    for (const [entry, ids] of batch) {
      const key = this.keys.shadowSamples(entry);
      pipeline.lpush(key, ...ids).ltrim(key, 0, SAMPLES_PER_ENTRY - 1).expire(key, SHADOW_FIGURES_TTL_SECONDS);
    }
    try {
      await pipeline.exec();
    } catch (error) {
      // Samples are examples, not counts: a batch Redis did not take is not tried again.
      this.failures.note('shadow-samples', `shadow samples not written: ${(error as Error).message}`);
    }
  }
}
