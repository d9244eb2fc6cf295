// What the event loop and a re-check job's thread (recheck-worker.ts) say to each
// other. Packs' databases and the fingerprint indexes are shared memory and cross
// without a copy.
import type { MirrorMessage } from '../check-thread/mirrored-state.js';
import type { DegradableSignal, FailMode, RecheckSettings } from '../config/gate-config.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { PrecomputedMatch } from '../gate/check-service.js';
import type { EventLoopSignals } from '../gate/event-loop-signals.js';
import type { LogFields, LogLevel } from '../observability/gate-logger.js';
import type { PackForThreads } from '../pack/pack-for-threads.js';
import type { RedisTls } from '../redis/connect-redis.js';
import type { ListingVerdict } from '../review/listing-verdict.js';
import type { EmittedBatch } from './recheck-figures.js';

export interface RecheckThreadSetup {
  redisUrl: string;
  tls?: RedisTls;
  redisPrefix: string;
  webhookOutbox: string;
  /** A webhook URL is configured: changed verdicts go to the outbox. */
  webhooks: boolean;
  retentionSeconds: number;
  /** How the compact allow records are kept (GATE_ALLOW_RETENTION_DAYS, GATE_ALLOW_RECORD_BUCKETS): read as a check's record is. */
  allowRetentionSeconds: number;
  allowRecordBuckets: number;
  settings: RecheckSettings;
  /** Largest listing an entry may hold (GATE_MAX_BODY_BYTES). */
  maxListingBytes: number;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  /** One Int32 the event loop sets to 1 while live checks wait: the job waits too. */
  liveBusy: SharedArrayBuffer;
}

export type ToRecheckThread =
  | MirrorMessage
  /** The live pack's scoring parts, database and meta (pack-for-threads.ts). */
  | { type: 'pack'; pack: PackForThreads }
  | { type: 'banks'; snapshot: FingerprintSnapshot }
  | { type: 'signals'; id: number; signals: EventLoopSignals[] }
  /** The records still waiting on the event loop to be written, by the listings asked about. */
  | { type: 'waiting'; id: number; verdicts: Array<ListingVerdict | undefined> }
  | { type: 'recorded'; id: number }
  /** A question of the thread's that the event loop could not answer. */
  | { type: 'refused'; id: number; message: string }
  /** Take no more jobs; end the one running after its batch and say `stopped`. */
  | { type: 'stop' };

export type FromRecheckThread =
  | { type: 'ask-signals'; id: number; requests: CheckRequest[] }
  | { type: 'ask-waiting'; id: number; listingIds: string[] }
  /** Record a changed verdict through the check path (review item, verdict record), with what the job matched. */
  | { type: 'record'; id: number; request: CheckRequest; matched: PrecomputedMatch }
  | { type: 'emitted'; batch: EmittedBatch }
  | { type: 'running'; jobId: string | undefined }
  | { type: 'log'; level: LogLevel; message: string; fields: LogFields }
  | { type: 'stopped' };
