// Backtests on one instance (issue 26 point 3): one at a time, each on a thread
// of its own (backtest-worker.ts) that lives as long as the backtest. The event
// loop keeps the thread's copies of its tables in step and answers, for the few
// listings those tables cannot settle, what only Redis knows, as re-check jobs
// ask it (event-loop-signals.ts).
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { AllianceSellers } from '../alliance/alliance-sellers.js';
import type { DegradableSignal, FailMode } from '../config/gate-config.js';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import { GateError } from '../errors/gate-error.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { RedisTls } from '../redis/connect-redis.js';
import type { DecidedListings } from '../review/decided-listings.js';
import type { SellerRings } from '../rings/seller-rings.js';
import type { BacktestSetup, FromBacktest, ToBacktest } from './backtest-messages.js';
import { eventLoopSignals } from '../gate/event-loop-signals.js';
import type { BacktestSample } from './backtest-sample.js';
import type { BacktestCandidate } from './backtest-candidate.js';
import type { BacktestChanges } from './backtest-tally.js';

export interface BacktestRunnerParts {
  redisUrl: string;
  tls: RedisTls | undefined;
  sampleKey: string;
  /** GATE_BACKTEST_SAMPLE: most listings replayed. */
  sampleSize: number;
  /** This instance's own listings waiting to be written: written before a backtest reads. */
  sample: BacktestSample;
  /** The thread's nice value (GATE_RECHECK_NICE). */
  nice: number;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  fingerprints: FingerprintBank;
  lists: BlocklistStore;
  decided: DecidedListings;
  rings: SellerRings;
  alliance: AllianceSellers;
  causes: CauseLedger;
}

export interface BacktestResult extends BacktestChanges {
  /** Time the replay took, from the sample's first read to the last listing judged. */
  replayMillis: number;
  /** Time the thread took to start (its normalization tables, the packs' databases, its Redis connection) and to hand back. */
  startMillis: number;
}

export class BacktestRunner {
  private running = false;
  /** The thread of the backtest running, if one is. */
  private worker: Worker | undefined;

  constructor(private readonly parts: BacktestRunnerParts) {}

  /**
   * Replays the sample through `live` and the candidate `candidate()` builds (built
   * only once this instance has no other backtest running), with the list values
   * and banked items it adds and removes.
   */
  async run(live: CompiledPack, candidate: () => Promise<BacktestCandidate>, examples: number): Promise<BacktestResult & { candidate: CompiledPack }> {
    if (this.running) throw new GateError('GATE_ERR_CONFLICT', 'a backtest is running on this instance; try again once it has answered');
    this.running = true;
    try {
      const built = await candidate();
      await this.parts.sample.flush();
      return { ...(await this.replay(live, built, examples)), candidate: built.compiled };
    } finally {
      this.running = false;
    }
  }

  private replay(live: CompiledPack, candidate: BacktestCandidate, examples: number): Promise<BacktestResult> {
    const p = this.parts;
    const setup: BacktestSetup = {
      redisUrl: p.redisUrl,
      sampleKey: p.sampleKey,
      maxListings: p.sampleSize,
      nice: p.nice,
      failModes: p.failModes,
      examples,
      ...(p.tls ? { tls: p.tls } : {}),
    };
    const worker = new Worker(fileURLToPath(new URL('./backtest-worker.js', import.meta.url)), { workerData: setup });
    this.worker = worker;
    const post = (message: ToBacktest): void => worker.postMessage(message);
    const stops: Array<() => void> = [];
    const started = performance.now();
    const done = new Promise<BacktestResult>((resolve, reject) => {
      worker.on('message', (message: FromBacktest) => {
        if (message.type === 'ask') {
          eventLoopSignals(this.parts, message.requests).then((signals) => post({ type: 'signals', id: message.id, signals }), reject);
        } else if (message.type === 'done')
          resolve({ ...message.changes, replayMillis: message.replayMillis, startMillis: Math.round(performance.now() - started - message.replayMillis) });
        else reject(new Error(`the backtest failed: ${message.message}`));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`the backtest thread exited (${code}) before it answered`)));
    });
    stops.push(p.lists.observeTable((change) => post({ type: 'table', table: 'lists', change })));
    stops.push(p.decided.observeTable((change) => post({ type: 'table', table: 'decided', change })));
    stops.push(p.rings.flags.observeTable((change) => post({ type: 'table', table: 'rings', change })));
    stops.push(p.alliance.observe((shares) => post({ type: 'alliance', shares: [...shares] })));
    stops.push(p.causes.observe((demoted) => post({ type: 'demoted', causes: [...demoted] })));
    post({ type: 'start', live, candidate: candidate.compiled, additions: candidate.additions, removals: candidate.removals, banks: p.fingerprints.current });
    return done.finally(async () => {
      for (const stop of stops) stop();
      this.worker = undefined;
      await worker.terminate();
    });
  }

  /** Ends the backtest running, if any (it answers with an error). */
  async close(): Promise<void> {
    await this.worker?.terminate();
  }
}
