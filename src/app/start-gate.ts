// Wires the gate's parts together and starts it; main.ts adds the process
// concerns (signals, exit codes). Tests start gates through this too.
import { requireNativeUws } from '../http/native-uws.js';
import type { Redis } from 'ioredis';
import { buildTokens } from '../auth/build-tokens.js';
import type { GateConfig } from '../config/gate-config.js';
import { CheckService } from '../gate/check-service.js';
import { CheckThreads } from '../check-thread/check-threads.js';
import { startAdmissionLimit } from '../gate/start-admission-limit.js';
import { GateServer } from '../http/gate-server.js';
import type { RegisteredRoute } from '../http/route-table.js';
import { BlocklistStore } from '../lists/blocklist-store.js';
import { MatchPool } from '../matcher/match-pool.js';
import { rulesEngine } from '../native/rules-engine.js';
import { createGateMetrics, type GateMetrics } from '../observability/gate-metrics.js';
import { LivePack } from '../pack/live-pack.js';
import { FingerprintBank } from '../fingerprint/fingerprint-bank.js';
import { PackManager } from '../pack/pack-manager.js';
import { PackBuilder } from '../pack/pack-builder.js';
import { connectRedis, connectSubscriber, redactRedisUrl, useRedisTls } from '../redis/connect-redis.js';
import { EmbeddedRedis } from '../redis/embedded-redis.js';
import { intakeKeys, redisKeys } from '../redis/redis-keys.js';
import { ReviewQueue } from '../review/review-queue.js';
import { BookkeepingSpool } from '../redis/bookkeeping-spool.js';
import { ReviewSpool } from '../review/review-spool.js';
import { applySpooledChange, type SpooledChange } from '../review/spooled-change.js';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { AuditLog } from '../audit/audit-log.js';
import { auditKey } from '../audit/audit-key.js';
import { ImageProxy } from '../image-proxy/image-proxy.js';
import { DecisionEffects } from '../review/decision-effects.js';
import { startDeadItemLapse } from '../review/dead-item-lapse.js';
import { ListingVerdicts } from '../review/listing-verdicts.js';
import { WebhookDispatcher } from '../webhook/webhook-dispatcher.js';
import { WebhookDeadLetters } from '../webhook/webhook-dead-letters.js';
import { WebhookOutbox } from '../webhook/webhook-outbox.js';
import { BrandRegistry } from '../rights-holder/brand-registry.js';
import { SellerRings } from '../rings/seller-rings.js';
import { BrandFigures } from '../enforcement/brand-figures.js';
import { ShadowFigures } from '../policy/shadow-figures.js';
import { EnforcedFigures } from '../policy/enforced-figures.js';
import { CauseLedger } from '../enforcement/cause-ledger.js';
import { ComplainerTrustBook } from '../rights-holder/complainer-trust.js';
import { ComplaintDesk } from '../rights-holder/complaint-desk.js';
import { AppealDesk } from '../rights-holder/appeal-desk.js';
import { EnforcementOutcomes } from '../enforcement/enforcement-outcomes.js';
import { AllianceSellers } from '../alliance/alliance-sellers.js';
import { DecidedListings } from '../review/decided-listings.js';
import { SellerCheckService } from '../gate/seller-check-service.js';
import { ReportDesk } from '../reports/report-desk.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { startIntake } from '../intake/start-intake.js';
import { startRechecks } from '../recheck/start-rechecks.js';
import { ListingErasure } from '../erasure/listing-erasure.js';
import { SellerErasure } from '../erasure/seller-erasure.js';
import { BacktestSample } from '../backtest/backtest-sample.js';
import { BacktestRunner } from '../backtest/backtest-runner.js';
import { registerPackBuilderMetrics } from '../pack/pack-builder-metrics.js';
import { startRegistryRechecks } from '../pack/registry-rechecks.js';
import { registerFingerprintMemoryMetrics, registerFingerprintMetrics } from '../fingerprint/fingerprint-metrics.js';
import { registerMatchPoolMetrics } from '../matcher/match-pool-metrics.js';
import { registerBlocklistMetrics } from '../lists/blocklist-metrics.js';
import { registerSellerRingMetrics } from '../rings/seller-ring-metrics.js';
import { registerLivePackMetrics } from '../pack/live-pack-metrics.js';
import { registerRedisMetrics } from '../redis/redis-metrics.js';
import { registerEventLoopDelayMetrics } from '../observability/event-loop-delay-metrics.js';
import { registerBookkeepingMetrics } from '../observability/bookkeeping-metrics.js';
import { registerWebhookDispatcherMetrics } from '../webhook/webhook-metrics.js';
import { startReviewDepthPoller } from '../review/review-depth-poller.js';
import { startSpoolReplayer } from '../review/spool-replayer.js';
import { registerReviewSpoolMetrics } from '../review/review-spool-metrics.js';
import { registerAdmissionMetrics } from '../gate/admission-metrics.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export interface RunningGate {
  port: number;
  redisUrl: string;
  metrics: GateMetrics;
  livePack: LivePack;
  pool: MatchPool;
  /** The check threads, when GATE_CHECK_THREADS is above 0. */
  checkThreads: CheckThreads | undefined;
  /** Every route the gate answers: the event loop's, then the check threads' own (issue 27). */
  routes: readonly RegisteredRoute[];
  /** Drains (no new requests, in-flight ones answered), then closes everything it opened. */
  stop(): Promise<void>;
}

export async function startGate(config: GateConfig, log: GateLog = silentLog): Promise<RunningGate> {
  const opened: Array<() => Promise<void>> = [];
  const closeAll = async (): Promise<void> => {
    for (const close of opened.reverse()) await close().catch((error: unknown) => log.warn(`while stopping: ${(error as Error).message}`));
  };
  try {
    requireNativeUws();
    if (!rulesEngine.validPlatform()) {
      throw new Error(`this CPU cannot run Hyperscan ${rulesEngine.version()} (it needs SSSE3); build native-rules against Debian's libvectorscan-dev instead`);
    }
    useRedisTls(config.redisTls);
    let redisUrl = config.redisUrl;
    if (redisUrl === undefined) {
      const embedded = new EmbeddedRedis({ dataDir: join(config.dataDir, 'redis'), keyPrefix: config.redisPrefix, avoidPorts: [config.port] });
      await embedded.start();
      opened.push(() => embedded.stop());
      redisUrl = embedded.url;
      log.info(
        `started a private redis-server on ${redactRedisUrl(redisUrl)} (AOF on, ACL user "gate" limited to its commands and to keys under "${config.redisPrefix}", default user off, data in ${embedded.dataDir}); set REDIS_URL to use your own`,
      );
    }
    const keys = redisKeys(config.redisPrefix);
    const redis: Redis = await connectRedis(redisUrl, 'gate');
    opened.push(async () => void redis.disconnect());
    const subscriber = await connectSubscriber(redisUrl, 'gate-subscriber');
    opened.push(async () => void subscriber.disconnect());

    const metrics = createGateMetrics();
    const stopObservingGc = metrics.registry.collectDefaults();
    opened.push(async () => stopObservingGc());
    const livePack = new LivePack();
    const lists = new BlocklistStore(redis, keys, log, { resyncMs: config.listResyncSeconds * 1000 });
    await lists.listen(subscriber);
    opened.push(async () => lists.close());
    const reviews = new ReviewQueue(redis, keys, {
      leaseMs: config.reviewLeaseMs,
      undoWindowMs: config.reviewUndoMs,
      maxDeliveries: config.reviewMaxDeliveries,
      deadMaxLen: config.reviewDeadMaxLen,
      retentionSeconds: Math.round(config.retentionDays * 86_400),
    });
    await reviews.ensureGroups();
    const instanceId = `gate-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const fingerprints = new FingerprintBank(redis, keys, { redisUrl, log, ...(config.redisTls ? { tls: config.redisTls } : {}) });
    opened.push(() => fingerprints.close());
    await fingerprints.listen(subscriber);
    const builder = new PackBuilder(
      { redisUrl, prefix: config.redisPrefix, ...(config.redisTls ? { tls: config.redisTls } : {}) },
      join(config.dataDir, 'pack-build'),
    );
    opened.push(() => builder.close());
    registerPackBuilderMetrics(metrics.registry, builder);
    const registry = new BrandRegistry(redis, keys);
    const packs = new PackManager({
      redis,
      keys,
      livePack,
      lists,
      fingerprints,
      metrics,
      builder,
      log,
      instanceId,
      registeredBrands: () => registry.enforceable(),
    });
    await packs.listen(subscriber);
    await packs.loadInitial(config.packPath);
    await packs
      .loadRollout()
      .catch((error: unknown) => log.warn(`the staged rollout in Redis is unusable (the live pack judges every seller): ${(error as Error).message}`));
    // Banked entries already in Redis (an earlier start, the admin API) are loaded even when the pack added none.
    await fingerprints.ensureLoaded();
    // The event loop normalizes too (review clusters, complaints): its tables are built
    // now, not under the first review item, which held every check for ~0.3 s.
    prepareNormalizer();
    const registryRechecks = startRegistryRechecks(packs, log);
    opened.push(async () => registryRechecks.stop());
    const audit = new AuditLog(redis, keys, { key: auditKey(config.audit), checkpoints: config.audit, log });
    opened.push(() => audit.close());
    const bookkeepingSpool = new BookkeepingSpool(join(config.dataDir, 'spool'));
    opened.push(() => bookkeepingSpool.close());
    const rings = new SellerRings(redis, keys, {
      log,
      flagsResyncMs: config.listResyncSeconds * 1000,
      listingsWindowMs: Math.round(config.retentionDays * 86_400_000),
      spool: bookkeepingSpool,
    });
    await rings.listen(subscriber);
    opened.push(async () => rings.close());
    opened.push(() => rings.closeLinks());
    const figures = new BrandFigures(redis, keys, log, config.figuresRetentionDays, bookkeepingSpool);
    opened.push(() => figures.close());
    const shadow = new ShadowFigures(redis, keys, log);
    opened.push(() => shadow.close());
    const causes = new CauseLedger(redis, keys, config.demotion, audit, log, bookkeepingSpool);
    const entryFigures = new EnforcedFigures(redis, keys, causes, log);
    opened.push(() => entryFigures.close());
    opened.push(() => causes.close());
    await causes.listen(subscriber);

    const pool = new MatchPool({ threads: config.workers });
    opened.push(() => pool.close());
    const initial = livePack.current;
    if (initial) await pool.warmUp(initial, fingerprints.current);
    packs.beforeSwap = (next) => pool.warmUp(next, fingerprints.current);
    registerFingerprintMetrics(metrics.registry, fingerprints);
    registerMatchPoolMetrics(metrics.registry, pool);
    registerBlocklistMetrics(metrics.registry, lists);
    registerSellerRingMetrics(metrics.registry, rings);
    registerLivePackMetrics(metrics.registry, livePack);
    registerFingerprintMemoryMetrics(metrics.registry, fingerprints);
    registerRedisMetrics(metrics.registry, redis);
    const stopLoopDelay = registerEventLoopDelayMetrics(metrics.registry);
    opened.push(async () => stopLoopDelay());

    const verdicts = new ListingVerdicts(redis, keys, {
      log,
      retentionSeconds: Math.round(config.retentionDays * 86_400),
      allowRetentionSeconds: Math.round(config.allowRetentionDays * 86_400),
      allowRecordBuckets: config.allowRecordBuckets,
      spool: bookkeepingSpool,
    });
    opened.push(() => verdicts.close());
    const sample =
      config.backtestSample > 0
        ? new BacktestSample(redis, {
            key: keys.backtestSample,
            size: config.backtestSample,
            maxAgeMs: Math.round(config.allowRetentionDays * 86_400_000),
            perSecond: config.backtestSampleRate,
            log,
          })
        : undefined;
    if (sample) opened.push(() => sample.close());
    registerBookkeepingMetrics(metrics.registry, { verdicts, figures, causes, rings, sample, spool: bookkeepingSpool });
    const webhooks = new WebhookOutbox(redis, keys, config.webhookUrl !== undefined);
    const trust = new ComplainerTrustBook(redis, keys, config.trust);
    const complaints = new ComplaintDesk({ redis, keys, verdicts, reviews, trust, figures, webhooks, audit });
    const appeals = new AppealDesk({ redis, keys, verdicts, reviews, audit, windowWorkingDays: config.appealWorkingDays });
    const outcomes = new EnforcementOutcomes({ redis, keys, complaints, appeals, trust, figures, causes });
    const effects = new DecisionEffects({ redis, keys, verdicts, lists, fingerprints, audit, webhooks, metrics, consumer: instanceId, log, outcomes, rings });
    await effects.start();
    opened.push(async () => effects.stop());
    const lapse = startDeadItemLapse({
      redis,
      keys,
      lapseDays: config.reviewDeadLapseDays,
      retentionSeconds: reviews.retentionSeconds,
      maxLetters: reviews.deadMaxLen,
      registry: metrics.registry,
      log,
    });
    opened.push(() => lapse.stop());
    const webhookDeadLetters = new WebhookDeadLetters(redis, keys, config.webhookDelivery.deadMaxLen);
    if (config.webhookUrl !== undefined && config.webhookSecret !== undefined) {
      const dispatcher = new WebhookDispatcher(redis, keys, {
        url: config.webhookUrl,
        secret: config.webhookSecret,
        consumer: instanceId,
        concurrency: config.webhookDelivery.concurrency,
        timeoutMs: config.webhookDelivery.timeoutMs,
        maxAttempts: config.webhookDelivery.maxAttempts,
        deadLetters: webhookDeadLetters,
        delivered: metrics.webhooksDelivered,
        failed: metrics.webhooksFailed,
        deadLettered: metrics.webhooksDeadLettered,
        log,
      });
      registerWebhookDispatcherMetrics(metrics.registry, dispatcher);
      await dispatcher.start();
      opened.push(() => dispatcher.stop());
    }
    const depthPoller = startReviewDepthPoller(metrics.registry, reviews);
    opened.push(async () => depthPoller.stop());

    const spool = new ReviewSpool(join(config.dataDir, 'spool'));
    opened.push(() => spool.close());
    const changes = new ReviewSpool<SpooledChange>(join(config.dataDir, 'spool'), 'change-spool');
    opened.push(() => changes.close());
    const replayer = startSpoolReplayer({
      redis,
      spool,
      changes,
      enqueue: (item) => reviews.replaySpooled(item),
      apply: (change) => applySpooledChange({ redis, keys, lists, rings, reviews, effects, audit }, change),
      bookkeeping: bookkeepingSpool,
      log,
    });
    opened.push(async () => replayer.stop());
    registerReviewSpoolMetrics(metrics.registry, spool, changes);

    const alliance = new AllianceSellers(redis, keys, lists, rings, figures, log);
    await alliance.listen(subscriber);
    const admission = startAdmissionLimit(config);
    if (admission) opened.push(async () => admission.stop());
    const admissionLimit = admission?.limit;
    const decided = new DecidedListings(redis, keys, log, config.listResyncSeconds * 1000);
    opened.push(async () => decided.close());
    await decided.listen(subscriber);
    const checks = new CheckService({
      decided,
      livePack,
      pool,
      lists,
      fingerprints,
      reviews,
      verdicts,
      spool,
      metrics,
      qaShare: config.qaShare,
      log,
      rings,
      figures,
      causes,
      alliance,
      failModes: config.failModes,
      maxListingsInFlight: config.maxListingsInFlight,
      maxChecksInFlight: config.maxChecksInFlight,
      admissionLimit,
      shedMode: config.shedMode,
      shadow,
      entryFigures,
      sample,
    });
    registerAdmissionMetrics(metrics.registry, { admissionLimit, maxChecksInFlight: config.maxChecksInFlight, checks });
    // Re-check jobs (docs/rechecks.md): any instance takes the API and runs jobs nobody holds.
    const rechecks = startRechecks({
      redis,
      redisUrl,
      redisTls: config.redisTls,
      redisPrefix: config.redisPrefix,
      webhookOutbox: keys.webhookOutbox,
      webhooks: config.webhookUrl !== undefined,
      retentionSeconds: Math.round(config.retentionDays * 86_400),
      allowRetentionSeconds: Math.round(config.allowRetentionDays * 86_400),
      allowRecordBuckets: config.allowRecordBuckets,
      failModes: config.failModes,
      settings: config.recheck,
      dataDir: config.dataDir,
      maxBodyBytes: config.maxBodyBytes,
      maxChecksInFlight: config.maxChecksInFlight,
      checks,
      livePool: pool,
      verdicts,
      livePack,
      fingerprints,
      lists,
      rings,
      decided,
      alliance,
      causes,
      registry: metrics.registry,
      log,
    });
    opened.push(() => rechecks.stop());
    const backtests = sample
      ? new BacktestRunner({
          redisUrl,
          tls: config.redisTls,
          sampleKey: keys.backtestSample,
          sampleSize: config.backtestSample,
          sample,
          nice: config.recheck.nice,
          failModes: config.failModes,
          fingerprints,
          lists,
          decided,
          rings,
          alliance,
          causes,
        })
      : undefined;
    if (backtests) opened.push(() => backtests.close());
    const sellerChecks = new SellerCheckService({ livePack, pool, lists, fingerprints, rings, reviews, spool, causes, metrics, log });
    const reports = new ReportDesk(redis, keys, verdicts, reviews, config.reports);
    const listingErasure = new ListingErasure({
      redis,
      keys,
      // What this instance holds back for Redis lands before the erasure, not after it.
      settle: async () => {
        await verdicts.flush();
        await rings.flushLinks();
        await sample?.flush();
        await effects.process();
      },
      intake: config.intake ? intakeKeys(config.intake.stream) : undefined,
      entrySamples: [entryFigures, shadow],
    });
    const sellerErasure = new SellerErasure({ redis, keys, listings: listingErasure });
    const checkThreads =
      config.checkThreads > 0
        ? new CheckThreads({
            count: config.checkThreads,
            setup: {
              host: config.host,
              port: config.port,
              maxBodyBytes: config.maxBodyBytes,
              defaultDeadlineMs: config.defaultDeadlineMs,
              turnMs: config.threadTurnMs,
              stream: config.stream,
              authFailureLimit: config.authFailureLimit,
              failModes: config.failModes,
              qaShare: config.qaShare,
              sampleListings: sample !== undefined,
              tokens: {
                adminToken: config.adminToken,
                publisherTokens: config.publisherTokens,
                metricsToken: config.metricsToken,
                reviewerTokens: config.reviewerTokens,
                rightsHolderTokens: config.rightsHolderTokens,
              },
              reviews: { redisUrl, prefix: config.redisPrefix, tls: config.redisTls, retentionSeconds: Math.round(config.retentionDays * 86_400) },
            },
            checks,
            livePack,
            fingerprints,
            lists,
            decided,
            rings,
            alliance,
            causes,
            metrics,
            sample,
            spool,
            log,
          })
        : undefined;
    if (checkThreads) {
      packs.beforeSwap = async (next) => {
        await pool.warmUp(next, fingerprints.current);
        await checkThreads.load(next);
      };
    }
    const server = new GateServer({
      checks,
      sellerChecks,
      reports,
      livePack,
      packs,
      lists,
      fingerprints,
      audit,
      review: { reviews, effects, verdicts, redis, keys, changes, alliance },
      rightsHolder: { registry, packs, fingerprints, complaints, trust, figures, alliance },
      enforcement: { registry, packs, figures, causes, rings, appeals },
      reviewPage: { images: new ImageProxy(config.reviewImages) },
      policy: { shadow, entryFigures, backtests },
      rechecks: {
        rechecks: rechecks.rechecks,
        redisPrefix: config.redisPrefix,
        uploadPath: rechecks.uploadPath,
        maxUploadBytes: config.recheck.maxUploadBytes,
      },
      erasure: { listings: listingErasure, sellers: sellerErasure },
      webhooks: { deadLetters: webhookDeadLetters, delivering: config.webhookUrl !== undefined },
      tokens: buildTokens(config),
      metrics,
      redisReady: () => redis.status === 'ready',
      ...(checkThreads ? { checkThreads } : {}),
      maxBodyBytes: config.maxBodyBytes,
      authFailureLimit: config.authFailureLimit,
      packUploadPath: () => builder.uploadPath(),
      defaultDeadlineMs: config.defaultDeadlineMs,
      stream: config.stream,
      log,
    });
    let port: number;
    if (checkThreads) {
      // The threads take the gate's port; the event loop listens on loopback for what they forward.
      const forwardPort = await server.listen('127.0.0.1', 0);
      port = await checkThreads.start(forwardPort);
      opened.push(() => checkThreads.close());
      log.info(`${config.checkThreads} check threads listening on ${config.host}:${port}; the event loop takes what they forward on 127.0.0.1:${forwardPort}`);
    } else port = await server.listen(config.host, config.port);
    log.info(`listening on ${config.host}:${port} with pack ${livePack.current?.pack.packVersion}`);
    // Checks entries of GATE_INTAKE_STREAM through the same path as POST /v1/check (docs/intake.md).
    const intake = config.intake
      ? await startIntake(config.intake, redis, redisUrl, {
          consumer: instanceId,
          check: (request, startedAt, deadlineMs) => checks.check(request, startedAt, deadlineMs),
          maxListingBytes: config.maxBodyBytes,
          registry: metrics.registry,
          log,
        })
      : undefined;
    if (intake) {
      opened.push(() => intake.stop());
      log.info(`reading intake stream ${config.intake?.stream} as ${instanceId}`);
    }
    if (config.publisherTokens.length === 0) {
      const reach = ['127.0.0.1', '::1', 'localhost'].includes(config.host) ? 'this machine' : `every address that reaches ${config.host}`;
      log.warn(`no GATE_PUBLISHER_TOKENS: checks, verdicts, reports and appeals are open to ${reach} without a token`);
    }
    return {
      port,
      redisUrl,
      metrics,
      livePack,
      pool,
      checkThreads,
      routes: [...server.routes, ...(checkThreads?.routes ?? [])],
      stop: async () => {
        // The intake first: it stops reading, and what it holds is checked and recorded while the rest still runs.
        await intake?.stop();
        await checkThreads?.drain();
        await server.drain();
        await closeAll();
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
