// The event loop's side of the check threads (check-thread-worker.ts): starts
// them on the gate's port, keeps each one's copy of what a check reads in step
// (the live pack, the fingerprint banks, the list, ring-flag and decided-listing
// tables, alliance shares, demoted causes), finishes the checks they hand over,
// and does the bookkeeping of the ones they answered. A thread that dies is
// started again with the same state.
import { Worker } from 'node:worker_threads';
import { randomBytes } from 'node:crypto';
import type { AllianceSellers } from '../alliance/alliance-sellers.js';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { CheckService } from '../gate/check-service.js';
import { GateError } from '../errors/gate-error.js';
import { toGateError } from '../http/route-handler.js';
import type { RegisteredRoute } from '../http/route-table.js';
import { freePort } from '../redis/embedded-redis.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { LivePack, PackRollout } from '../pack/live-pack.js';
import { bucketsOf } from '../pack/seller-bucket.js';
import { packForThreads } from '../pack/pack-for-threads.js';
import type { DecidedListings } from '../review/decided-listings.js';
import type { ReviewSpool } from '../review/review-spool.js';
import type { SellerRings } from '../rings/seller-rings.js';
import type { BacktestSample } from '../backtest/backtest-sample.js';
import { addTally } from '../stream/stream-counters.js';
import { DRAIN_ANSWER_MARGIN_MS } from '../stream/stream-route.js';
import { forEachThreadAllow, threadAllowCount } from './thread-allows.js';
import { listenOnChosenPort } from './first-listener.js';
import type { CheckThreadSetup, FromThread, ToThread } from './thread-messages.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface CheckThreadsParts {
  count: number;
  /** Every thread's setup but its number and where it forwards to (`start` says). */
  setup: Omit<CheckThreadSetup, 'index' | 'forward'>;
  checks: CheckService;
  livePack: LivePack;
  fingerprints: FingerprintBank;
  lists: BlocklistStore;
  decided: DecidedListings;
  rings: SellerRings;
  alliance: AllianceSellers;
  causes: CauseLedger;
  metrics: GateMetrics;
  /** Where the listings the threads decided are kept for backtests (they pack them); absent when none are. */
  sample?: BacktestSample | undefined;
  /** The review spool: while it takes an outage's backlog, threads hand review verdicts to the event loop. */
  spool: Pick<ReviewSpool, 'observeJoins'>;
  log: GateLog;
}

interface CheckThread {
  index: number;
  worker: Worker;
  alive: boolean;
  ready: boolean;
  loaded: Set<number>;
  /** Waiting for the thread to have loaded a pack (or to be gone), by pack number. */
  onLoaded: Map<number, Array<() => void>>;
  drained?: () => void;
}

/** A thread that died this many times within a minute is not started again. */
const MAX_QUICK_RESTARTS = 5;

export class CheckThreads {
  /** Sent with every forwarded request, so that the event loop's listener trusts the client address it names. */
  readonly forwardSecret = randomBytes(24).toString('base64url');
  private readonly threads: CheckThread[] = [];
  private closing = false;
  private restarts: number[] = [];
  /** A number per compiled pack: two packs can share a hash and a database key (a registry change keeps both). */
  private readonly packIds = new WeakMap<CompiledPack, number>();
  private nextPackId = 1;
  port = 0;
  /** The routes the threads answer themselves, as the first one to listen registered them. */
  routes: readonly RegisteredRoute[] = [];
  private forwardPort = 0;

  constructor(private readonly parts: CheckThreadsParts) {}

  /**
   * Starts every thread, forwarding what is not a check to the event loop's
   * listener on `forwardPort`; resolves with the gate's port once each thread has
   * loaded the live pack and matched a warm-up listing.
   */
  async start(forwardPort: number): Promise<number> {
    this.forwardPort = forwardPort;
    this.port = await this.firstListening();
    const others = Array.from({ length: this.parts.count - 1 }, (_, i) => this.spawn(i + 1, this.port));
    await Promise.all(others.map((thread) => this.listening(thread)));
    this.parts.livePack.onSwap((next) => this.makeLive(next));
    this.parts.livePack.onRollout((rollout) => void this.stage(rollout));
    await this.whenReady();
    return this.port;
  }

  /**
   * Starts the first thread and resolves with the port it listens on. uWS shares a
   * port among listeners only when it is named, so port 0 becomes a free one here.
   */
  private firstListening(): Promise<number> {
    const { host, port: named } = this.parts.setup;
    return listenOnChosenPort(
      () => (named === 0 ? freePort(host) : Promise.resolve(named)),
      (port) => this.listening(this.spawn(0, port)),
      { attempts: 5, chosenFreshly: named === 0, log: this.parts.log.child({ thread: 0 }) },
    );
  }

  /** Every thread alive has loaded the live pack and matched a warm-up listing. */
  get ready(): boolean {
    return this.threads.length > 0 && this.threads.every((thread) => thread.ready);
  }

  get readyCount(): number {
    return this.threads.filter((thread) => thread.ready).length;
  }

  get count(): number {
    return this.threads.length;
  }

  /** The threads alive now; `terminate` closes one's sockets and ends it (it is then started again). */
  workers(): ReadonlyArray<{ threadId: number; terminate(): Promise<number> }> {
    return this.threads.filter((thread) => thread.alive).map((thread) => ({ threadId: thread.worker.threadId, terminate: () => this.end(thread) }));
  }

  /** Asks a thread to close its sockets and end; one that does not within `timeoutMs` is terminated. */
  private end(thread: CheckThread, timeoutMs = 5000): Promise<number> {
    if (!thread.alive) return Promise.resolve(0);
    return new Promise((resolve) => {
      const timer = setTimeout(() => void thread.worker.terminate(), timeoutMs);
      thread.worker.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
      this.send(thread, { type: 'close' });
    });
  }

  /**
   * Resolves once every thread sent the outcomes of the checks it answered so far:
   * a request the event loop answers after this sees every one of them (a verdict
   * lookup right after the check, /metrics). A thread that does not answer within
   * `timeoutMs` is not waited for.
   */
  settle(timeoutMs = 200): Promise<void> {
    return Promise.all(
      this.threads.map(
        (thread) =>
          new Promise<void>((resolve) => {
            if (!thread.alive) return resolve();
            const id = this.nextFlushId++;
            const timer = setTimeout(() => {
              this.flushed.delete(id);
              resolve();
            }, timeoutMs);
            this.flushed.set(id, () => {
              clearTimeout(timer);
              resolve();
            });
            this.send(thread, { type: 'flush', id });
          }),
      ),
    ).then(() => undefined);
  }

  private nextFlushId = 1;
  private readonly flushed = new Map<number, () => void>();

  /** The event loop's limiter refused `key` until then: every thread refuses it too. */
  refuse(key: string, untilEpochMs: number): void {
    const now = Date.now();
    for (const [other, until] of this.refusals) if (until <= now) this.refusals.delete(other);
    this.refusals.set(key, untilEpochMs);
    for (const thread of this.threads) this.send(thread, { type: 'refused', key, untilEpochMs });
  }

  /** Refusals in force, for a thread started later. */
  private readonly refusals = new Map<string, number>();

  /** Loads `next` in every thread (each warms it up) before it goes live. */
  async load(next: CompiledPack): Promise<void> {
    await Promise.all(this.threads.map((thread) => this.loadIn(thread, next)));
  }

  /** Stops taking connections; resolves once every thread answered the checks it had (up to `timeoutMs`). */
  async drain(timeoutMs = 10_000): Promise<void> {
    await Promise.all(
      this.threads.map(
        (thread) =>
          new Promise<void>((resolve) => {
            if (!thread.alive) return resolve();
            const timer = setTimeout(resolve, timeoutMs);
            thread.drained = () => {
              clearTimeout(timer);
              resolve();
            };
            this.send(thread, { type: 'drain', answerWithinMs: Math.max(0, timeoutMs - DRAIN_ANSWER_MARGIN_MS) });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((thread) => this.end(thread)));
  }

  private spawn(index: number, port: number): CheckThread {
    const workerData: CheckThreadSetup = { ...this.parts.setup, index, port, forward: { port: this.forwardPort, secret: this.forwardSecret } };
    const worker = new Worker(new URL('./check-thread-worker.js', import.meta.url), { workerData });
    const thread: CheckThread = { index, worker, alive: true, ready: false, loaded: new Set(), onLoaded: new Map() };
    this.threads[index] = thread;
    worker.on('message', (message: FromThread) => this.receive(thread, message));
    worker.on('error', (error) => this.parts.log.error(`check thread ${index} failed: ${error.message}`, { thread: index, err: error }));
    worker.on('exit', (code) => this.exited(thread, code));
    this.feed(thread);
    return thread;
  }

  /** Sends a new thread everything a check reads, then keeps it in step. */
  private feed(thread: CheckThread): void {
    const p = this.parts;
    const send = (message: ToThread): void => this.send(thread, message);
    p.fingerprints.observe((snapshot) => send({ type: 'banks', snapshot }));
    p.lists.observeTable((change) => send({ type: 'table', table: 'lists', change }));
    p.decided.observeTable((change) => send({ type: 'table', table: 'decided', change }));
    p.rings.flags.observeTable((change) => send({ type: 'table', table: 'rings', change }));
    p.alliance.observe((shares) => send({ type: 'alliance', shares: [...shares] }));
    p.causes.observe((demoted) => send({ type: 'demoted', causes: [...demoted] }));
    p.sample?.observeShare((share) => send({ type: 'sample-share', share }));
    p.spool.observeJoins((joins) => send({ type: 'review-spool-joins', joins }));
    for (const [key, untilEpochMs] of this.refusals) send({ type: 'refused', key, untilEpochMs });
    const live = p.livePack.current;
    if (live) {
      send({ type: 'pack', id: this.idOf(live), pack: packForThreads(live) });
      send({ type: 'live', id: this.idOf(live) });
    }
    const rollout = p.livePack.rollout;
    if (rollout) {
      const id = this.idOf(rollout.compiled);
      if (rollout.compiled !== live) send({ type: 'pack', id, pack: packForThreads(rollout.compiled) });
      send({ type: 'rollout', id, buckets: bucketsOf(rollout.percent) });
    }
  }

  /** A rollout's candidate loaded in every thread, then judging its share of sellers there. */
  private async stage(rollout: PackRollout | undefined): Promise<void> {
    const live = this.parts.livePack.current;
    const liveId = live ? this.idOf(live) : 0;
    if (!rollout) {
      for (const thread of this.threads) {
        this.send(thread, { type: 'rollout', id: undefined, buckets: 0 });
        this.forgotten(thread, liveId);
      }
      return;
    }
    await this.load(rollout.compiled);
    // A later change may have come while this one loaded: only the latest is sent.
    const now = this.parts.livePack.rollout;
    if (now?.compiled !== rollout.compiled || now.percent !== rollout.percent) return;
    const id = this.idOf(rollout.compiled);
    for (const thread of this.threads) {
      this.send(thread, { type: 'rollout', id, buckets: bucketsOf(rollout.percent) });
      this.forgotten(thread, liveId);
    }
  }

  private idOf(pack: CompiledPack): number {
    let id = this.packIds.get(pack);
    if (id === undefined) {
      id = this.nextPackId++;
      this.packIds.set(pack, id);
    }
    return id;
  }

  private send(thread: CheckThread, message: ToThread): void {
    if (thread.alive) thread.worker.postMessage(message);
  }

  private listening(thread: CheckThread): Promise<number> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromThread): void => {
        if (message.type !== 'listening') return;
        thread.worker.off('message', onMessage);
        thread.worker.off('exit', onExit);
        if (this.routes.length === 0) this.routes = message.routes;
        resolve(message.port);
      };
      const onExit = (code: number): void => reject(new Error(`check thread ${thread.index} exited with ${code} before it listened on the gate's port`));
      thread.worker.on('message', onMessage);
      thread.worker.once('exit', onExit);
    });
  }

  private async whenReady(timeoutMs = 60_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (!this.ready) {
      if (performance.now() > until) throw new Error(`check threads not ready after ${timeoutMs} ms (${this.readyCount} of ${this.threads.length})`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  private loadIn(thread: CheckThread, next: CompiledPack): Promise<void> {
    const id = this.idOf(next);
    if (!thread.alive || thread.loaded.has(id)) return Promise.resolve();
    return new Promise((resolve) => {
      thread.onLoaded.set(id, [...(thread.onLoaded.get(id) ?? []), resolve]);
      this.send(thread, { type: 'pack', id, pack: packForThreads(next) });
    });
  }

  private makeLive(next: CompiledPack): void {
    const id = this.idOf(next);
    for (const thread of this.threads) {
      if (!thread.loaded.has(id)) this.send(thread, { type: 'pack', id, pack: packForThreads(next) });
      this.send(thread, { type: 'live', id });
      this.forgotten(thread, id);
    }
  }

  /**
   * What a thread drops when `liveId` goes live or a rollout changes: every older
   * pack but the rollout's (check-thread-worker.ts, forgetOlderThan). A pack
   * made live again later (a rollback) is then sent again.
   */
  private forgotten(thread: CheckThread, liveId: number): void {
    const rollout = this.parts.livePack.rollout;
    const kept = rollout ? this.idOf(rollout.compiled) : undefined;
    for (const id of thread.loaded) if (id < liveId && id !== kept) thread.loaded.delete(id);
  }

  private receive(thread: CheckThread, message: FromThread): void {
    switch (message.type) {
      case 'loaded':
        thread.loaded.add(message.id);
        for (const done of thread.onLoaded.get(message.id) ?? []) done();
        thread.onLoaded.delete(message.id);
        break;
      case 'ready':
        thread.ready = true;
        break;
      case 'finish':
        this.finish(thread, message);
        break;
      case 'outcomes':
        for (const outcome of message.outcomes) this.parts.checks.recordThreadCheck(outcome);
        forEachThreadAllow(message.allows, (allow) => this.parts.checks.recordThreadAllow(allow));
        this.parts.sample?.addPacked(message.samples, message.outcomes.length + threadAllowCount(message.allows));
        for (const code of message.counts.httpErrors) this.parts.metrics.httpErrorsBy(code).inc();
        for (const route of message.counts.authFailures) this.parts.metrics.authFailures.inc({ route });
        for (const seconds of message.counts.refusalSeconds) this.parts.metrics.refusalSeconds.observe(seconds);
        this.parts.lists.tableAnswers += message.counts.listTableAnswers;
        this.parts.rings.tableAnswers += message.counts.ringTableAnswers;
        addTally(this.parts.metrics, message.counts.stream);
        break;
      case 'flushed':
        this.flushed.get(message.id)?.();
        this.flushed.delete(message.id);
        break;
      case 'drained':
        thread.drained?.();
        break;
      case 'listening':
        break;
    }
  }

  private finish(thread: CheckThread, message: Extract<FromThread, { type: 'finish' }>): void {
    let release: (() => void) | undefined;
    const run = async (): Promise<void> => {
      release = this.parts.checks.admit();
      const startedAt = message.startedAtEpochMs - performance.timeOrigin;
      const response = await this.parts.checks.check(message.request, startedAt, message.deadlineMs, message.matched);
      this.send(thread, { type: 'finished', id: message.id, response });
    };
    run()
      .catch((error: unknown) => {
        // A GateError (an overload refusal) is passed on as it is: no log, nothing allocated for one.
        const failure = error instanceof GateError ? error : toGateError(error, this.parts.log, { thread: thread.index, listingId: message.request.listingId });
        this.send(thread, { type: 'failed', id: message.id, error: failure.toBody().error });
      })
      .finally(() => release?.());
  }

  private exited(thread: CheckThread, code: number): void {
    thread.alive = false;
    thread.ready = false;
    for (const waiting of thread.onLoaded.values()) for (const done of waiting) done();
    thread.onLoaded.clear();
    thread.drained?.();
    // Before the first thread listens, start() decides (firstListening).
    if (this.closing || this.port === 0) return;
    const now = Date.now();
    this.restarts = [...this.restarts.filter((at) => now - at < 60_000), now];
    if (this.restarts.length > MAX_QUICK_RESTARTS) {
      this.parts.log.error(`check thread ${thread.index} exited with ${code}; ${this.restarts.length} restarts within a minute, not started again`, {
        thread: thread.index,
      });
      return;
    }
    this.parts.log.warn(`check thread ${thread.index} exited with ${code}; starting it again`, { thread: thread.index });
    const next = this.spawn(thread.index, this.port);
    this.listening(next).catch((error: unknown) => this.parts.log.error((error as Error).message, { thread: thread.index }));
  }
}
