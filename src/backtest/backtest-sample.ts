// The recent traffic a backtest replays (issue 26 point 3): the latest checked
// listings, in a Redis stream every instance appends to, capped by count
// (GATE_BACKTEST_SAMPLE) and by age (GATE_ALLOW_RETENTION_DAYS). A check adds
// its listing in memory after the answer; the listings of 250 ms (at most 256)
// go together in one script call, packed as verdict records keep them (without
// key names). A call costs the event loop ~100 µs however small, and Redis
// ~3 µs a listing (bench/backtest-sample.bench.ts): batches spread the first and
// keep the time one call holds Redis to about a millisecond.
// A batch Redis does not take is dropped: a sample may miss listings, a check
// never waits for it.
import type { Redis } from 'ioredis';
import type { CheckRequest } from '../gate/check-request.js';
import { luaCommand } from '../redis/lua-command.js';
import { WriteBehind } from '../redis/write-behind.js';
import { packStoredListing } from '../review/stored-listing.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface BacktestSampleOptions {
  /** The stream (keys.backtestSample). */
  key: string;
  /** Most listings kept (GATE_BACKTEST_SAMPLE, above 0). */
  size: number;
  /** Oldest listing kept, in ms (GATE_ALLOW_RETENTION_DAYS). */
  maxAgeMs: number;
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
  }

  /** A listing checked on the event loop (or handed to it by a check thread). */
  add(request: CheckRequest): void {
    this.later.add(request.listingId, request);
  }

  /** Listings a check thread packed itself (thread-allows.ts): id, packed listing, id, … */
  addPacked(flat: readonly string[]): void {
    for (let at = 0; at + 1 < flat.length; at += 2) this.later.add(flat[at] as string, flat[at + 1] as string);
  }

  /** Listings given up on because Redis did not take them. */
  get dropped(): number {
    return this.later.dropped;
  }

  flush(): Promise<void> {
    return this.later.flush();
  }

  private async write(batch: ReadonlyMap<string, Waiting>): Promise<void> {
    const args: string[] = [];
    for (const [listingId, listing] of batch) args.push(listingId, typeof listing === 'string' ? listing : packStoredListing(listing));
    await this.append(this.options.key, this.options.size, String(Date.now() - this.options.maxAgeMs), ...args);
  }
}
