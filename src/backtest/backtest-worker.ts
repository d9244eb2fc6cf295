// A backtest's thread (issue 26 point 3): reads the sample from Redis, newest
// first, and judges each listing with the live pack and the candidate, at a low
// CPU priority, so that live checks go first. It decides as a check thread does,
// from its copies of the event loop's tables; a listing a table says a list, a
// ring, a person's verdict or a share may concern is asked of the event loop,
// whose answers both packs then judge with.
import { parentPort, workerData } from 'node:worker_threads';
import { needsEventLoop } from '../check-thread/needs-event-loop.js';
import { lowerThreadPriority } from '../config/lower-thread-priority.js';
import { nameThread } from '../config/name-thread.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import { fingerprintsFromShared, type FingerprintIndexes } from '../fingerprint/fingerprint-indexes.js';
import type { CheckRequest } from '../gate/check-request.js';
import { decideListing } from '../gate/decide-listing.js';
import { listProbes } from '../gate/list-probes.js';
import type { BankChanges } from '../gate/bank-changes.js';
import type { ListHit } from '../gate/list-hit.js';
import { shadowIndexOf, shadowListHits } from '../gate/shadow-index.js';
import { LIST_KINDS } from '../pack/policy-pack.js';
import { MirroredState } from '../check-thread/mirrored-state.js';
import { listingToMatch } from '../matcher/listing-fields.js';
import { matchListing } from '../matcher/match-listing.js';
import type { ListingMatch } from '../matcher/match-task.js';
import { rulesEngine, type NativeDatabase } from '../native/rules-engine.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import { connectRedis, useRedisTls } from '../redis/connect-redis.js';
import { unpackStoredListing } from '../review/stored-listing.js';
import type { BacktestSetup, FromBacktest, ToBacktest } from './backtest-messages.js';
import { type EventLoopSignals, NO_SIGNALS } from '../gate/event-loop-signals.js';
import { BacktestTally, type SideVerdict } from './backtest-tally.js';

const setup = workerData as BacktestSetup;
const port = parentPort;
if (!port) throw new Error('backtest-worker.js runs as a worker thread');
nameThread('gate-backtest');
lowerThreadPriority(setup.nice);
prepareNormalizer();
useRedisTls(setup.tls);

/** Sample entries read per XREVRANGE (a few hundred KB). */
const READ_COUNT = 1000;
/**
 * A live check's text budget (8 ms) counts a preempted thread's wait against the
 * listing; a thread at nice 19 waits often, and its truncated text would show as
 * changes that no pack made.
 */
const TEXT_BUDGET_MS = 1000;

const mirrored = new MirroredState();
let nextAsk = 1;
const asked = new Map<number, (signals: EventLoopSignals[]) => void>();

function tell(message: FromBacktest): void {
  port?.postMessage(message);
}

function ask(requests: CheckRequest[]): Promise<EventLoopSignals[]> {
  const id = nextAsk++;
  return new Promise((resolve) => {
    asked.set(id, resolve);
    tell({ type: 'ask', id, requests });
  });
}

interface Side {
  compiled: CompiledPack;
  db: NativeDatabase;
  /** The candidate's: list values and banked items it adds to the live ones and takes out of them. */
  changes?: { bank: BankChanges; removedLists: ReadonlySet<string> };
}

const listKey = (hit: ListHit): string => `${hit.kind}\t${hit.value}`;

interface Matched {
  request: CheckRequest;
  live: ListingMatch;
  candidate: ListingMatch;
}

function judge(side: Side, banks: FingerprintSnapshot, request: CheckRequest, match: ListingMatch, signals: EventLoopSignals): SideVerdict {
  // A person decided this very content: their verdict stands under either pack.
  if (signals.person !== undefined) return { verdict: signals.person, reasons: [] };
  const { changes } = side;
  const context = {
    compiled: side.compiled,
    banks,
    demoted: mirrored.demoted,
    failModes: setup.failModes,
    brandsSharing: () => signals.sharing,
    ...(changes ? { bankChanges: changes.bank } : {}),
  };
  const lists = changes
    ? [...signals.lists.filter((hit) => !changes.removedLists.has(listKey(hit))), ...shadowListHits(changes.bank.added, request)]
    : signals.lists;
  const decision = decideListing(context, request, {
    text: { ok: true, value: match },
    lists: { ok: true, value: lists },
    ring: { ok: true, value: signals.ring },
    person: { ok: true, value: undefined },
  });
  return { verdict: decision.verdict, reasons: decision.reasons };
}

/** The entry's listing id and packed listing (fields `id` and `l`). */
function entryOf(fields: readonly string[]): { listingId: string; packed: string } | undefined {
  let listingId: string | undefined;
  let packed: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === 'id') listingId = fields[i + 1];
    else if (fields[i] === 'l') packed = fields[i + 1];
  }
  return listingId === undefined || packed === undefined ? undefined : { listingId, packed };
}

async function replay(start: Extract<ToBacktest, { type: 'start' }>): Promise<FromBacktest> {
  const redis = await connectRedis(setup.redisUrl, 'gate-backtest', { enableOfflineQueue: true, commandTimeout: 60_000 });
  const live: Side = { compiled: start.live, db: rulesEngine.deserialize(start.live.databaseBytes, start.live.key) };
  // A candidate that changes no pattern (scores, modes, thresholds) shares the live database: one match serves both.
  const candidate: Side = {
    compiled: start.candidate,
    db: start.candidate.key === start.live.key ? live.db : rulesEngine.deserialize(start.candidate.databaseBytes, start.candidate.key),
    changes: {
      bank: { added: shadowIndexOf(start.additions), removed: { images: new Set(start.removals.images), texts: new Set(start.removals.texts) } },
      removedLists: new Set(LIST_KINDS.flatMap((kind) => start.removals.lists[kind].map((value) => listKey({ kind, value, field: '' })))),
    },
  };
  const indexes: FingerprintIndexes = fingerprintsFromShared(start.banks.shared);
  const tally = new BacktestTally(setup.examples);
  const seen = new Set<string>();
  const judgeBoth = (matched: Matched, signals: EventLoopSignals): void =>
    tally.add(
      matched.request.listingId,
      judge(live, start.banks, matched.request, matched.live, signals),
      judge(candidate, start.banks, matched.request, matched.candidate, signals),
    );
  const started = performance.now();
  try {
    let end = '+';
    while (seen.size < setup.maxListings) {
      const rows = await redis.xrevrange(setup.sampleKey, end, '-', 'COUNT', READ_COUNT);
      const last = rows[rows.length - 1];
      if (!last) break;
      end = `(${last[0]}`;
      const forEventLoop: Matched[] = [];
      for (const [, fields] of rows) {
        const entry = entryOf(fields);
        // A listing checked again since is judged once, as last checked.
        if (!entry || seen.has(entry.listingId)) continue;
        if (seen.size >= setup.maxListings) break;
        seen.add(entry.listingId);
        const request = unpackStoredListing(entry.listingId, entry.packed);
        const toMatch = listingToMatch(request);
        const liveMatch = matchListing(live.db, live.compiled.meta, indexes, toMatch, TEXT_BUDGET_MS);
        const matched: Matched = {
          request,
          live: liveMatch,
          candidate: candidate.db === live.db ? liveMatch : matchListing(candidate.db, candidate.compiled.meta, indexes, toMatch, TEXT_BUDGET_MS),
        };
        if (needsEventLoop(mirrored.tables, mirrored.shares, request, listProbes(request))) forEventLoop.push(matched);
        else judgeBoth(matched, NO_SIGNALS);
      }
      if (forEventLoop.length > 0) {
        const signals = await ask(forEventLoop.map((matched) => matched.request));
        forEventLoop.forEach((matched, i) => {
          const answer = signals[i];
          if (!answer) throw new Error(`the event loop answered ${signals.length} of ${forEventLoop.length} listings`);
          judgeBoth(matched, answer);
        });
      }
    }
  } finally {
    redis.disconnect();
    if (candidate.db !== live.db) candidate.db.close();
    live.db.close();
  }
  return { type: 'done', changes: tally.result(), replayMillis: Math.round(performance.now() - started) };
}

port.on('message', (message: ToBacktest) => {
  switch (message.type) {
    case 'table':
    case 'alliance':
    case 'demoted':
      mirrored.apply(message);
      break;
    case 'signals':
      asked.get(message.id)?.(message.signals);
      asked.delete(message.id);
      break;
    case 'start':
      replay(message).then(tell, (error: unknown) => tell({ type: 'failed', message: (error as Error).message }));
      break;
  }
});
