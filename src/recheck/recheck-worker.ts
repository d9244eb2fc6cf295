// A re-check job's thread (docs/rechecks.md): everything a job does besides
// matching (reading and decoding its batches, deciding, reading recorded
// verdicts, emitting) runs here at GATE_RECHECK_NICE with a Redis connection of
// its own, so that a job running flat out takes only the CPU live checks leave.
// The event loop keeps the thread's copies of its tables and pack in step, and
// answers what only it knows: the signals of the few listings the tables cannot
// settle, the verdict records it has not written yet, and the recording of a
// changed verdict through the check path.
import { parentPort, workerData } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import { MirroredState } from '../check-thread/mirrored-state.js';
import { runInBackground } from '../config/background-priority.js';
import { nameThread } from '../config/name-thread.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import { MatchPool } from '../matcher/match-pool.js';
import { messageLog } from '../observability/gate-logger.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import { connectRedis, useRedisTls } from '../redis/connect-redis.js';
import { recheckKeys, redisKeys } from '../redis/redis-keys.js';
import type { ListingVerdict } from '../review/listing-verdict.js';
import { ListingVerdicts } from '../review/listing-verdicts.js';
import { RecheckDecider } from './recheck-decider.js';
import type { FromRecheckThread, RecheckThreadSetup, ToRecheckThread } from './recheck-messages.js';
import { receivePackForThreads } from '../pack/pack-for-threads.js';
import { RecheckRunner } from './recheck-runner.js';
import { RecheckStore } from './recheck-store.js';

const setup = workerData as RecheckThreadSetup;
const port = parentPort;
if (!port) throw new Error('recheck-worker.js runs as a worker thread');
nameThread('gate-recheck');
/**
 * With nice values alone, above its own pool's threads (a CFS weight about 3 times
 * theirs), so that it keeps them fed, and still far below live traffic's nice 0:
 * with the thread at the pool's 19, a job ran 13,600 listings/s under live checks,
 * at 14 about 17,000. Under SCHED_IDLE (the default) the nice value is kept, unused.
 */
const ABOVE_POOL = 5;
const idle = setup.settings.scheduling === 'idle';
runInBackground({ nice: Math.max(0, setup.settings.nice - ABOVE_POOL), idle });
useRedisTls(setup.tls);

/** Tasks of the re-check pool hold more listings than the live pool's: fewer wake-ups per listing. */
const RECHECK_TASK_LISTINGS = 256;
const CONNECT_RETRY_MS = 2000;
const ANSWER_TIMEOUT_MS = 30_000;

const tell = (message: FromRecheckThread): void => port.postMessage(message);
const log = messageLog((message, level, fields) => {
  try {
    tell({ type: 'log', level, message, fields });
  } catch {
    tell({ type: 'log', level, message, fields: {} }); // fields that do not clone
  }
});
const failures = new ThrottledLog(log);

const mirrored = new MirroredState();
let pack: CompiledPack | undefined;
let banks: FingerprintSnapshot | undefined;
const liveBusy = new Int32Array(setup.liveBusy);

let nextQuestion = 1;
const questions = new Map<number, { resolve: (answer: ToRecheckThread) => void; reject: (error: Error) => void }>();

/** Asks the event loop; its answer carries the same id. */
function ask(question: (id: number) => FromRecheckThread): Promise<ToRecheckThread> {
  const id = nextQuestion++;
  return new Promise((resolve, reject) => {
    // An answer lost would hold the job, and its lease, for good: the batch fails instead and is read again.
    const timer = setTimeout(
      () => answered(id, { type: 'refused', id, message: `the event loop did not answer within ${ANSWER_TIMEOUT_MS} ms` }),
      ANSWER_TIMEOUT_MS,
    );
    timer.unref();
    questions.set(id, {
      resolve: (answer) => {
        clearTimeout(timer);
        resolve(answer);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    tell(question(id));
  });
}

function answered(id: number, answer: ToRecheckThread): void {
  const question = questions.get(id);
  questions.delete(id);
  if (!question) return;
  if (answer.type === 'refused') question.reject(new Error(answer.message));
  else question.resolve(answer);
}

let stopping = false;
let redis: Redis | undefined;
let pool: MatchPool | undefined;
let runner: RecheckRunner | undefined;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(): Promise<Redis | undefined> {
  while (!stopping) {
    try {
      return await connectRedis(setup.redisUrl, 'gate-recheck');
    } catch (error) {
      failures.note('recheck-connect', `re-check: cannot connect to Redis, retrying: ${(error as Error).message}`);
      await sleep(CONNECT_RETRY_MS);
    }
  }
  return undefined;
}

async function start(): Promise<void> {
  redis = await connect();
  if (!redis) return;
  const { settings } = setup;
  const store = new RecheckStore(redis, recheckKeys(setup.redisPrefix), setup.webhookOutbox, {
    retentionSeconds: setup.retentionSeconds,
    verdictsMaxLen: settings.verdictsMaxLen,
    webhooks: setup.webhooks,
  });
  // Read only: records are written by the event loop's check path.
  const verdicts = new ListingVerdicts(redis, redisKeys(setup.redisPrefix), {
    retentionSeconds: setup.retentionSeconds,
    allowRetentionSeconds: setup.allowRetentionSeconds,
    allowRecordBuckets: setup.allowRecordBuckets,
  });
  const decider = new RecheckDecider({
    pack: () => pack,
    banks: () => banks,
    pool: () => (pool ??= new MatchPool({ threads: settings.threads, background: { nice: settings.nice, idle }, maxBatch: RECHECK_TASK_LISTINGS })),
    mirrored,
    failModes: setup.failModes,
    signalsOf: async (requests) => {
      const answer = await ask((id) => ({ type: 'ask-signals', id, requests }));
      if (answer.type !== 'signals') throw new Error(`the event loop answered ${answer.type} to signals`);
      return answer.signals;
    },
  });
  runner = new RecheckRunner({
    store,
    decider,
    // The event loop's records not written yet first, then Redis: a record written in between is in Redis.
    recorded: async (listingIds) => {
      const answer = await ask((id) => ({ type: 'ask-waiting', id, listingIds: [...listingIds] }));
      if (answer.type !== 'waiting') throw new Error(`the event loop answered ${answer.type} to waiting records`);
      const stored = await verdicts.getMany(listingIds);
      return listingIds.map((_, i): ListingVerdict | undefined => answer.verdicts[i] ?? stored[i]);
    },
    record: (request, matched) => ask((id) => ({ type: 'record', id, request, matched })),
    liveBusy: () => Atomics.load(liveBusy, 0) === 1,
    settings,
    maxListingBytes: setup.maxListingBytes,
    figures: {
      emitted: (batch) => tell({ type: 'emitted', batch }),
      running: (jobId) => tell({ type: 'running', jobId }),
    },
    log,
  });
  if (stopping) return;
  runner.start();
}

async function stop(): Promise<void> {
  stopping = true;
  await started;
  await runner?.stop();
  await pool?.close();
  redis?.disconnect();
  tell({ type: 'stopped' });
}

const started = start().catch((error: unknown) => {
  log.error(`re-check: the job thread could not start: ${(error as Error).message}`);
  process.exit(1); // ends this thread only; the event loop starts another
});

port.on('message', (message: ToRecheckThread) => {
  switch (message.type) {
    case 'table':
    case 'alliance':
    case 'demoted':
      mirrored.apply(message);
      break;
    case 'pack':
      pack = receivePackForThreads(message.pack);
      break;
    case 'banks':
      banks = message.snapshot;
      break;
    case 'signals':
    case 'waiting':
    case 'recorded':
    case 'refused':
      answered(message.id, message);
      break;
    case 'stop':
      void stop();
      break;
  }
});
