// Re-check jobs on one instance: the API's side (start, read, pause…) always;
// the runner, with its own low-priority matching pool made at the first job,
// when GATE_RECHECK_THREADS is above 0.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { RecheckSettings } from '../config/gate-config.js';
import { privateDir } from '../config/private-dir.js';
import type { CheckService } from '../gate/check-service.js';
import { MatchPool } from '../matcher/match-pool.js';
import type { MetricsRegistry } from '../observability/metrics.js';
import { recheckKeys } from '../redis/redis-keys.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import { RecheckDecider, type RecheckDeciderParts } from './recheck-decider.js';
import { RecheckRunner } from './recheck-runner.js';
import { RecheckStore } from './recheck-store.js';
import { Rechecks } from './rechecks.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface RecheckStartParts extends Omit<RecheckDeciderParts, 'pool' | 'checks'> {
  redis: Redis;
  redisPrefix: string;
  webhookOutbox: string;
  /** A webhook URL is configured: changed verdicts go to the outbox. */
  webhooks: boolean;
  retentionSeconds: number;
  settings: RecheckSettings;
  dataDir: string;
  maxBodyBytes: number;
  /** GATE_MAX_CHECKS_IN_FLIGHT: with half of it in flight, live checks are queueing and a job waits. */
  maxChecksInFlight: number;
  checks: CheckService;
  /** The live checks' pool: while listings wait for it, a job waits too. */
  livePool: MatchPool;
  verdicts: ListingVerdicts;
  registry: MetricsRegistry;
  log: GateLog;
}

export interface RunningRechecks {
  rechecks: Rechecks;
  uploadPath: () => string;
  /** Stops taking jobs (the one running ends after its batch and leaves its lease), then ends the pool. */
  stop(): Promise<void>;
}

/** Tasks of the re-check pool hold more listings than the live pool's: fewer wake-ups per listing. */
const RECHECK_TASK_LISTINGS = 256;

export function startRechecks(parts: RecheckStartParts): RunningRechecks {
  const { redis, settings, checks } = parts;
  const store = new RecheckStore(redis, recheckKeys(parts.redisPrefix), parts.webhookOutbox, {
    retentionSeconds: parts.retentionSeconds,
    verdictsMaxLen: settings.verdictsMaxLen,
    webhooks: parts.webhooks,
  });
  const uploads = join(parts.dataDir, 'recheck-uploads');
  privateDir(uploads);
  let pool: MatchPool | undefined;
  const runner =
    settings.threads > 0
      ? new RecheckRunner({
          store,
          decider: new RecheckDecider({
            ...parts,
            checks,
            pool: () => (pool ??= new MatchPool({ threads: settings.threads, nice: settings.nice, maxBatch: RECHECK_TASK_LISTINGS })),
          }),
          recorded: (listingIds) => parts.verdicts.getMany(listingIds),
          record: (request, matched) => checks.check(request, performance.now(), 5000, matched, undefined, 'recheck'),
          liveBusy: () => parts.livePool.queueSize > 0 || checks.checksInFlight * 2 >= parts.maxChecksInFlight,
          settings,
          maxListingBytes: parts.maxBodyBytes,
          registry: parts.registry,
          log: parts.log,
        })
      : undefined;
  runner?.start();
  return {
    rechecks: new Rechecks(redis, store, parts.maxBodyBytes),
    uploadPath: () => join(uploads, `upload-${randomUUID()}.ndjson`),
    stop: async () => {
      await runner?.stop();
      await pool?.close();
    },
  };
}
