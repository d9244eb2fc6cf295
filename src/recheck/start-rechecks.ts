// Re-check jobs on one instance: the API's side (start, read, pause…) always;
// the job's thread (recheck-thread.ts), below live traffic with a low-priority
// matching pool of its own made at the first job, when GATE_RECHECK_THREADS is
// above 0.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { AllianceSellers } from '../alliance/alliance-sellers.js';
import type { DegradableSignal, FailMode, RecheckSettings } from '../config/gate-config.js';
import { privateDir } from '../config/private-dir.js';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import type { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import type { CheckService } from '../gate/check-service.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { MatchPool } from '../matcher/match-pool.js';
import type { GateLog } from '../observability/gate-logger.js';
import type { MetricsRegistry } from '../observability/metrics.js';
import type { LivePack } from '../pack/live-pack.js';
import type { RedisTls } from '../redis/connect-redis.js';
import { recheckKeys } from '../redis/redis-keys.js';
import type { DecidedListings } from '../review/decided-listings.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import type { SellerRings } from '../rings/seller-rings.js';
import { registerRecheckFigures } from './recheck-figures.js';
import { RecheckStore } from './recheck-store.js';
import { RecheckThread } from './recheck-thread.js';
import { Rechecks } from './rechecks.js';

export interface RecheckStartParts {
  redis: Redis;
  /** For the job thread's own connection. */
  redisUrl: string;
  redisTls: RedisTls | undefined;
  redisPrefix: string;
  webhookOutbox: string;
  /** A webhook URL is configured: changed verdicts go to the outbox. */
  webhooks: boolean;
  retentionSeconds: number;
  allowRetentionSeconds: number;
  allowRecordBuckets: number;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  settings: RecheckSettings;
  dataDir: string;
  maxBodyBytes: number;
  /** GATE_MAX_CHECKS_IN_FLIGHT: with half of it in flight, live checks are queueing and a job waits. */
  maxChecksInFlight: number;
  checks: CheckService;
  /** The live checks' pool: while listings wait for it, a job waits too. */
  livePool: MatchPool;
  livePack: LivePack;
  fingerprints: FingerprintBank;
  lists: BlocklistStore;
  rings: SellerRings;
  decided: DecidedListings;
  alliance: AllianceSellers;
  causes: CauseLedger;
  verdicts: ListingVerdicts;
  registry: MetricsRegistry;
  log: GateLog;
}

export interface RunningRechecks {
  rechecks: Rechecks;
  uploadPath: () => string;
  /** Stops taking jobs (the one running ends after its batch and leaves its lease), then ends the job thread. */
  stop(): Promise<void>;
}

export function startRechecks(parts: RecheckStartParts): RunningRechecks {
  const { redis, settings, checks } = parts;
  const store = new RecheckStore(redis, recheckKeys(parts.redisPrefix), parts.webhookOutbox, {
    retentionSeconds: parts.retentionSeconds,
    verdictsMaxLen: settings.verdictsMaxLen,
    webhooks: parts.webhooks,
  });
  const uploads = join(parts.dataDir, 'recheck-uploads');
  privateDir(uploads);
  const figures = registerRecheckFigures(parts.registry);
  const thread =
    settings.threads > 0
      ? new RecheckThread({
          ...parts,
          setup: {
            redisUrl: parts.redisUrl,
            ...(parts.redisTls ? { tls: parts.redisTls } : {}),
            redisPrefix: parts.redisPrefix,
            webhookOutbox: parts.webhookOutbox,
            webhooks: parts.webhooks,
            retentionSeconds: parts.retentionSeconds,
            allowRetentionSeconds: parts.allowRetentionSeconds,
            allowRecordBuckets: parts.allowRecordBuckets,
            settings,
            maxListingBytes: parts.maxBodyBytes,
            failModes: parts.failModes,
          },
          liveBusy: () => parts.livePool.queueSize > 0 || checks.checksInFlight * 2 >= parts.maxChecksInFlight,
          figures,
        })
      : undefined;
  thread?.start();
  return {
    rechecks: new Rechecks(redis, store, parts.maxBodyBytes),
    uploadPath: () => join(uploads, `upload-${randomUUID()}.ndjson`),
    stop: async () => {
      await thread?.stop();
    },
  };
}
