// A check thread: a uWS App of its own on the gate's port (SO_REUSEPORT: the
// kernel spreads connections among the threads), which reads, matches and decides
// each POST /v1/check on this thread, with no hop to another thread in between. A
// check whose listing, seller or identity a table says may be listed, in a ring or
// decided by a person goes to the event loop with what was matched; the event loop
// asks Redis and answers it. A review verdict's item goes to Redis from here. Every
// other request is forwarded to the event loop's own listener on loopback. The check socket
// (GET /v1/check/stream) checks its messages on the same path as POST /v1/check.
import { parentPort, workerData } from 'node:worker_threads';
import { randomUUID } from 'node:crypto';
import uWS from '@trufflesuite/uws-js-unofficial';
import { RefusedKeys } from '../auth/auth-failure-limiter.js';
import { buildTokens } from '../auth/build-tokens.js';
import type { RoleCheck } from '../auth/require-role.js';
import { GateError } from '../errors/gate-error.js';
import { fingerprintsFromShared, type FingerprintIndexes } from '../fingerprint/fingerprint-indexes.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import { decideListing, type DecisionContext, type ListingDecision } from '../gate/decide-listing.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { CheckResponse } from '../gate/check-response.js';
import type { PrecomputedMatch, ThreadCheckOutcome } from '../gate/check-service.js';
import { listProbes, ringAttributes } from '../gate/list-probes.js';
import { packAllowRecordAt } from '../review/allow-record.js';
import { packStoredListing } from '../review/stored-listing.js';
import type { ListProbe } from '../lists/in-process-answer.js';
import { isLate, queueBudgetMs } from '../gate/deadline-budget.js';
import { reviewVerdictItem } from '../review/review-item-of.js';
import { enqueueArguments } from '../review/review-queue.js';
import { redisKeys } from '../redis/redis-keys.js';
import { ThreadReviewQueue } from './thread-review-queue.js';
import { checkRequestOf, deadlineOf } from '../http/check-input.js';
import { decodeBody } from '../http/decode-body.js';
import { checkJsonDepth } from '../http/json-depth.js';
import { brandIndexOf } from '../pack/brand-index.js';
import { sellerBucket } from '../pack/seller-bucket.js';
import { route, toGateError, type RouteOptions } from '../http/route-handler.js';
import { RouteTable } from '../http/route-table.js';
import { MirroredState } from './mirrored-state.js';
import { listingToMatch } from '../matcher/listing-fields.js';
import { matchListing } from '../matcher/match-listing.js';
import type { ListingMatch } from '../matcher/match-task.js';
import { rulesEngine, type NativeDatabase } from '../native/rules-engine.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { createGateLogger } from '../observability/gate-logger.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import type { ServerTiming } from '../observability/server-timing.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import { NO_CONFIRMED_RING, nodesOf } from '../rings/seller-rings.js';
import { nameThread } from '../config/name-thread.js';
import { emptyTally, isEmptyTally, tallyCounters } from '../stream/stream-counters.js';
import { authorizeUpgrade, registerCheckStream } from '../stream/stream-route.js';
import { forwardRequest } from './forward-request.js';
import { needsEventLoop } from './needs-event-loop.js';
import { ForwardTarget } from './forward-target.js';
import { pushThreadAllow, threadAllowCount, type ThreadAllow } from './thread-allows.js';
import { rehearsalListings } from './rehearsal-listings.js';
import { receivePackForThreads } from '../pack/pack-for-threads.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ThreadTurn } from './thread-turn.js';
import type { CheckThreadSetup, FromThread, ThreadCounts, ToThread } from './thread-messages.js';

const setup = workerData as CheckThreadSetup;
const port = parentPort;
if (!port) throw new Error('check-thread-worker.js runs as a worker thread');
nameThread(`gate-check-${setup.index}`);
prepareNormalizer();

/** This thread's lines carry its index; written to the thread's stdout, which Node passes to the main thread's. */
const log = createGateLogger({ name: 'gate' }).child({ thread: setup.index });
const reviewQueue = new ThreadReviewQueue(setup.reviews, `gate-check-${setup.index}`, log);
/** Kept for the event loop when this thread's attempt to queue a review item fails: it queues or spools the item in that time. */
const HANDOVER_RESERVE_MS = 1;

function tell(message: FromThread): void {
  port?.postMessage(message);
}

interface LoadedPack {
  compiled: CompiledPack;
  db: NativeDatabase;
}

// By the event loop's number for each pack: the live one, and one being warmed up for a swap.
const packs = new Map<number, LoadedPack>();
let live: LoadedPack | undefined;
/** A staged rollout's candidate and the seller buckets it judges (seller-bucket.ts). */
let rollout: { loaded: LoadedPack; buckets: number } | undefined;
let banks: { snapshot: FingerprintSnapshot; indexes: FingerprintIndexes } | undefined;
const mirrored = new MirroredState();
const NONE: readonly string[] = [];
const NO_LISTS = { ok: true as const, value: [] };
const NO_RING = { ok: true as const, value: NO_CONFIRMED_RING };
const NO_PERSON = { ok: true as const, value: undefined };
let ready = false;
let draining = false;

// What the event loop records and counts for this thread, sent in batches: a
// message wakes the event loop, and one per check cost it more than the
// bookkeeping itself. Whatever the event loop answers first asks for them
// (`flush`), so no request it answers misses a check answered before it.
const OUTCOMES_EVERY_MS = 20;
const OUTCOMES_AT_MOST = 256;
let outcomes: ThreadCheckOutcome[] = [];
let allows: string[] = [];
/** The listings this thread decided, for the backtest sample: packed when the batch goes, not while a check is answered. */
let sampled: CheckRequest[] = [];
/** The share of decided listings drawn into the backtest sample; the event loop sets it (sample-share.ts). */
let sampleShare = 1;
let counts = noCounts();
let flushTimer: NodeJS.Timeout | undefined;
function noCounts(): ThreadCounts {
  return { httpErrors: [], authFailures: [], refusalSeconds: [], listTableAnswers: 0, ringTableAnswers: 0, stream: emptyTally() };
}
function flushOutcomes(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  if (waitingToGo() === 0 && isEmptyTally(counts.stream)) return;
  const samples: string[] = [];
  for (const request of sampled) samples.push(request.listingId, packStoredListing(request));
  tell({ type: 'outcomes', outcomes, allows, samples, counts });
  outcomes = [];
  allows = [];
  sampled = [];
  counts = noCounts();
}
/** Outcomes, allows and counted events waiting for the next batch. */
function waitingToGo(): number {
  return outcomes.length + threadAllowCount(allows) + counts.httpErrors.length + counts.authFailures.length + counts.refusalSeconds.length;
}
function scheduleFlush(): void {
  if (waitingToGo() >= OUTCOMES_AT_MOST) flushOutcomes();
  else flushTimer ??= setTimeout(flushOutcomes, OUTCOMES_EVERY_MS);
}

// Checks handed to the event loop, by id, until it answers.
let nextId = 1;
const waiting = new Map<number, { resolve: (response: CheckResponse) => void; reject: (error: Error) => void }>();

async function loadPack(id: number, compiled: CompiledPack): Promise<void> {
  // Deserialized on libuv's pool: this thread answers checks meanwhile.
  const db =
    [...packs.values()].find((other) => other.compiled.key === compiled.key)?.db ?? (await rulesEngine.deserializeAsync(compiled.databaseBytes, compiled.key));
  const loaded = { compiled, db };
  packs.set(id, loaded);
  brandIndexOf(compiled); // built now, not by the first check
  await rehearse(loaded, ready ? SWAP_REHEARSAL : FIRST_REHEARSAL);
  tell({ type: 'loaded', id });
}

function makeLive(id: number): void {
  const next = packs.get(id);
  if (!next) return;
  live = next;
  forgetOlderThan(id);
  becomeReady();
}

/** Ready once a pack is live, the banks are here, and the thread's review queue is connected (or could not be, for now). */
function becomeReady(): void {
  if (ready || !live || !banks || !reviewQueue.hasSettled) return;
  ready = true;
  tell({ type: 'ready' });
}
reviewQueue.settled.then(becomeReady);

/** Packs older than `id` go, but for the live one and a rollout's candidate; a newer one may be warming up for the next swap. */
function forgetOlderThan(id: number): void {
  for (const [other, loaded] of packs) {
    if (loaded === live || loaded === rollout?.loaded || other >= id) continue;
    packs.delete(other);
    // Two packs may share a database (the same patterns).
    if (loaded.db !== live?.db && loaded.db !== rollout?.loaded.db) loaded.db.close();
  }
}

function stageRollout(id: number | undefined, buckets: number): void {
  const loaded = id === undefined ? undefined : packs.get(id);
  rollout = loaded ? { loaded, buckets } : undefined;
  const liveId = [...packs].find(([, pack]) => pack === live)?.[0];
  if (liveId !== undefined) forgetOlderThan(liveId);
}

/** Packs are taken in order, each loaded over several turns; a message naming a pack (live, rollout) waits for those before it. */
let packsTaken: Promise<void> = Promise.resolve();
function afterPacks(step: () => void | Promise<void>): void {
  packsTaken = packsTaken.then(step);
}

function handle(message: ToThread): void {
  switch (message.type) {
    case 'pack': {
      const { id, pack } = message;
      afterPacks(() => loadPack(id, receivePackForThreads(pack)));
      break;
    }
    case 'live':
      afterPacks(() => makeLive(message.id));
      break;
    case 'rollout':
      afterPacks(() => stageRollout(message.id, message.buckets));
      break;
    case 'banks':
      if (!banks || message.snapshot.shared.version > banks.snapshot.shared.version)
        banks = { snapshot: message.snapshot, indexes: fingerprintsFromShared(message.snapshot.shared) };
      becomeReady();
      break;
    case 'table':
    case 'alliance':
    case 'demoted':
      mirrored.apply(message);
      break;
    case 'sample-share':
      sampleShare = message.share;
      break;
    case 'review-spool-joins':
      reviewQueue.spoolJoins = message.joins;
      break;
    case 'finished':
      waiting.get(message.id)?.resolve(message.response);
      waiting.delete(message.id);
      break;
    case 'failed':
      waiting.get(message.id)?.reject(GateError.fromBody(message.error));
      waiting.delete(message.id);
      break;
    case 'refused':
      refused.refuse(message.key, message.untilEpochMs);
      break;
    case 'flush':
      flushOutcomes();
      tell({ type: 'flushed', id: message.id });
      break;
    case 'drain':
      draining = true;
      drain(message.answerWithinMs);
      break;
    case 'close':
      shutdown(0);
      break;
  }
}

port.on('message', handle);

/** The event loop finishes the check with Redis's answers; this thread answers it. */
function finishOnEventLoop(
  request: CheckRequest,
  startedAt: number,
  deadlineMs: number,
  match: ListingMatch,
  loaded: LoadedPack,
  timing: ServerTiming | undefined,
  tried?: { reviewId: string; checkId: string },
): Promise<CheckResponse> {
  const id = nextId++;
  const finished = new Promise<CheckResponse>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    const matched: PrecomputedMatch = { packKey: loaded.compiled.key, banksVersion: banks?.snapshot.shared.version ?? -1, match };
    if (tried) {
      matched.reviewId = tried.reviewId;
      matched.checkId = tried.checkId;
    }
    tell({ type: 'finish', id, request, startedAtEpochMs: performance.timeOrigin + startedAt, deadlineMs, matched });
  });
  return timing ? finished.finally(() => timing.mark('event-loop')) : finished;
}

/** The thread's own verdict, or `undefined` when only the event loop can finish the check. */
function decideHere(
  request: CheckRequest,
  probes: readonly ListProbe[],
  match: ListingMatch,
  loaded: LoadedPack,
  current: NonNullable<typeof banks>,
): ListingDecision | undefined {
  if (needsEventLoop(mirrored.tables, mirrored.shares, request, probes)) return undefined;
  const context: DecisionContext = {
    compiled: loaded.compiled,
    banks: current.snapshot,
    demoted: mirrored.demoted,
    failModes: setup.failModes,
    brandsSharing: () => NONE,
  };
  return decideListing(context, request, { text: { ok: true, value: match }, lists: NO_LISTS, ring: NO_RING, person: NO_PERSON });
}

function responseOf(request: CheckRequest, decision: ListingDecision, loaded: LoadedPack, startedAt: number): CheckResponse {
  return {
    checkId: `ck_${randomUUID()}`,
    listingId: request.listingId,
    verdict: decision.verdict,
    score: decision.score,
    reasons: decision.reasons,
    policyVersion: loaded.compiled.pack.packVersion,
    tookMicros: Math.round((performance.now() - startedAt) * 1000),
  };
}

/** What POST /v1/check and the check socket do with a listing on this thread. */
function checkListing(request: CheckRequest, startedAt: number, deadlineMs: number, timing?: ServerTiming): Promise<CheckResponse> | CheckResponse {
  if (draining) throw new GateError('GATE_ERR_OVERLOADED', 'the gate is shutting down');
  return check(request, startedAt, deadlineMs, timing);
}

function check(request: CheckRequest, startedAt: number, deadlineMs: number, timing: ServerTiming | undefined): Promise<CheckResponse> | CheckResponse {
  const staged = rollout;
  const loaded = staged !== undefined && sellerBucket(request.sellerId) < staged.buckets ? staged.loaded : live;
  const current = banks;
  if (!loaded || !current) throw new GateError('GATE_ERR_NOT_READY', 'no policy pack is live yet');
  const matchedAt = performance.now();
  const match = matchListing(loaded.db, loaded.compiled.meta, current.indexes, listingToMatch(request));
  const matchMicros = (performance.now() - matchedAt) * 1000;
  timing?.mark('match');
  const probes = listProbes(request);
  const decision = decideHere(request, probes, match, loaded, current);
  match.matchMicros = Math.round(matchMicros);
  if (!decision) return finishOnEventLoop(request, startedAt, deadlineMs, match, loaded, timing);
  const response = responseOf(request, decision, loaded, startedAt);
  if (decision.verdict === 'review') {
    // A review item must be in Redis (or the event loop's spool) before the answer names it.
    if (!reviewQueue.available) return finishOnEventLoop(request, startedAt, deadlineMs, match, loaded, timing);
    return queueReview(request, response, decision, probes.length, matchMicros, startedAt, deadlineMs, match, loaded, timing);
  }
  keep(request, response, decision, probes.length, matchMicros, deadlineMs);
  timing?.mark('decide');
  return response;
}

/** The check's outcome, kept for the event loop's bookkeeping (sent in a batch, maybe at once). */
function keep(
  request: CheckRequest,
  response: CheckResponse,
  decision: ListingDecision,
  probeCount: number,
  matchMicros: number,
  deadlineMs: number,
  reviewQueued?: ThreadCheckOutcome['reviewQueued'],
): void {
  // Every probe and the ring question were answered by the tables (needsEventLoop said so).
  counts.listTableAnswers += probeCount;
  counts.ringTableAnswers++;
  const late = isLate(response.tookMicros, deadlineMs);
  const kept = keptOf(request, response, decision, matchMicros, late);
  if (kept.allow) pushThreadAllow(allows, kept.allow);
  else {
    if (reviewQueued) kept.outcome.reviewQueued = reviewQueued;
    outcomes.push(kept.outcome);
  }
  if (setup.sampleListings && (sampleShare >= 1 || Math.random() < sampleShare)) sampled.push(request);
  scheduleFlush();
}

/** A review verdict: its item into Redis from this thread, or, when that cannot be done in time, the check to the event loop. */
async function queueReview(
  request: CheckRequest,
  response: CheckResponse,
  decision: ListingDecision,
  probeCount: number,
  matchMicros: number,
  startedAt: number,
  deadlineMs: number,
  match: ListingMatch,
  loaded: LoadedPack,
  timing: ServerTiming | undefined,
): Promise<CheckResponse> {
  const item = reviewVerdictItem(request, response, decision.brands);
  const queueingFrom = performance.now();
  const queued = await reviewQueue.enqueue(item, queueBudgetMs(deadlineMs, queueingFrom - startedAt) - HANDOVER_RESERVE_MS);
  // Late, refused, or a reviewer decided this very content meanwhile: the event loop
  // finishes the check (its queue or spool; the reviewer's verdict). A late write
  // that lands after all is the same content: the enqueue script de-duplicates it.
  if (queued?.kind !== 'queued')
    return finishOnEventLoop(request, startedAt, deadlineMs, match, loaded, timing, { reviewId: item.reviewId, checkId: response.checkId });
  const waited = performance.now() - queueingFrom;
  timing?.mark('review-queue');
  response.reviewId = queued.reviewId;
  response.tookMicros = Math.round((performance.now() - startedAt) * 1000);
  keep(request, response, decision, probeCount, matchMicros, deadlineMs, { created: queued.created, seconds: waited / 1000 });
  return response;
}

/** What the event loop keeps of a check this thread answered: a compact allow, or the whole outcome. */
function keptOf(
  request: CheckRequest,
  response: CheckResponse,
  decision: ListingDecision,
  matchMicros: number,
  late: boolean,
): { allow: ThreadAllow; outcome?: never } | { allow?: never; outcome: ThreadCheckOutcome } {
  const qaSampled = response.verdict === 'allow' && setup.qaShare > 0 && Math.random() < setup.qaShare;
  // An allow with reasons goes whole: its entries' figures need the reasons' refs (enforced-figures.ts).
  if (
    response.verdict === 'allow' &&
    response.reasons.length === 0 &&
    !qaSampled &&
    !decision.shadow &&
    decision.degraded.length === 0 &&
    decision.fingerprintHits.images.length === 0
  ) {
    // Nothing but a compact record, metrics and the seller's links to keep: sent as strings.
    return {
      allow: {
        listingId: request.listingId,
        sellerId: request.sellerId,
        packedRecord: packAllowRecordAt(Date.now(), response.checkId, response.reasons, response.policyVersion, request.sellerId),
        ringNodes: nodesOf(ringAttributes(request)),
        region: request.attributes?.shipFrom ?? '',
        tookMicros: response.tookMicros,
        matchMicros,
        late,
      },
    };
  }
  const outcome: ThreadCheckOutcome = {
    request,
    response,
    brands: decision.brands,
    fingerprintHits: decision.fingerprintHits,
    degradedSignals: decision.degraded.map((d) => d.signal),
    matchMicros,
    late,
    decidedAt: new Date().toISOString(),
    qaSampled,
  };
  if (decision.shadow) outcome.shadow = decision.shadow;
  return { outcome };
}

// Rounds of the rehearsal before the thread is first ready, and how long it may take
// at most (each listing once, at least); a later pack is rehearsed while this thread
// answers checks, a few listings a turn (`turnMs`), for at most `ms` however many it got through.
interface RehearsalBudget {
  rounds: number;
  ms: number;
  turnMs?: number;
}
const FIRST_REHEARSAL: RehearsalBudget = { rounds: 2_000, ms: 400 };
const rehearsalKeys = redisKeys(setup.reviews.prefix);
const SWAP_REHEARSAL: RehearsalBudget = { rounds: 200, ms: 10, turnMs: 1 };

/**
 * Runs a check's path on this thread (decode, validate, match, decide, encode,
 * what is kept for the event loop) over listings made from the pack, before the
 * thread says it is ready, so that the first checks after /readyz do not pay for
 * compiling it; a review verdict's item is built as for the queue, and not sent.
 * Nothing it decides is kept.
 */
async function rehearse(loaded: LoadedPack, budget: RehearsalBudget): Promise<void> {
  const current = banks;
  if (!current) return;
  const bodies = rehearsalListings(loaded.compiled.pack).map((listing) => Buffer.from(JSON.stringify(listing)));
  const scratch: string[] = [];
  const until = performance.now() + budget.ms;
  let turnStarted = performance.now();
  // At a swap, live checks share the turns and the swap waits for the end: the time bounds it, not the listings.
  const atLeast = budget.turnMs === undefined ? bodies.length : 1;
  for (let round = 0; round < Math.max(budget.rounds, atLeast) && (round < atLeast || performance.now() < until); round++) {
    if (budget.turnMs !== undefined && performance.now() - turnStarted >= budget.turnMs) {
      await nextTurn();
      turnStarted = performance.now();
    }
    const startedAt = performance.now();
    const bytes = bodies[round % bodies.length] as Buffer;
    checkJsonDepth(bytes);
    const request = checkRequestOf(decodeBody(bytes, 'json'));
    const match = matchListing(loaded.db, loaded.compiled.meta, current.indexes, listingToMatch(request));
    const decision =
      decideHere(request, listProbes(request), match, loaded, current) ??
      decideListing(
        { compiled: loaded.compiled, banks: current.snapshot, demoted: mirrored.demoted, failModes: setup.failModes, brandsSharing: () => NONE },
        request,
        { text: { ok: true, value: match }, lists: NO_LISTS, ring: NO_RING, person: NO_PERSON },
      );
    const response = responseOf(request, decision, loaded, startedAt);
    if (decision.verdict === 'review') {
      enqueueArguments(rehearsalKeys, reviewVerdictItem(request, response, decision.brands), setup.reviews.retentionSeconds);
    }
    JSON.stringify(response);
    const kept = keptOf(request, response, decision, 0, false);
    if (kept.allow) pushThreadAllow(scratch, kept.allow);
    scratch.length = 0;
  }
}

const refused = new RefusedKeys();
const forwardTarget = new ForwardTarget({ ...setup.forward, log });
const counted = {
  httpErrors: { inc: (labels: Record<string, string>) => (counts.httpErrors.push(labels.code ?? 'unknown'), scheduleFlush()) },
  httpErrorsBy: (code: string) => ({ inc: () => (counts.httpErrors.push(code), scheduleFlush()) }),
  refusalSeconds: { observe: (seconds: number) => (counts.refusalSeconds.push(seconds), scheduleFlush()) },
};
const roleCheck: RoleCheck = {
  tokens: buildTokens(setup.tokens),
  authFailures: { inc: (labels: Record<string, string>) => (counts.authFailures.push(labels.route ?? 'unknown'), scheduleFlush()) },
  limiter: refused,
  log: new ThrottledLog(log),
};
const inFlight = { count: 0 };
const turn = new ThreadTurn(setup.turnMs);
/** One error object for every refusal: a refusal must cost the thread as little as possible. */
const TURN_OVER = new GateError('GATE_ERR_OVERLOADED', 'this check thread is at its limit; retry after the retry-after delay');
const NOTHING_TO_RELEASE = (): void => undefined;
const options: RouteOptions = {
  readsBody: true,
  auth: { roles: ['publisher'], name: 'check', enforced: () => roleCheck.tokens.hasRole('publisher') },
  roleCheck,
  maxBodyBytes: setup.maxBodyBytes,
  metrics: counted,
  log,
  inFlight,
  admit: () => {
    if (turn.overdue()) throw TURN_OVER;
    return NOTHING_TO_RELEASE;
  },
};

const checkRoute = route(options, ({ head, body, startedAt, timing }) => {
  // Admitted early in a turn, its body may still be read after the turn ran over.
  if (turn.overdue()) throw TURN_OVER;
  const deadlineMs = deadlineOf(head.deadlineMs, setup.defaultDeadlineMs);
  return checkListing(checkRequestOf(body), startedAt, deadlineMs, timing);
});

function forward(res: uWS.HttpResponse, req: uWS.HttpRequest): void {
  inFlight.count++;
  forwardRequest(res, req, forwardTarget, () => inFlight.count--);
}

const routes = new RouteTable(uWS.App());
const app = routes.app;
routes.post('/v1/check', (res, req) => {
  // An unknown token is the event loop's to count, refuse and log: its limiter is the one every thread follows.
  if (roleCheck.tokens.hasRole('publisher') && !roleCheck.tokens.identify(req.getHeader('authorization'))) forward(res, req);
  else checkRoute(res, req);
});
const stream = registerCheckStream(routes, {
  // Not checkListing: what a socket accepted before the drain is still checked; the socket refuses what comes after.
  check: (request, startedAt, deadlineMs) => check(request, startedAt, deadlineMs, undefined),
  limits: setup.stream,
  turn,
  defaultDeadlineMs: setup.defaultDeadlineMs,
  maxBodyBytes: setup.maxBodyBytes,
  counters: tallyCounters(() => counts.stream, scheduleFlush),
  pending: inFlight,
  toGateError: (error) => toGateError(error, log),
  admitUpgrade: (res, req) => {
    // As for POST /v1/check: the event loop counts and refuses unknown tokens (a forwarded upgrade request is a plain GET there).
    if (roleCheck.tokens.hasRole('publisher') && !roleCheck.tokens.identify(req.getHeader('authorization'))) {
      forward(res, req);
      return false;
    }
    return authorizeUpgrade(
      {
        roleCheck,
        enforced: options.auth?.enforced ?? (() => true),
        forwardSecret: undefined,
        httpErrors: counted.httpErrors,
        toGateError: (error) => toGateError(error, log),
      },
      res,
      req,
    );
  },
});
routes.fallback(forward);

let listenSocket: uWS.us_listen_socket | undefined;
app.listen(setup.host, setup.port, (socket) => {
  if (!socket) throw new Error(`check thread ${setup.index} cannot listen on ${setup.host}:${setup.port}`);
  listenSocket = socket;
  tell({ type: 'listening', port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket), routes: [...routes.routes] });
});

/** No new connections; once the checks in flight are answered and the check sockets closed, the event loop is told. */
function drain(answerWithinMs: number): void {
  if (listenSocket) uWS.us_listen_socket_close(listenSocket);
  listenSocket = undefined;
  stream.drain();
  const giveUp = setTimeout(() => stream.abandon(), answerWithinMs);
  const poll = (): void => {
    if (inFlight.count > 0 || waiting.size > 0 || stream.connections > 0) {
      setTimeout(poll, 5);
      return;
    }
    clearTimeout(giveUp);
    flushOutcomes();
    forwardTarget.close();
    tell({ type: 'drained' });
  };
  poll();
}

/**
 * Closes every socket, then ends the thread: a worker thread that ends with uWS's
 * sockets open aborts the whole process (uv_loop_close with open handles). An
 * error nothing caught ends the thread the same way, and the event loop starts
 * another.
 */
function shutdown(code: number): void {
  flushOutcomes(); // what this thread answered is recorded even when it fails
  reviewQueue.close();
  // The pinned build has App.close() (every listen socket and connection); its typings do not list it.
  (app as uWS.TemplatedApp & { close(): void }).close();
  forwardTarget.close();
  port?.close();
  setTimeout(() => process.exit(code), 10);
}
process.on('uncaughtException', (error) => {
  log.error(`failed: ${error.message}`, { err: error });
  shutdown(1);
});
