// What the event loop and the check threads say to each other (structured clone
// over each thread's port; pack databases, fingerprint indexes and ref tables are
// shared memory and cross without a copy).
import type { TokenConfig } from '../auth/build-tokens.js';
import type { RedisTls } from '../redis/connect-redis.js';
import type { DegradableSignal, FailMode } from '../config/gate-config.js';
import type { GateErrorBody } from '../errors/gate-error.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { MirrorChange } from '../lists/membership-mirror.js';
import type { PackForThreads } from '../pack/pack-for-threads.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { CheckResponse } from '../gate/check-response.js';
import type { PrecomputedMatch, ThreadCheckOutcome } from '../gate/check-service.js';
import type { StreamLimits } from '../stream/stream-connection.js';
import type { StreamTally } from '../stream/stream-counters.js';
import type { RegisteredRoute } from '../http/route-table.js';

export interface CheckThreadSetup {
  /** Threads are numbered from 0; thread 0 picks the port when `port` is 0. */
  index: number;
  host: string;
  port: number;
  maxBodyBytes: number;
  defaultDeadlineMs: number;
  /** GATE_THREAD_TURN_MS: a turn's work past which checks are refused and socket messages wait. */
  turnMs: number;
  /** Bounds of each check socket connection. */
  stream: StreamLimits;
  authFailureLimit: number;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  /** The share of allowed listings copied to the QA review tier (GATE_QA_SHARE); the thread draws which. */
  qaShare: number;
  /** Whether the event loop keeps checked listings for backtests (GATE_BACKTEST_SAMPLE above 0): the thread then packs those it decided. */
  sampleListings: boolean;
  tokens: TokenConfig;
  /** Where every request other than a check goes: the event loop's own listener on loopback. */
  forward: { port: number; secret: string };
  /** The review queue's Redis: a thread queues the review items of the checks it decides itself. */
  reviews: ThreadReviewQueueSetup;
}

export interface ThreadReviewQueueSetup {
  redisUrl: string;
  prefix: string;
  tls: RedisTls | undefined;
  /** How long a closed item is kept (GATE_RETENTION_DAYS), in seconds. */
  retentionSeconds: number;
}

export type TableName = 'lists' | 'decided' | 'rings';

export type ToThread =
  /** The pack's `pack` holds its scoring parts only (no lists or banks); its database and meta are shared memory. */
  | { type: 'pack'; id: number; pack: PackForThreads }
  | { type: 'live'; id: number }
  /** A staged rollout: the loaded pack `id` judges sellers in buckets below `buckets` (seller-bucket.ts); no id: none. */
  | { type: 'rollout'; id: number | undefined; buckets: number }
  | { type: 'banks'; snapshot: FingerprintSnapshot }
  | { type: 'table'; table: TableName; change: MirrorChange }
  | { type: 'alliance'; shares: Array<[string, readonly string[]]> }
  | { type: 'demoted'; causes: string[] }
  /** The share of listings to draw into the backtest sample (sample-share.ts). */
  | { type: 'sample-share'; share: number }
  /** The event loop's spool takes an outage's backlog: review items go to the event loop, which spools them behind it. */
  | { type: 'review-spool-joins'; joins: boolean }
  | { type: 'finished'; id: number; response: CheckResponse }
  | { type: 'failed'; id: number; error: GateErrorBody['error'] }
  /** The event loop's limiter refuses `key` (`ip:<address>` or `token:<digest>`) until then. */
  | { type: 'refused'; key: string; untilEpochMs: number }
  /** Send the outcomes held back now, then say `flushed` with the same id. */
  | { type: 'flush'; id: number }
  /** `answerWithinMs`: past it, check sockets refuse what they still hold (the event loop stops waiting soon after). */
  | { type: 'drain'; answerWithinMs: number }
  /** Close every connection and end the thread (a worker thread ended with sockets open aborts the process). */
  | { type: 'close' };

/** What the event loop's metrics count of a batch besides its outcomes. */
export interface ThreadCounts {
  /** Error answers, by code. */
  httpErrors: string[];
  /** Refused authentications, by route. */
  authFailures: string[];
  /** Checks refused for overload: seconds from arrival to the refusal written (gate_refusal_duration_seconds). */
  refusalSeconds: number[];
  /** List probes and ring questions the thread's tables answered "no" (as the event loop's own tables count them). */
  listTableAnswers: number;
  ringTableAnswers: number;
  /** The check socket's connections, messages and answers. */
  stream: StreamTally;
}

export type FromThread =
  /** `routes`: what the thread answers itself (it forwards every other request). */
  | { type: 'listening'; port: number; routes: RegisteredRoute[] }
  | { type: 'loaded'; id: number }
  | { type: 'ready' }
  /** A check the thread could not finish alone (a list, ring or person's verdict may be involved, or it goes to review). */
  | { type: 'finish'; id: number; request: CheckRequest; startedAtEpochMs: number; deadlineMs: number; matched: PrecomputedMatch }
  /**
   * `allows`: the allowed checks of the batch that need no more than a compact record (thread-allows.ts);
   * `samples`: the listings of the batch's checks for the backtest sample, packed (id, listing, id, …; empty when not kept).
   */
  | { type: 'outcomes'; outcomes: ThreadCheckOutcome[]; allows: string[]; samples: string[]; counts: ThreadCounts }
  | { type: 'flushed'; id: number }
  | { type: 'drained' };
