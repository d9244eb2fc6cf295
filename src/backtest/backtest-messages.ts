// What the event loop and a backtest thread (backtest-worker.ts) say to each
// other. Packs' databases and the fingerprint indexes are shared memory and cross
// without a copy.
import type { DegradableSignal, FailMode } from '../config/gate-config.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { EventLoopSignals } from '../gate/event-loop-signals.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { ShadowEntries } from '../pack/policy-pack.js';
import type { ListAndBankRemovals } from './backtest-candidate.js';
import type { RedisTls } from '../redis/connect-redis.js';
import type { MirrorMessage } from '../check-thread/mirrored-state.js';
import type { BacktestChanges } from './backtest-tally.js';

export interface BacktestSetup {
  redisUrl: string;
  tls?: RedisTls;
  /** The sample stream (keys.backtestSample). */
  sampleKey: string;
  /** Most listings replayed (GATE_BACKTEST_SAMPLE): the newest, each listing once. */
  maxListings: number;
  /** The thread's nice value (GATE_RECHECK_NICE): below live traffic. */
  nice: number;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  /** Listing ids named per transition and per entry. */
  examples: number;
}

export type ToBacktest =
  | MirrorMessage
  /** Replay the sample through both packs; the tables, shares and demoted causes came before. */
  | {
      type: 'start';
      live: CompiledPack;
      candidate: CompiledPack;
      /** What the candidate adds to the live lists and banks, and what its change removes. */
      additions: ShadowEntries;
      removals: ListAndBankRemovals;
      banks: FingerprintSnapshot;
    }
  | { type: 'signals'; id: number; signals: EventLoopSignals[] };

export type FromBacktest =
  /** The signals of these listings, in order, as `signals` with the same id. */
  | { type: 'ask'; id: number; requests: CheckRequest[] }
  /** `replayMillis`: from the sample's first read to the last listing judged (the thread's start not counted). */
  | { type: 'done'; changes: BacktestChanges; replayMillis: number }
  | { type: 'failed'; message: string };
