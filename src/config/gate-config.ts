// The gate's configuration, read from the environment once at start, validated
// with messages that name the variable and its allowed range, then frozen.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { AUDIT_KEY_MIN_LENGTH, type AuditKeySettings } from '../audit/audit-key.js';
import type { AuditCheckpointSettings } from '../audit/audit-checkpointer.js';
import { repoPath } from './repo-root.js';
import { canonicalHost } from '../image-proxy/image-host.js';
import { DEFAULT_FIGURES_RETENTION_DAYS } from '../enforcement/brand-figures.js';
import type { StreamLimits } from '../stream/stream-connection.js';

export interface GateConfig {
  /** HTTP port. Default 8080. */
  readonly port: number;
  /** Interface to listen on. Default 0.0.0.0. */
  readonly host: string;
  /** Redis to use; undefined: start a private redis-server under dataDir. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key. Default `gate:`. */
  readonly redisPrefix: string;
  /** Pack loaded at start. Default: the demo pack shipped in the repository. */
  readonly packPath: string;
  /** Where the embedded Redis keeps its data. Default ./data. */
  readonly dataDir: string;
  readonly adminToken: string | undefined;
  readonly publisherTokens: readonly string[];
  /** `name:token` (or a bare token, named after its hash). */
  readonly reviewerTokens: readonly string[];
  /** Largest accepted request body. Default 1 MiB. */
  readonly maxBodyBytes: number;
  /** Failed authentications an address or a token may make in a minute before it is refused with 429. Default 50. */
  readonly authFailureLimit: number;
  /** Days the records of blocks, reviews and people's decisions (and their evidence) are kept. Default 180. */
  readonly retentionDays: number;
  /** Days the gate's record of an allowed listing is kept. Default 30. */
  readonly allowRetentionDays: number;
  /** Days a day's per-brand figures are kept after their last write (the transparency report). Default 400. */
  readonly figuresRetentionDays: number;
  /** Buckets per day in each of the 64 verdict shards for the gate's compact allow records (GATE_ALLOW_RECORD_BUCKETS). */
  readonly allowRecordBuckets: number;
  /** When set, `GET /metrics` needs `authorization: Bearer <this>` (or the admin token). */
  readonly metricsToken: string | undefined;
  /** Deadline of a check when the request names none. Default 20 ms. */
  readonly defaultDeadlineMs: number;
  /** Matching worker threads. Default: the number of cores. */
  readonly workers: number;
  /**
   * Threads that each listen on the gate's port and decide checks themselves (0:
   * the event loop reads every check and the matching pool matches it).
   */
  readonly checkThreads: number;
  /**
   * How long, in ms, a check thread works without returning to its event loop before it
   * refuses further checks (503) and holds check-socket messages for its next turn
   * (src/check-thread/thread-turn.ts). 0: never. Default 10.
   */
  readonly threadTurnMs: number;
  /** Bounds of each connection of the check socket (GATE_STREAM_IN_FLIGHT, GATE_STREAM_QUEUE, GATE_STREAM_QUEUE_BYTES, GATE_STREAM_BUFFER_BYTES). */
  readonly stream: StreamLimits;
  /** How long a reviewer's claim lasts without a decision. Default 10 minutes. */
  readonly reviewLeaseMs: number;
  /** How long a decision can be undone. Default 5 minutes. */
  readonly reviewUndoMs: number;
  /** Deliveries after which an undecided item goes to the dead letters. Default 5. */
  readonly reviewMaxDeliveries: number;
  /** Approximate most review dead letters kept (XADD MAXLEN ~). Default 100,000 (GATE_REVIEW_DEAD_MAXLEN). */
  readonly reviewDeadMaxLen: number;
  /** Days a dead review item waits for an admin before it lapses: closed undecided, what it carries settled as lapsed. Default 30 (GATE_REVIEW_DEAD_LAPSE_DAYS). */
  readonly reviewDeadLapseDays: number;
  /** Share of allow verdicts sampled into the QA review tier. Default 0. */
  readonly qaShare: number;
  /** Where decided verdicts are POSTed; unset: no webhook. */
  readonly webhookUrl: string | undefined;
  /** HMAC-SHA256 key for the webhook signature; required with GATE_WEBHOOK_URL. */
  readonly webhookSecret: string | undefined;
  /** How webhook events are delivered (GATE_WEBHOOK_*). */
  readonly webhookDelivery: WebhookDeliverySettings;
  /** `holder:token`: rights holders, each seeing only its own brands and complaints. */
  readonly rightsHolderTokens: readonly string[];
  /** When a complainer is trusted (good-faith takedowns). */
  readonly trust: { minDecided: number; minUpheldShare: number; maxOverturnedShare: number };
  /** Working days after a block within which the seller may appeal. Default 3. */
  readonly appealWorkingDays: number;
  /** When a cause is demoted to review-only. */
  readonly demotion: { minBlocks: number; maxOverturnedShare: number };
  /** What a signal that cannot be computed in time does to the verdict (default: review). */
  readonly failModes: Readonly<Record<DegradableSignal, FailMode>>;
  /** Listings waiting for or in the matching pool past which checks are shed. */
  readonly maxListingsInFlight: number;
  /** Checks admitted and not yet answered past which a check is refused (503) before its body is read. */
  readonly maxChecksInFlight: number;
  /**
   * The 90th percentile of the time from a check's arrival to its matching done, in
   * ms, that the adaptive bound on checks in flight keeps to (src/gate/admission-limit.ts).
   * 0: no adaptive bound, only GATE_MAX_CHECKS_IN_FLIGHT. Default: half GATE_DEFAULT_DEADLINE_MS (10).
   */
  readonly admissionTargetMs: number;
  /**
   * The 90th percentile of the event loop's delay, in ms, past which that bound
   * shrinks while it is what holds checks back (0: not watched). Default 2.
   */
  readonly admissionLoopDelayMs: number;
  /** The in-process table of listed values is reloaded from Redis this often (besides reconnects and seeds). */
  readonly listResyncSeconds: number;
  /** How a shed check is answered: `review` (with reason degraded) or `503` with retry-after. */
  readonly shedMode: 'review' | '503';
  /** PEM files for TLS to Redis (with a `rediss://` REDIS_URL). */
  readonly redisTls: { ca?: string; cert?: string; key?: string } | undefined;
  /** Consumer reports: per-reporter rate limit and when many reporters raise an item's tier. */
  readonly reports: { perReporter: number; windowSeconds: number; escalateAt: number };
  /**
   * The audit chain's HMAC key (GATE_AUDIT_KEY, or read from GATE_AUDIT_KEY_FILE; default: made at
   * the first start in GATE_DATA_DIR/audit/audit.key, mode 0600) and its signed checkpoints.
   */
  readonly audit: AuditKeySettings & AuditCheckpointSettings;
  /**
   * Seller images on the review page, fetched through the gate's proxy (src/image-proxy/):
   * the hosts it fetches from (canonical; empty, the default: no image is fetched, the
   * page shows the URL as text), the largest image (default 5 MiB) and the time a fetch
   * may take (default 5000 ms).
   */
  readonly reviewImages: { hosts: readonly string[]; maxBytes: number; timeoutMs: number };
  /** The Redis Streams intake (GATE_INTAKE_STREAM); undefined: no intake. */
  readonly intake: IntakeSettings | undefined;
  /** Re-check jobs (docs/rechecks.md). */
  readonly recheck: RecheckSettings;
  /**
   * Listings kept for backtests (docs/policy-lifecycle.md): the latest checked, at
   * most this many, none older than GATE_ALLOW_RETENTION_DAYS. 0: none kept.
   * Default 100,000 (GATE_BACKTEST_SAMPLE).
   */
  readonly backtestSample: number;
  /** Checked listings a second this instance adds to the sample at most, on average; above it a share is drawn. Default 100 (GATE_BACKTEST_SAMPLE_RATE). */
  readonly backtestSampleRate: number;
}

export const RECHECK_SCHEDULINGS = ['idle', 'nice'] as const;
export type RecheckScheduling = (typeof RECHECK_SCHEDULINGS)[number];

/** Re-check jobs' settings (docs/rechecks.md). */
export interface RecheckSettings {
  /** Matching threads of this instance's re-check pool, below live traffic; 0: this instance runs no job (it still takes the API). Default: the number of cores (GATE_RECHECK_THREADS). */
  readonly threads: number;
  /** The nice value of those threads (0 normal to 19 lowest). Default 19 (GATE_RECHECK_NICE). */
  readonly nice: number;
  /**
   * How those threads yield to live traffic: `idle`, under Linux's SCHED_IDLE (a waking thread of the normal policy
   * always takes their core; their nice value where the platform has no such policy), or `nice` alone.
   * Default `idle` (GATE_RECHECK_SCHEDULING).
   */
  readonly scheduling: RecheckScheduling;
  /** Listings read, checked and emitted together. Default 512 (GATE_RECHECK_BATCH). */
  readonly batch: number;
  /** Most listings a second a job reads on this instance; 0: as fast as the CPU live checks leave allows. Default 0 (GATE_RECHECK_MAX_RATE). */
  readonly maxRate: number;
  /** How long a job's lease lasts unless renewed: how soon another instance takes over a job whose holder died. Default 10,000 ms (GATE_RECHECK_LEASE_MS). */
  readonly leaseMs: number;
  /** How often an instance without a job looks for one nobody holds. Default 1000 ms (GATE_RECHECK_POLL_MS). */
  readonly pollMs: number;
  /** Approximate most entries kept in a job's verdicts stream (XADD MAXLEN ~). Default 1,000,000 (GATE_RECHECK_VERDICTS_MAXLEN). */
  readonly verdictsMaxLen: number;
  /** Largest NDJSON upload. Default 256 MiB (GATE_RECHECK_MAX_UPLOAD_BYTES). */
  readonly maxUploadBytes: number;
}

/** How webhook events are delivered (src/webhook/webhook-dispatcher.ts). */
export interface WebhookDeliverySettings {
  /** Attempts in flight at once, each on a connection of its own. Default 16 (GATE_WEBHOOK_CONCURRENCY). */
  readonly concurrency: number;
  /** Time an attempt may take, from its start to the answer's body read. Default 5000 ms (GATE_WEBHOOK_TIMEOUT_MS). */
  readonly timeoutMs: number;
  /**
   * Attempts after which an event goes to the dead letters. Default 60: with the
   * other defaults, about 55 minutes of trying (GATE_WEBHOOK_MAX_ATTEMPTS).
   */
  readonly maxAttempts: number;
  /** Approximate most dead letters kept (XADD MAXLEN ~). Default 100,000 (GATE_WEBHOOK_DEAD_MAXLEN). */
  readonly deadMaxLen: number;
}

/** The Redis Streams intake's settings (contract section 6, docs/intake.md). */
export interface IntakeSettings {
  /** The stream's key (GATE_INTAKE_STREAM); verdicts go to `<key>:verdicts`, dead letters to `<key>:dead`. */
  readonly stream: string;
  /** Entries asked for in one read. Default 256 (GATE_INTAKE_BATCH). */
  readonly batch: number;
  /** Entries read and not yet recorded, at most. Default 256 (GATE_INTAKE_IN_FLIGHT). */
  readonly inFlight: number;
  /** Deadline of an entry's check, from when its check starts. Default 1000 ms (GATE_INTAKE_DEADLINE_MS). */
  readonly deadlineMs: number;
  /** An entry delivered and not acknowledged for this long is claimed by another instance. Default 30 s (GATE_INTAKE_CLAIM_IDLE_MS). */
  readonly claimIdleMs: number;
  /** Deliveries without an outcome after which an entry is dead-lettered. Default 5 (GATE_INTAKE_MAX_DELIVERIES). */
  readonly maxDeliveries: number;
  /** Approximate most entries kept in `<key>:verdicts` (XADD MAXLEN ~). Default 1,000,000 (GATE_INTAKE_VERDICTS_MAXLEN). */
  readonly verdictsMaxLen: number;
  /** Approximate most entries kept in `<key>:dead`. Default 100,000 (GATE_INTAKE_DEAD_MAXLEN). */
  readonly deadMaxLen: number;
}

export const DEGRADABLE_SIGNALS = ['text', 'lists', 'ring'] as const;
export type DegradableSignal = (typeof DEGRADABLE_SIGNALS)[number];
/** `review`: at least review; `closed`: block; `open`: the verdict stands (the degraded reason is still given). */
export const FAIL_MODES = ['review', 'closed', 'open'] as const;
export type FailMode = (typeof FAIL_MODES)[number];

function failModes(env: NodeJS.ProcessEnv, problems: string[]): Record<DegradableSignal, FailMode> {
  const modes: Record<DegradableSignal, FailMode> = { text: 'review', lists: 'review', ring: 'review' };
  const raw = env.GATE_FAIL_MODES;
  if (raw === undefined || raw.trim() === '') return modes;
  for (const entry of raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [signal = '', mode = ''] = entry.split(':').map((p) => p.trim());
    if (!(DEGRADABLE_SIGNALS as readonly string[]).includes(signal) || !(FAIL_MODES as readonly string[]).includes(mode)) {
      problems.push(
        `GATE_FAIL_MODES entries must be signal:mode with a signal of ${DEGRADABLE_SIGNALS.join(', ')} and a mode of ${FAIL_MODES.join(', ')}, got "${entry}"`,
      );
      continue;
    }
    modes[signal as DegradableSignal] = mode as FailMode;
  }
  return modes;
}

function redisTls(env: NodeJS.ProcessEnv, problems: string[]): GateConfig['redisTls'] {
  const out: { ca?: string; cert?: string; key?: string } = {};
  for (const [name, field] of [
    ['GATE_REDIS_TLS_CA', 'ca'],
    ['GATE_REDIS_TLS_CERT', 'cert'],
    ['GATE_REDIS_TLS_KEY', 'key'],
  ] as const) {
    const path = env[name];
    if (path === undefined || path === '') continue;
    try {
      out[field] = readFileSync(path, 'utf8');
    } catch (error) {
      problems.push(`${name}: cannot read ${path}: ${(error as Error).message}`);
    }
  }
  if ((out.cert === undefined) !== (out.key === undefined)) problems.push('GATE_REDIS_TLS_CERT and GATE_REDIS_TLS_KEY go together');
  return Object.keys(out).length > 0 ? out : undefined;
}

function audit(env: NodeJS.ProcessEnv, dataDir: string, problems: string[]): GateConfig['audit'] {
  const text = (name: string): string | undefined => (env[name] && env[name] !== '' ? env[name] : undefined);
  let key = text('GATE_AUDIT_KEY');
  const keyPath = text('GATE_AUDIT_KEY_FILE');
  if (key !== undefined && keyPath !== undefined) problems.push('GATE_AUDIT_KEY and GATE_AUDIT_KEY_FILE: set one of them, not both');
  else if (key !== undefined && key.length < AUDIT_KEY_MIN_LENGTH) problems.push(`GATE_AUDIT_KEY must be at least ${AUDIT_KEY_MIN_LENGTH} characters`);
  else if (keyPath !== undefined) {
    try {
      key = readFileSync(keyPath, 'utf8').trim();
      if (key.length < AUDIT_KEY_MIN_LENGTH) problems.push(`GATE_AUDIT_KEY_FILE: ${keyPath} must hold a key of at least ${AUDIT_KEY_MIN_LENGTH} characters`);
    } catch (error) {
      problems.push(`GATE_AUDIT_KEY_FILE: cannot read ${keyPath}: ${(error as Error).message}`);
    }
  }
  return {
    key,
    keyFile: resolve(keyPath ?? join(dataDir, 'audit', 'audit.key')),
    checkpointFile: resolve(text('GATE_AUDIT_CHECKPOINT_FILE') ?? join(dataDir, 'audit', 'checkpoints.jsonl')),
    checkpointEvery: integer(env, 'GATE_AUDIT_CHECKPOINT_EVERY', 100, 1, 1_000_000, problems),
    checkpointSeconds: integer(env, 'GATE_AUDIT_CHECKPOINT_SECONDS', 60, 1, 86_400, problems),
  };
}

function imageHosts(env: NodeJS.ProcessEnv, problems: string[]): string[] {
  const hosts: string[] = [];
  for (const entry of (env.GATE_REVIEW_IMAGE_HOSTS ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const host = canonicalHost(entry);
    if (host === undefined)
      problems.push(
        `GATE_REVIEW_IMAGE_HOSTS entries must be host names or IP addresses (IPv6 in brackets), without scheme, port, path or wildcard, got "${entry}"`,
      );
    else hosts.push(host);
  }
  return hosts;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export const DEMO_PACK_PATH = repoPath('src', 'pack', 'demo-pack.json');

function intake(env: NodeJS.ProcessEnv, redisPrefix: string, problems: string[]): IntakeSettings | undefined {
  const stream = env.GATE_INTAKE_STREAM;
  if (stream === undefined || stream === '') return undefined;
  // The gate's Redis user may touch keys under its prefix only (docs/redis-acl.md).
  if (!stream.startsWith(redisPrefix))
    problems.push(`GATE_INTAKE_STREAM must begin with GATE_REDIS_PREFIX ("${redisPrefix}"), the only keys the gate's Redis user may touch; got "${stream}"`);
  return {
    stream,
    batch: integer(env, 'GATE_INTAKE_BATCH', 256, 1, 10_000, problems),
    inFlight: integer(env, 'GATE_INTAKE_IN_FLIGHT', 256, 1, 100_000, problems),
    deadlineMs: integer(env, 'GATE_INTAKE_DEADLINE_MS', 1000, 1, 60_000, problems),
    claimIdleMs: integer(env, 'GATE_INTAKE_CLAIM_IDLE_MS', 30_000, 100, 86_400_000, problems),
    maxDeliveries: integer(env, 'GATE_INTAKE_MAX_DELIVERIES', 5, 1, 1000, problems),
    verdictsMaxLen: integer(env, 'GATE_INTAKE_VERDICTS_MAXLEN', 1_000_000, 1000, 1_000_000_000, problems),
    deadMaxLen: integer(env, 'GATE_INTAKE_DEAD_MAXLEN', 100_000, 1000, 1_000_000_000, problems),
  };
}

function webhookDelivery(env: NodeJS.ProcessEnv, problems: string[]): WebhookDeliverySettings {
  return {
    concurrency: integer(env, 'GATE_WEBHOOK_CONCURRENCY', 16, 1, 1024, problems),
    timeoutMs: integer(env, 'GATE_WEBHOOK_TIMEOUT_MS', 5000, 100, 120_000, problems),
    maxAttempts: integer(env, 'GATE_WEBHOOK_MAX_ATTEMPTS', 60, 1, 10_000, problems),
    deadMaxLen: integer(env, 'GATE_WEBHOOK_DEAD_MAXLEN', 100_000, 100, 1_000_000_000, problems),
  };
}

function recheck(env: NodeJS.ProcessEnv, problems: string[]): RecheckSettings {
  return {
    threads: integer(env, 'GATE_RECHECK_THREADS', Math.max(1, availableParallelism()), 0, 256, problems),
    nice: integer(env, 'GATE_RECHECK_NICE', 19, 0, 19, problems),
    scheduling: recheckScheduling(env, problems),
    batch: integer(env, 'GATE_RECHECK_BATCH', 512, 1, 10_000, problems),
    maxRate: integer(env, 'GATE_RECHECK_MAX_RATE', 0, 0, 10_000_000, problems),
    leaseMs: integer(env, 'GATE_RECHECK_LEASE_MS', 10_000, 300, 3_600_000, problems),
    pollMs: integer(env, 'GATE_RECHECK_POLL_MS', 1000, 50, 600_000, problems),
    verdictsMaxLen: integer(env, 'GATE_RECHECK_VERDICTS_MAXLEN', 1_000_000, 1000, 1_000_000_000, problems),
    maxUploadBytes: integer(env, 'GATE_RECHECK_MAX_UPLOAD_BYTES', 256 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024, problems),
  };
}

function recheckScheduling(env: NodeJS.ProcessEnv, problems: string[]): RecheckScheduling {
  const raw = env.GATE_RECHECK_SCHEDULING;
  if (raw === undefined || raw === '') return 'idle';
  if ((RECHECK_SCHEDULINGS as readonly string[]).includes(raw)) return raw as RecheckScheduling;
  problems.push(`GATE_RECHECK_SCHEDULING must be one of ${RECHECK_SCHEDULINGS.join(', ')}, got "${raw}"`);
  return 'idle';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

/** A retention window in days; fractions allowed, down to about a minute (a soak of the state budget runs windows of minutes). */
function days(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0.0007 || value > 3650) {
    problems.push(`${name} must be a number of days from 0.0007 (about a minute) to 3650, got "${raw}"`);
    return fallback;
  }
  return value;
}

function share(env: NodeJS.ProcessEnv, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    problems.push(`${name} must be a number from 0 to 1, got "${raw}"`);
    return fallback;
  }
  return value;
}

function tokenList(env: NodeJS.ProcessEnv, name: string, problems: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const tokens = raw
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  for (const t of tokens)
    if ((t.includes(':') ? t.slice(t.indexOf(':') + 1) : t).length < 16) problems.push(`${name}: every token must be at least 16 characters`);
  return tokens;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GateConfig {
  const problems: string[] = [];
  const text = (name: string): string | undefined => (env[name] && env[name] !== '' ? env[name] : undefined);
  const checkThreads = integer(env, 'GATE_CHECK_THREADS', Math.max(1, availableParallelism()), 0, 256, problems);
  const redisUrl = text('REDIS_URL')?.trim();
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) problems.push(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  const adminToken = text('GATE_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 16) problems.push('GATE_ADMIN_TOKEN must be at least 16 characters');
  const qaRaw = text('GATE_QA_SHARE');
  const qaShare = qaRaw === undefined ? 0 : Number(qaRaw);
  if (!Number.isFinite(qaShare) || qaShare < 0 || qaShare > 1) problems.push(`GATE_QA_SHARE must be a number from 0 to 1, got "${qaRaw}"`);
  const webhookUrl = text('GATE_WEBHOOK_URL');
  const webhookSecret = text('GATE_WEBHOOK_SECRET');
  if (webhookUrl !== undefined && !/^https?:\/\//.test(webhookUrl)) problems.push(`GATE_WEBHOOK_URL must be an http(s) URL, got "${webhookUrl}"`);
  if (webhookUrl !== undefined && (webhookSecret === undefined || webhookSecret.length < 16)) {
    problems.push('GATE_WEBHOOK_SECRET (16+ characters) is required with GATE_WEBHOOK_URL');
  }
  const defaultDeadlineMs = integer(env, 'GATE_DEFAULT_DEADLINE_MS', 20, 1, 60_000, problems);
  const dataDir = resolve(text('GATE_DATA_DIR') ?? 'data');
  const redisPrefix = env.GATE_REDIS_PREFIX ?? 'gate:';
  const config: GateConfig = {
    port: integer(env, 'PORT', 8080, 0, 65535, problems),
    host: text('HOST') ?? '0.0.0.0',
    redisUrl,
    redisPrefix,
    packPath: resolve(text('GATE_PACK') ?? DEMO_PACK_PATH),
    dataDir,
    adminToken,
    publisherTokens: tokenList(env, 'GATE_PUBLISHER_TOKENS', problems),
    reviewerTokens: tokenList(env, 'GATE_REVIEWER_TOKENS', problems),
    maxBodyBytes: integer(env, 'GATE_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024, problems),
    authFailureLimit: integer(env, 'GATE_AUTH_FAILURE_LIMIT', 50, 1, 1_000_000, problems),
    metricsToken: text('GATE_METRICS_TOKEN'),
    retentionDays: days(env, 'GATE_RETENTION_DAYS', 180, problems),
    allowRetentionDays: days(env, 'GATE_ALLOW_RETENTION_DAYS', 30, problems),
    figuresRetentionDays: days(env, 'GATE_FIGURES_RETENTION_DAYS', DEFAULT_FIGURES_RETENTION_DAYS, problems),
    allowRecordBuckets: integer(env, 'GATE_ALLOW_RECORD_BUCKETS', 16, 1, 1_000_000, problems),
    defaultDeadlineMs,
    checkThreads,
    threadTurnMs: integer(env, 'GATE_THREAD_TURN_MS', 10, 0, 60_000, problems),
    stream: {
      inFlight: integer(env, 'GATE_STREAM_IN_FLIGHT', 64, 1, 100_000, problems),
      queued: integer(env, 'GATE_STREAM_QUEUE', 1024, 0, 1_000_000, problems),
      queuedBytes: integer(env, 'GATE_STREAM_QUEUE_BYTES', 8 * 1024 * 1024, 0, 1024 * 1024 * 1024, problems),
      bufferedBytes: integer(env, 'GATE_STREAM_BUFFER_BYTES', 1024 * 1024, 0, 256 * 1024 * 1024, problems),
      connections: integer(env, 'GATE_STREAM_CONNECTIONS', 256, 1, 1_000_000, problems),
      totalQueuedBytes: integer(env, 'GATE_STREAM_TOTAL_QUEUE_BYTES', 64 * 1024 * 1024, 0, 16 * 1024 * 1024 * 1024, problems),
    },
    // With check threads the pool matches only shop checks and what a pack swap overtook.
    workers: integer(env, 'GATE_WORKERS', checkThreads > 0 ? 1 : Math.max(1, availableParallelism()), 1, 256, problems),
    reviewLeaseMs: integer(env, 'GATE_REVIEW_LEASE_MS', 600_000, 100, 86_400_000, problems),
    reviewUndoMs: integer(env, 'GATE_REVIEW_UNDO_MS', 300_000, 0, 86_400_000, problems),
    reviewMaxDeliveries: integer(env, 'GATE_REVIEW_MAX_DELIVERIES', 5, 1, 1000, problems),
    reviewDeadMaxLen: integer(env, 'GATE_REVIEW_DEAD_MAXLEN', 100_000, 100, 1_000_000_000, problems),
    reviewDeadLapseDays: days(env, 'GATE_REVIEW_DEAD_LAPSE_DAYS', 30, problems),
    qaShare: Number.isFinite(qaShare) ? qaShare : 0,
    webhookUrl,
    webhookSecret,
    webhookDelivery: webhookDelivery(env, problems),
    rightsHolderTokens: tokenList(env, 'GATE_RIGHTS_HOLDER_TOKENS', problems),
    trust: {
      minDecided: integer(env, 'GATE_TRUST_MIN_DECIDED', 20, 1, 1_000_000, problems),
      minUpheldShare: share(env, 'GATE_TRUST_MIN_UPHELD_SHARE', 0.9, problems),
      maxOverturnedShare: share(env, 'GATE_TRUST_MAX_OVERTURNED_SHARE', 0.05, problems),
    },
    appealWorkingDays: integer(env, 'GATE_APPEAL_WORKING_DAYS', 3, 1, 365, problems),
    demotion: {
      minBlocks: integer(env, 'GATE_DEMOTE_MIN_BLOCKS', 20, 1, 1_000_000, problems),
      maxOverturnedShare: share(env, 'GATE_DEMOTE_OVERTURNED_SHARE', 0.2, problems),
    },
    redisTls: redisTls(env, problems),
    failModes: failModes(env, problems),
    maxListingsInFlight: integer(env, 'GATE_MAX_LISTINGS_IN_FLIGHT', 1000, 1, 1_000_000, problems),
    maxChecksInFlight: integer(env, 'GATE_MAX_CHECKS_IN_FLIGHT', 256, 1, 1_000_000, problems),
    // Half the default deadline: past it, the checks' signals (due at 70% of it) start to miss.
    admissionTargetMs: integer(env, 'GATE_ADMISSION_TARGET_MS', Math.max(1, Math.round(defaultDeadlineMs / 2)), 0, 60_000, problems),
    admissionLoopDelayMs: integer(env, 'GATE_ADMISSION_LOOP_DELAY_MS', 2, 0, 60_000, problems),
    listResyncSeconds: integer(env, 'GATE_LIST_RESYNC_SECONDS', 600, 10, 86_400, problems),
    shedMode: env.GATE_SHED_MODE === '503' ? '503' : 'review',
    reports: {
      perReporter: integer(env, 'GATE_REPORTS_PER_REPORTER', 20, 1, 1_000_000, problems),
      windowSeconds: integer(env, 'GATE_REPORTS_WINDOW_SECONDS', 3600, 1, 86_400 * 7, problems),
      escalateAt: integer(env, 'GATE_REPORTS_ESCALATE_AT', 3, 2, 1_000_000, problems),
    },
    audit: audit(env, dataDir, problems),
    reviewImages: {
      hosts: imageHosts(env, problems),
      maxBytes: integer(env, 'GATE_REVIEW_IMAGE_MAX_BYTES', 5 * 1024 * 1024, 1024, 50 * 1024 * 1024, problems),
      timeoutMs: integer(env, 'GATE_REVIEW_IMAGE_TIMEOUT_MS', 5000, 100, 60_000, problems),
    },
    intake: intake(env, redisPrefix, problems),
    recheck: recheck(env, problems),
    backtestSample: integer(env, 'GATE_BACKTEST_SAMPLE', 100_000, 0, 10_000_000, problems),
    backtestSampleRate: integer(env, 'GATE_BACKTEST_SAMPLE_RATE', 100, 1, 1_000_000, problems),
  };
  if (env.GATE_SHED_MODE !== undefined && env.GATE_SHED_MODE !== '' && !['review', '503'].includes(env.GATE_SHED_MODE))
    problems.push(`GATE_SHED_MODE must be "review" or "503", got "${env.GATE_SHED_MODE}"`);
  for (const entry of config.rightsHolderTokens) {
    const holder = entry.slice(0, Math.max(0, entry.indexOf(':')));
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(holder))
      problems.push(`GATE_RIGHTS_HOLDER_TOKENS: every entry must be holder:token with a holder id of letters, digits, _ . - (got "${holder}")`);
  }
  if (config.metricsToken !== undefined && config.metricsToken.length < 16) problems.push('GATE_METRICS_TOKEN must be at least 16 characters');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
