// The Redis Streams intake (issue 25 point 2, contract section 6): every instance
// reads GATE_INTAKE_STREAM through one consumer group, checks each entry's
// listing through the same CheckService path as POST /v1/check, and records the
// outcome (verdict or error, then acknowledgement) with IntakeOutcomes. Entries an
// instance read and never recorded (it died) are claimed by the others once idle
// for GATE_INTAKE_CLAIM_IDLE_MS; an entry delivered more than
// GATE_INTAKE_MAX_DELIVERIES times goes to the dead letters. At least once.
import type { Redis } from 'ioredis';
import { pack as packMsgpack } from 'msgpackr';
import type { IntakeSettings } from '../config/gate-config.js';
import { GateError } from '../errors/gate-error.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { CheckResponse } from '../gate/check-response.js';
import type { BodyFormat } from '../http/decode-body.js';
import type { MetricsRegistry } from '../observability/metrics.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import { INTAKE_GROUP, type IntakeKeys } from '../redis/redis-keys.js';
import { trimBehindGroups } from '../redis/trim-behind-groups.js';
import { luaCommand } from '../redis/lua-command.js';
import { readIntakeEntry } from './intake-entry.js';
import { IntakeOutcomes, type IntakeOutcome } from './intake-outcomes.js';
import type { GateLog } from '../observability/gate-logger.js';

export type IntakeCheck = (request: CheckRequest, startedAt: number, deadlineMs: number) => Promise<CheckResponse>;

export interface StreamIntakeParts {
  /** Scripts, claims and the group's figures. */
  redis: Redis;
  /** A connection of its own: a blocking read holds it. */
  reader: Redis;
  keys: IntakeKeys;
  settings: IntakeSettings;
  /** This instance's consumer name in the group. */
  consumer: string;
  /** The check of one listing: CheckService.check, as POST /v1/check calls it. */
  check: IntakeCheck;
  /** Largest listing an entry may hold (GATE_MAX_BODY_BYTES, as for a request body). */
  maxListingBytes: number;
  registry: MetricsRegistry;
  log: GateLog;
}

type StreamEntry = [id: Buffer, fields: Buffer[] | null];
type ReadReply = Array<[stream: Buffer, entries: StreamEntry[]]> | null;
type ClaimReply = [next: Buffer, entries: StreamEntry[], deleted?: Buffer[]];

/** A blocking read returns after this long without entries: how long a stop waits for the read in progress. */
const BLOCK_MS = 1000;
const RETRY_MS = [100, 250, 500, 1000, 2000];
/** How long a stop waits for held entries to be checked and recorded before leaving them to the others. */
const STOP_TIMEOUT_MS = 10_000;
/** Last failures of checks, by entry id, for the dead letter of an entry that keeps failing. */
const MAX_REMEMBERED_FAILURES = 10_000;
/** Consumers with nothing pending and idle this long (instances that died) are removed from the group. */
const FORGET_CONSUMER_IDLE_MS = 3_600_000;
/** How often the stream is trimmed of the entries every group has acknowledged (issue 23). */
const TRIM_EVERY_MS = 60_000;

function encode(value: unknown, format: BodyFormat): Buffer {
  return format === 'msgpack' ? packMsgpack(value) : Buffer.from(JSON.stringify(value));
}

function errorBody(error: GateError): { code: string; message: string; field?: string } {
  return error.field === undefined ? { code: error.code, message: error.message } : { code: error.code, message: error.message, field: error.field };
}

function listingField(fields: readonly Buffer[] | null): Buffer | undefined {
  if (!fields) return undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i]?.toString() === 'listing') return fields[i + 1];
  return undefined;
}

export class StreamIntake {
  private readonly outcomes: IntakeOutcomes;
  private readonly failures: ThrottledLog;
  /** Entries read (or claimed) and not recorded yet: id -> when their idle time in the group was last reset (ms). */
  private readonly holding = new Map<string, number>();
  private readonly lastFailure = new Map<string, string>();
  private roomWaiters: Array<() => void> = [];
  private stopping = false;
  private reading: Promise<void> | undefined;
  private claiming: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private claimTimer: NodeJS.Timeout | undefined;
  private figuresTimer: NodeJS.Timeout | undefined;
  private lastConsumerSweep = 0;
  private lastTrim = 0;
  private group = { lag: 0, pending: 0 };
  private readonly counts = { response: 0, error: 0, dead: 0, skipped: 0, failed: 0, deleted: 0, claimed: 0 };
  /** leave-intake-group.lua: 1 when the consumer left its group, 0 when it holds entries. */
  private readonly leaveIfIdle: (stream: string, group: string, consumer: string) => Promise<number>;

  constructor(private readonly parts: StreamIntakeParts) {
    this.failures = new ThrottledLog(parts.log);
    this.leaveIfIdle = luaCommand<StreamIntake['leaveIfIdle']>(parts.redis, 'leave-intake-group', 1);
    this.outcomes = new IntakeOutcomes(parts.redis, parts.keys, {
      group: INTAKE_GROUP,
      verdictsMaxLen: parts.settings.verdictsMaxLen,
      deadMaxLen: parts.settings.deadMaxLen,
      log: parts.log,
      written: (batch, recorded) => this.written(batch, recorded),
    });
    this.registerMetrics(parts.registry);
  }

  /** Entries this instance read and has not recorded yet. */
  get held(): number {
    return this.holding.size;
  }

  start(): void {
    this.reading = this.readLoop();
    const every = Math.max(100, Math.min(5000, Math.round(this.parts.settings.claimIdleMs / 4)));
    this.claimTimer = setInterval(() => {
      this.claiming ??= this.keepHeld()
        .then(() => this.claimIdle())
        .finally(() => (this.claiming = undefined));
    }, every);
    this.claimTimer.unref();
    this.figuresTimer = setInterval(() => void this.readFigures(), 2000);
    this.figuresTimer.unref();
  }

  /** Stops reading, checks and records what it holds (leaving it to the others after 10 s), then leaves the group if it holds nothing there. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true;
      clearInterval(this.claimTimer);
      clearInterval(this.figuresTimer);
      for (const wake of this.roomWaiters.splice(0)) wake();
      await this.reading;
      await this.claiming;
      const until = Date.now() + STOP_TIMEOUT_MS;
      while ((this.holding.size > 0 || this.outcomes.waiting > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      if (this.holding.size > 0 || this.outcomes.waiting > 0) {
        this.outcomes.giveUp();
        this.parts.log.warn(`intake: stopped with ${this.holding.size} entries unrecorded; they stay pending for another instance to claim`);
        return;
      }
      await this.leaveGroup();
    })();
    return this.stopped;
  }

  private async ensureGroup(): Promise<void> {
    try {
      // From the stream's first entry: what was added before any instance started is checked too.
      await this.parts.redis.xgroup('CREATE', this.parts.keys.stream, INTAKE_GROUP, '0', 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('BUSYGROUP')) throw error;
    }
  }

  private async readLoop(): Promise<void> {
    let attempt = 0;
    let groupReady = false;
    while (!this.stopping) {
      try {
        if (!groupReady) {
          await this.ensureGroup();
          groupReady = true;
        }
        await this.room();
        if (this.stopping) break;
        const count = Math.min(this.parts.settings.batch, this.parts.settings.inFlight - this.holding.size);
        const reply = (await this.parts.reader.callBuffer(
          'XREADGROUP',
          'GROUP',
          INTAKE_GROUP,
          this.parts.consumer,
          'COUNT',
          count,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.parts.keys.stream,
          '>',
        )) as ReadReply;
        attempt = 0;
        for (const [, entries] of reply ?? []) for (const [id, fields] of entries) this.take(id.toString(), fields);
      } catch (error) {
        // Redis down or restarted (the group may be gone with it): wait, then resume where the group left off.
        if (error instanceof Error && error.message.startsWith('NOGROUP')) groupReady = false;
        this.failures.note('intake-read', `intake: cannot read ${this.parts.keys.stream}, retrying: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]));
      }
    }
  }

  /** Resolves once fewer than GATE_INTAKE_IN_FLIGHT entries are held (or the intake stops). */
  private room(): Promise<void> {
    if (this.holding.size < this.parts.settings.inFlight || this.stopping) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  private release(entryId: string): void {
    this.holding.delete(entryId);
    if (this.holding.size < this.parts.settings.inFlight) for (const wake of this.roomWaiters.splice(0)) wake();
  }

  /** Checks one entry; its outcome is recorded, or, if the check failed, it stays pending to be claimed again. */
  private take(entryId: string, fields: Buffer[] | null): void {
    if (this.holding.has(entryId)) return;
    if (!fields) return; // deleted from the stream while pending: nothing to check
    this.holding.set(entryId, Date.now());
    const entry = readIntakeEntry(fields, this.parts.maxListingBytes);
    if (!entry.ok) {
      this.outcomes.add({ kind: 'error', entryId, listingId: entry.listingId, payload: encode(errorBody(entry.error), entry.format) });
      return;
    }
    const startedAt = performance.now();
    this.parts.check(entry.request, startedAt, this.parts.settings.deadlineMs).then(
      (response) => this.outcomes.add({ kind: 'response', entryId, listingId: entry.request.listingId, payload: encode(response, entry.format) }),
      (error: unknown) => {
        const failure = error instanceof GateError ? `${error.code} ${error.message}` : String((error as Error)?.message ?? error);
        this.counts.failed++;
        if (this.lastFailure.size >= MAX_REMEMBERED_FAILURES) this.lastFailure.delete(this.lastFailure.keys().next().value as string);
        this.lastFailure.set(entryId, failure);
        this.failures.note('intake-check', `intake: entry ${entryId} not checked, left to be claimed again: ${failure}`, {
          entryId,
          listingId: entry.request.listingId,
        });
        this.release(entryId);
      },
    );
  }

  private written(batch: readonly IntakeOutcome[], recorded: readonly boolean[]): void {
    batch.forEach((outcome, i) => {
      this.counts[recorded[i] ? outcome.kind : 'skipped']++;
      this.lastFailure.delete(outcome.entryId);
      this.release(outcome.entryId);
    });
  }

  /**
   * Resets the idle time of entries held a third of GATE_INTAKE_CLAIM_IDLE_MS
   * (XCLAIM JUSTID to itself, which leaves the delivery count alone), so that a
   * live instance slowed down (a busy machine, Redis refusing outcomes) keeps its
   * entries, and only a dead one's are claimed. One claimed by another instance
   * meanwhile (idle less than that) is not taken back.
   */
  private async keepHeld(): Promise<void> {
    const { redis, keys, settings, consumer } = this.parts;
    const third = Math.round(settings.claimIdleMs / 3);
    const now = Date.now();
    const due = [...this.holding].filter(([, since]) => now - since >= third).map(([id]) => id);
    try {
      for (let i = 0; i < due.length; i += 500) {
        const ids = due.slice(i, i + 500);
        await redis.xclaim(keys.stream, INTAKE_GROUP, consumer, third, ...ids, 'JUSTID');
        for (const id of ids) if (this.holding.has(id)) this.holding.set(id, now);
      }
    } catch (error) {
      this.failures.note('intake-keep', `intake: cannot keep held entries from being claimed: ${(error as Error).message}`);
    }
  }

  /** Claims entries other consumers (or this one, for a check that failed) left idle; dead-letters those delivered too often. */
  private async claimIdle(): Promise<void> {
    const { redis, keys, settings, consumer } = this.parts;
    try {
      let cursor = '0-0';
      do {
        const room = settings.inFlight - this.holding.size;
        if (room <= 0 || this.stopping) return;
        const [next, entries, deleted] = (await redis.callBuffer(
          'XAUTOCLAIM',
          keys.stream,
          INTAKE_GROUP,
          consumer,
          settings.claimIdleMs,
          cursor,
          'COUNT',
          Math.min(room, settings.batch),
        )) as ClaimReply;
        cursor = next.toString();
        this.counts.deleted += deleted?.length ?? 0;
        const claimed = entries.filter(([id]) => !this.holding.has(id.toString()));
        if (claimed.length === 0) continue;
        this.counts.claimed += claimed.length;
        const deliveries = await this.deliveriesOf(claimed.map(([id]) => id.toString()));
        for (const [rawId, fields] of claimed) {
          const id = rawId.toString();
          const count = deliveries.get(id) ?? 1;
          if (count <= settings.maxDeliveries) this.take(id, fields);
          else this.deadLetter(id, fields, count);
        }
      } while (cursor !== '0-0');
      await this.forgetDeadConsumers();
      if (Date.now() - this.lastTrim >= TRIM_EVERY_MS) {
        this.lastTrim = Date.now();
        await trimBehindGroups(redis, keys.stream);
      }
    } catch (error) {
      this.failures.note('intake-claim', `intake: cannot claim idle entries: ${(error as Error).message}`);
    }
  }

  private async deliveriesOf(ids: readonly string[]): Promise<Map<string, number>> {
    const first = ids[0] as string;
    const last = ids[ids.length - 1] as string;
    // This consumer's pending entries between the first and last claimed: the claimed ones among them.
    const rows = (await this.parts.redis.xpending(
      this.parts.keys.stream,
      INTAKE_GROUP,
      first,
      last,
      ids.length + this.holding.size + 1,
      this.parts.consumer,
    )) as Array<[string, string, number, number]>;
    return new Map(rows.map(([id, , , count]) => [id, Number(count)]));
  }

  private deadLetter(entryId: string, fields: Buffer[] | null, deliveries: number): void {
    this.holding.set(entryId, Date.now());
    const failure = this.lastFailure.get(entryId);
    const message = `delivered ${deliveries} times without an outcome (GATE_INTAKE_MAX_DELIVERIES is ${this.parts.settings.maxDeliveries}): ${failure ? `its check failed: ${failure}` : 'the instances that read it stopped before recording one'}`;
    const listing = listingField(fields);
    const entry = fields ? readIntakeEntry(fields, this.parts.maxListingBytes) : undefined;
    const listingId = entry?.ok ? entry.request.listingId : (entry?.listingId ?? '');
    this.outcomes.add({
      kind: 'dead',
      entryId,
      listingId,
      payload: encode({ code: 'GATE_ERR_DEAD_LETTER', message }, 'json'),
      listing: listing ?? Buffer.alloc(0),
    });
  }

  /** Removes consumers of instances gone for an hour with nothing pending (a live one is made again by its next read). */
  private async forgetDeadConsumers(): Promise<void> {
    if (Date.now() - this.lastConsumerSweep < FORGET_CONSUMER_IDLE_MS / 4) return;
    this.lastConsumerSweep = Date.now();
    const { redis, keys } = this.parts;
    const consumers = (await redis.xinfo('CONSUMERS', keys.stream, INTAKE_GROUP)) as Array<Array<string | number>>;
    for (const row of consumers) {
      const field = (name: string): string | number | undefined => row[row.indexOf(name) + 1];
      if (Number(field('pending')) === 0 && Number(field('idle')) > FORGET_CONSUMER_IDLE_MS) {
        await redis.xgroup('DELCONSUMER', keys.stream, INTAKE_GROUP, String(field('name')));
      }
    }
  }

  private async leaveGroup(): Promise<void> {
    const { keys, consumer } = this.parts;
    try {
      await this.leaveIfIdle(keys.stream, INTAKE_GROUP, consumer);
    } catch (error) {
      this.parts.log.warn(`intake: could not leave the consumer group: ${(error as Error).message}`);
    }
  }

  private async readFigures(): Promise<void> {
    try {
      const groups = (await this.parts.redis.xinfo('GROUPS', this.parts.keys.stream)) as Array<Array<string | number | null>>;
      const row = groups.find((g) => g[g.indexOf('name') + 1] === INTAKE_GROUP);
      if (!row) return;
      this.group = { lag: Number(row[row.indexOf('lag') + 1] ?? NaN), pending: Number(row[row.indexOf('pending') + 1] ?? 0) };
    } catch {
      // Redis down: gate_redis_up says so; the figures keep their last values.
    }
  }

  private registerMetrics(registry: MetricsRegistry): void {
    registry.countedBy(
      'gate_intake_entries_total',
      "Intake entries by outcome: response (verdict appended), error (a bad entry's error appended), dead (dead-lettered), skipped (another instance recorded it first), failed (the check failed; left pending to be claimed again), deleted (gone from the stream while pending). Its rate is the intake's throughput.",
      () => (['response', 'error', 'dead', 'skipped', 'failed', 'deleted'] as const).map((outcome) => ({ labels: { outcome }, value: this.counts[outcome] })),
      ['outcome'],
    );
    registry.countedBy(
      'gate_intake_claimed_total',
      'Intake entries claimed after GATE_INTAKE_CLAIM_IDLE_MS idle (an instance died holding them, or a check failed).',
      () => this.counts.claimed,
    );
    registry.gauge(
      'gate_intake_lag_entries',
      'Entries of the intake stream not yet delivered to the consumer group (all instances), read every 2 s.',
      () => this.group.lag,
    );
    registry.gauge(
      'gate_intake_pending_entries',
      'Entries delivered to the consumer group and not yet acknowledged (all instances), read every 2 s.',
      () => this.group.pending,
    );
    registry.gauge(
      'gate_intake_held_entries',
      'Entries this instance read and has not recorded yet (GATE_INTAKE_IN_FLIGHT bounds them).',
      () => this.holding.size,
    );
  }
}
