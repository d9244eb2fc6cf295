// Review items in the dead letters that no admin took back within the lapse window
// (GATE_REVIEW_DEAD_LAPSE_DAYS) lapse: closed undecided, with the retention window
// of a decided item (issue 23). Every instance runs the job; lapse-dead-items.lua
// takes each dead letter once, so instances sharing a Redis never lapse an item
// twice, and a run that died halfway leaves the rest for the next. What the item
// carries (complaint, appeal, report) is settled by the decisions' effects, from the
// `lapse` entry the script appends (lapse-effects.ts).
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { Counter, MetricsRegistry } from '../observability/metrics.js';
import { DeadReviewItems, type LapsedItem } from './dead-review-items.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface DeadItemLapseOptions {
  redis: Redis;
  keys: RedisKeys;
  /** How long an item stays dead before it lapses, in ms (GATE_REVIEW_DEAD_LAPSE_DAYS). */
  lapseAfterMs: number;
  /** How long a lapsed item and its keys are kept, in seconds (GATE_RETENTION_DAYS). */
  retentionSeconds: number;
  /** Dead letters past which the oldest lapse before their window ends (GATE_REVIEW_DEAD_MAXLEN). */
  maxLetters: number;
  /** Dead letters taken per script call. Default 100. */
  batch?: number;
  /** Calls per run at most, so that a backlog does not hold Redis for long. Default 20. */
  batchesPerRun?: number;
  /** How often the job runs. Default a minute. */
  everyMs?: number;
  /** The job's clock, in ms since the epoch. Default Date.now. */
  now?: () => number;
  /** Counts the items this instance lapsed. */
  lapsed?: Counter;
  log?: GateLog;
}

export class DeadItemLapse {
  private readonly items: DeadReviewItems;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: DeadItemLapseOptions) {
    this.items = new DeadReviewItems(options.redis, options.keys, options.retentionSeconds);
  }

  start(): void {
    const { everyMs = 60_000, log } = this.options;
    this.timer = setInterval(() => void this.run().catch((error: unknown) => log?.warn(`dead item lapse: ${(error as Error).message}`)), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running.catch(() => undefined);
  }

  /** Lapses the items dead longer than the window, batch by batch (serialized: one run at a time). */
  run(): Promise<LapsedItem[]> {
    const next = this.running.catch(() => undefined).then(() => this.lapseDue());
    this.running = next;
    return next;
  }

  private async lapseDue(): Promise<LapsedItem[]> {
    const { lapseAfterMs, batch = 100, batchesPerRun = 20, now = Date.now, lapsed } = this.options;
    const out: LapsedItem[] = [];
    for (let call = 0; call < batchesPerRun; call++) {
      const at = now();
      // A letter's id begins with the ms its item died: the range ends at the cutoff.
      const { taken, lapsed: closed } = await this.items.lapse('-', String(Math.floor(at - lapseAfterMs)), batch, at, 'lapse');
      out.push(...closed);
      lapsed?.inc(closed.length);
      if (taken < batch) break;
    }
    // Past the cap, the oldest lapse now: their letters would otherwise have to be
    // trimmed, leaving their items dead with no end.
    for (let call = 0; call < batchesPerRun; call++) {
      const excess = (await this.options.redis.xlen(this.options.keys.reviewDeadLetters)) - this.options.maxLetters;
      if (excess <= 0) break;
      const { lapsed: closed } = await this.items.lapse('-', '+', Math.min(batch, excess), now(), 'lapse');
      out.push(...closed);
      lapsed?.inc(closed.length);
    }
    return out;
  }
}

/** Starts the job with its counter (`gate_review_lapsed_total`); the gate stops it. */
export function startDeadItemLapse(parts: {
  redis: Redis;
  keys: RedisKeys;
  lapseDays: number;
  retentionSeconds: number;
  maxLetters: number;
  registry: MetricsRegistry;
  log: GateLog;
}): DeadItemLapse {
  const lapsed = parts.registry.counter(
    'gate_review_lapsed_total',
    'Dead review items lapsed: no admin took them back within GATE_REVIEW_DEAD_LAPSE_DAYS (counted by the instance that lapsed them).',
  );
  const job = new DeadItemLapse({
    redis: parts.redis,
    keys: parts.keys,
    lapseAfterMs: parts.lapseDays * 86_400_000,
    retentionSeconds: parts.retentionSeconds,
    maxLetters: parts.maxLetters,
    lapsed,
    log: parts.log,
  });
  job.start();
  return job;
}
