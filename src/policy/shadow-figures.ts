// What shadow entries would have done (issue 26 point 1): each hit, the verdict the
// listing would have had with every shadow entry enforced, and whether that
// changes the one the caller got (hourly-entry-figures.ts keeps them).
import type { Redis } from 'ioredis';
import type { ShadowOutcome } from '../gate/shadow-outcome.js';
import type { Verdict } from '../gate/reason.js';
import { entryKey, type EntryRef } from '../gate/shadow-entry.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { HourlyEntryFigures } from './hourly-entry-figures.js';
import type { GateLog } from '../observability/gate-logger.js';

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

export class ShadowFigures {
  private readonly figures: HourlyEntryFigures;

  constructor(redis: Redis, keys: RedisKeys, log: GateLog) {
    this.figures = new HourlyEntryFigures(
      redis,
      { hits: (hour) => keys.shadowHits(hour), samples: (entry) => keys.shadowSamples(entry), sampled: keys.shadowSampled },
      'shadow figures',
      log,
    );
  }

  /** Counts one check's shadow outcome (`verdict`: the one the caller got). */
  count(outcome: ShadowOutcome, listingId: string, verdict: Verdict, at = Date.now()): void {
    const figures = outcome.wouldHave === verdict ? [`would:${outcome.wouldHave}`] : [`would:${outcome.wouldHave}`, 'changed'];
    this.figures.count(outcome.entries, figures, listingId, at);
  }

  flush(): Promise<void> {
    return this.figures.flush();
  }

  /** Takes erased listings out of the entries' samples. */
  erase(listingIds: readonly string[]): Promise<number> {
    return this.figures.erase(listingIds);
  }

  close(): Promise<void> {
    return this.figures.close();
  }

  /** The figures of each entry, by entry key. */
  async figuresOf(entries: readonly EntryRef[], now = Date.now()): Promise<Map<string, ShadowEntryFigures>> {
    const read = await this.figures.read(entries.map(entryKey), now);
    return new Map(
      [...read].map(([key, f]) => [
        key,
        {
          hits: f.hits,
          wouldHave: { allow: f.week['would:allow'] ?? 0, review: f.week['would:review'] ?? 0, block: f.week['would:block'] ?? 0 },
          changed: f.week.changed ?? 0,
          samples: f.samples,
        },
      ]),
    );
  }
}
