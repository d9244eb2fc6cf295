// The event loop's side of the re-check job thread (recheck-worker.ts): starts
// it, keeps its copies of the tables, pack and banks in step, answers its
// questions, counts what it emits, and starts it again should it die (its job's
// lease expires and the job is taken up again from its cursor).
import { Worker } from 'node:worker_threads';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { CheckService } from '../gate/check-service.js';
import { eventLoopSignals, type SignalSources } from '../gate/event-loop-signals.js';
import type { GateLog } from '../observability/gate-logger.js';
import type { LivePack } from '../pack/live-pack.js';
import { packForThreads } from '../pack/pack-for-threads.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import type { RecheckFigures } from './recheck-figures.js';
import type { FromRecheckThread, RecheckThreadSetup, ToRecheckThread } from './recheck-messages.js';

export interface RecheckThreadParts extends SignalSources {
  setup: Omit<RecheckThreadSetup, 'liveBusy'>;
  livePack: LivePack;
  fingerprints: FingerprintBank;
  causes: CauseLedger;
  verdicts: ListingVerdicts;
  checks: Pick<CheckService, 'check'>;
  /** True while live checks wait: the job waits for them. */
  liveBusy: () => boolean;
  figures: RecheckFigures;
  log: GateLog;
}

/** How often the live-busy flag is refreshed while a job runs. */
const LIVE_BUSY_REFRESH_MS = 5;
/** A thread that died is started again after this, doubled at each death within a minute… */
const RESTART_DELAY_MS = 1000;
/** …and not again after this many deaths within a minute (as check threads). */
const MAX_QUICK_RESTARTS = 5;
/** A stop waits this long for the job's batch to end before the thread is ended. */
const STOP_TIMEOUT_MS = 15_000;

export class RecheckThread {
  private readonly liveBusy = new SharedArrayBuffer(4);
  private worker: Worker | undefined;
  /** Ends the current thread's table subscriptions. */
  private unsubscribe: Array<() => void> = [];
  private busyTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private stopped: (() => void) | undefined;
  private deaths: number[] = [];

  constructor(private readonly parts: RecheckThreadParts) {
    // Once for every thread this instance starts: each gets the current ones at its start.
    parts.livePack.onSwap((next) => this.send({ type: 'pack', pack: packForThreads(next) }));
    parts.fingerprints.observe((snapshot) => this.send({ type: 'banks', snapshot }));
  }

  start(): void {
    const p = this.parts;
    const setup: RecheckThreadSetup = { ...p.setup, liveBusy: this.liveBusy };
    const worker = new Worker(new URL('./recheck-worker.js', import.meta.url), { workerData: setup });
    this.worker = worker;
    worker.on('message', (message: FromRecheckThread) => this.receive(worker, message));
    worker.on('error', (error) => p.log.error(`re-check: the job thread failed: ${error.message}`, { err: error }));
    worker.on('exit', (code) => this.exited(worker, code));
    const send = (message: ToRecheckThread): void => this.send(message);
    this.unsubscribe = [
      p.lists.observeTable((change) => send({ type: 'table', table: 'lists', change })),
      p.decided.observeTable((change) => send({ type: 'table', table: 'decided', change })),
      p.rings.flags.observeTable((change) => send({ type: 'table', table: 'rings', change })),
      p.alliance.observe((shares) => send({ type: 'alliance', shares: [...shares] })),
      p.causes.observe((demoted) => send({ type: 'demoted', causes: [...demoted] })),
    ];
    const live = p.livePack.current;
    if (live) send({ type: 'pack', pack: packForThreads(live) });
    send({ type: 'banks', snapshot: p.fingerprints.current });
  }

  /** The job running ends after its batch and leaves its lease; then the thread ends. */
  async stop(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, STOP_TIMEOUT_MS);
      this.stopped = () => {
        clearTimeout(timer);
        resolve();
      };
      this.send({ type: 'stop' });
    });
    await worker.terminate();
  }

  private send(message: ToRecheckThread): void {
    this.worker?.postMessage(message);
  }

  private receive(worker: Worker, message: FromRecheckThread): void {
    const { parts } = this;
    const answer = (reply: ToRecheckThread): void => worker.postMessage(reply);
    // Every question is answered, with a refusal at worst: the job's batch then fails and is read again.
    const refuse = (id: number) => (error: unknown) => {
      try {
        answer({ type: 'refused', id, message: (error as Error).message });
      } catch (failure) {
        parts.log.error(`re-check: cannot answer the job thread: ${(failure as Error).message}`);
      }
    };
    const answerWith = (id: number, reply: () => Promise<ToRecheckThread>): void => {
      let replied: Promise<ToRecheckThread>;
      try {
        replied = reply();
      } catch (error) {
        replied = Promise.reject(error);
      }
      replied.then(answer).catch(refuse(id));
    };
    switch (message.type) {
      case 'ask-signals':
        answerWith(message.id, async () => ({ type: 'signals', id: message.id, signals: await eventLoopSignals(parts, message.requests) }));
        break;
      case 'ask-waiting':
        answerWith(message.id, async () => ({ type: 'waiting', id: message.id, verdicts: parts.verdicts.waiting(message.listingIds) }));
        break;
      case 'record':
        answerWith(message.id, async () => {
          await parts.checks.check(message.request, performance.now(), 5000, message.matched, undefined, 'recheck');
          return { type: 'recorded', id: message.id };
        });
        break;
      case 'emitted':
        parts.figures.emitted(message.batch);
        break;
      case 'running':
        parts.figures.running(message.jobId);
        this.watchLive(message.jobId !== undefined);
        break;
      case 'log':
        parts.log[message.level](message.message, message.fields);
        break;
      case 'stopped':
        this.stopped?.();
        break;
    }
  }

  /** While a job runs, the thread reads whether live checks wait from a flag kept fresh here. */
  private watchLive(on: boolean): void {
    const flag = new Int32Array(this.liveBusy);
    clearInterval(this.busyTimer);
    this.busyTimer = undefined;
    Atomics.store(flag, 0, on && this.parts.liveBusy() ? 1 : 0);
    if (!on) return;
    this.busyTimer = setInterval(() => Atomics.store(flag, 0, this.parts.liveBusy() ? 1 : 0), LIVE_BUSY_REFRESH_MS);
    this.busyTimer.unref();
  }

  private exited(worker: Worker, code: number): void {
    if (worker !== this.worker) return;
    for (const stop of this.unsubscribe) stop();
    this.unsubscribe = [];
    this.watchLive(false);
    this.parts.figures.running(undefined);
    this.worker = undefined;
    this.stopped?.();
    if (this.stopping) return;
    const now = Date.now();
    this.deaths = [...this.deaths.filter((at) => now - at < 60_000), now];
    if (this.deaths.length > MAX_QUICK_RESTARTS) {
      this.parts.log.error(
        `re-check: the job thread exited (${code}), ${this.deaths.length} times within a minute; this instance runs no more jobs until it restarts`,
      );
      return;
    }
    const delayMs = RESTART_DELAY_MS * 2 ** (this.deaths.length - 1);
    this.parts.log.error(`re-check: the job thread exited (${code}); starting another in ${delayMs} ms`);
    setTimeout(() => {
      if (!this.stopping) this.start();
    }, delayMs).unref();
  }
}
