// The recent traffic a backtest replays (issue 26 point 3): the latest checked
// listings, in a Redis stream every instance appends to, capped by count
// (GATE_BACKTEST_SAMPLE) and by age (GATE_ALLOW_RETENTION_DAYS). A check adds
// its listing in memory after the answer; the listings of 250 ms (at most 256)
// go together in one script call, packed as verdict records keep them (without
// key names). A call costs the event loop ~100 µs however small, and Redis
// ~3 µs a listing (bench/backtest-sample.bench.ts): batches spread the first and
// keep the time one call holds Redis to about a millisecond.
// A batch Redis does not take is dropped: a sample may miss listings, a check
// never waits for it. Above GATE_BACKTEST_SAMPLE_RATE checks a second, a share of
// listings is drawn (sample-share.ts).
import type { Redis } from 'ioredis';
import type { CheckRequest } from '../gate/check-request.js';
import { luaCommand } from '../redis/lua-command.js';
import { WriteBehind } from '../redis/write-behind.js';
import { packStoredListing } from '../review/stored-listing.js';
import type { GateLog } from '../observability/gate-logger.js';
import { SampleShare, SHARE_INTERVAL_MS } from './sample-share.js';

export interface BacktestSampleOptions {
  /** The stream (keys.backtestSample). */
  key: string;
  /** Most listings kept (GATE_BACKTEST_SAMPLE, above 0). */
  size: number;
  /** Oldest listing kept, in ms (GATE_ALLOW_RETENTION_DAYS). */
  maxAgeMs: number;
  /** Listings a second this instance adds at most, on average (GATE_BACKTEST_SAMPLE_RATE). */
  perSecond: number;
  log: GateLog;
}

/** A listing waiting: the request (packed when written) or a check thread's packed string. */
type Waiting = CheckRequest | string;

/** How long listings gather before they are written (the sample's freshness does not matter to a backtest). */
const GATHER_MS = 250;
/** Listings past which a batch goes at once. */
const MAX_BATCH = 256;

export class BacktestSample {
  private readonly later: WriteBehind<Waiting>;
  private readonly append: (key: string, size: number, oldestId: string, ...idsAndListings: string[]) => Promise<number>;
  private readonly shares: SampleShare;
  private readonly shareObservers = new Set<(share: number) => void>();
  private readonly shareTimer: NodeJS.Timeout;

  constructor(
    redis: Redis,
    private readonly options: BacktestSampleOptions,
  ) {
    this.append = luaCommand<BacktestSample['append']>(redis, 'append-backtest-sample', 1);
    this.later = new WriteBehind<Waiting>({
      name: 'backtest sample',
      delayMs: GATHER_MS,
      maxPending: MAX_BATCH,
      retry: false,
      merge: (_older, newer) => newer,
      write: (batch) => this.write(batch),
      log: options.log,
    });
    this.shares = new SampleShare(options.perSecond);
    let tickedAt = performance.now();
    this.shareTimer = setInterval(() => {
      const now = performance.now();
      const before = this.shares.share;
      const share = this.shares.tick(now - tickedAt);
      tickedAt = now;
      if (share !== before) for (const observer of this.shareObservers) observer(share);
    }, SHARE_INTERVAL_MS).unref();
  }

  /** The share of listings drawn into the sample now, then each change of it; returns the unsubscribe. */
  observeShare(observer: (share: number) => void): () => void {
    this.shareObservers.add(observer);
    observer(this.shares.share);
    return () => this.shareObservers.delete(observer);
  }

  /** A listing checked on the event loop (or handed to it by a check thread). */
  add(request: CheckRequest): void {
    this.shares.seen(1);
    if (this.shares.draw()) this.later.add(request.listingId, request);
  }

  /** Listings a check thread drew and packed itself (thread-allows.ts): id, packed listing, id, …, out of `checked` it decided. */
  addPacked(flat: readonly string[], checked: number): void {
    this.shares.seen(checked);
    for (let at = 0; at + 1 < flat.length; at += 2) this.later.add(flat[at] as string, flat[at + 1] as string);
  }

  /** Listings given up on because Redis did not take them. */
  get dropped(): number {
    return this.later.dropped;
  }

  flush(): Promise<void> {
    return this.later.flush();
  }

  /** Writes what waits and stops following the check rate. */
  close(): Promise<void> {
    clearInterval(this.shareTimer);
    return this.later.flush();
  }

  private async write(batch: ReadonlyMap<string, Waiting>): Promise<void> {
    const args: string[] = [];
    for (const [listingId, listing] of batch) args.push(listingId, typeof listing === 'string' ? listing : packStoredListing(listing));
    await this.append(this.options.key, this.options.size, String(Date.now() - this.options.maxAgeMs), ...args);
  }
}
