// Runs re-check jobs on this instance (docs/rechecks.md): at most one at a time,
// taken from the running jobs nobody holds (a lease with a TTL, renewed while it
// runs), a batch at a time: read after the job's cursor, leave out the listings
// the change that started it cannot move (recheck-scope.ts), decide each other
// listing (RecheckDecider, below live traffic), compare with its recorded verdict, and
// emit the batch with advance-recheck.lua, which moves the cursor in the same
// script. A batch read twice (its holder died, or lost the lease) is emitted
// once. The check path then records each changed verdict (review item, verdict
// record), as a check of the listing would.
import { randomUUID } from 'node:crypto';
import type { RecheckSettings } from '../config/gate-config.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { PrecomputedMatch } from '../gate/check-service.js';
import { ThrottledLog } from '../observability/throttled-log.js';
import type { ListingVerdict } from '../review/listing-verdicts.js';
import type { RecheckDecider } from './recheck-decider.js';
import type { RecheckFigures } from './recheck-figures.js';
import { CHANGED_PREFIX, changedField, type ChangeKind } from './recheck-job.js';
import { RatePacer } from './rate-pacer.js';
import { readRecheckBatch, type RecheckBatchRead } from './read-recheck-batch.js';
import { scopeFilter, type ScopeFilter } from './recheck-scope.js';
import type { RecheckRecord, RecheckStore } from './recheck-store.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface RecheckRunnerParts {
  store: RecheckStore;
  decider: RecheckDecider;
  /** Each listing's last recorded verdict (GET /v1/listings/{id}/verdict's), in order, read together. */
  recorded: (listingIds: readonly string[]) => Promise<Array<ListingVerdict | undefined>>;
  /** Records a changed verdict through the check path (review item, verdict record), with what the job matched. */
  record: (request: CheckRequest, matched: PrecomputedMatch) => Promise<unknown>;
  /** True while live checks wait (for the event loop or the live pool): the job waits for them. */
  liveBusy: () => boolean;
  settings: RecheckSettings;
  /** Largest listing an entry may hold (GATE_MAX_BODY_BYTES). */
  maxListingBytes: number;
  figures: RecheckFigures;
  log: GateLog;
}

const RETRY_MS = [100, 250, 500, 1000, 2000];
const LIVE_WAIT_MS = 2;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What one batch emits, and the listings whose verdict changed (to record after). */
interface Batch {
  records: RecheckRecord[];
  /** Listings decided (in the job's scope). */
  decided: number;
  outOfScope: number;
  counts: Map<string, number>;
  changed: Array<{ request: CheckRequest; matched: PrecomputedMatch; kind: ChangeKind }>;
}

export class RecheckRunner {
  /** This instance's token in leases: a restart of the same process is another holder. */
  private readonly token = `${randomUUID()}`;
  private readonly failures: ThrottledLog;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private looking: Promise<void> | undefined;
  private stopping = false;

  constructor(private readonly parts: RecheckRunnerParts) {
    this.failures = new ThrottledLog(parts.log);
  }

  start(): void {
    this.timer = setInterval(() => void this.lookNow(), this.parts.settings.pollMs);
    this.timer.unref();
    void this.lookNow();
  }

  /** Stops taking jobs; the job running ends after its batch and its lease is released for another instance. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.looking;
    await this.current;
  }

  /** One look at a time; stop() waits for it (a lease it takes meanwhile is released before Redis is closed). */
  private lookNow(): Promise<void> {
    this.looking ??= this.look().finally(() => {
      this.looking = undefined;
    });
    return this.looking;
  }

  private async look(): Promise<void> {
    if (this.current || this.stopping) return;
    try {
      for (const id of await this.parts.store.running()) {
        if (this.current || this.stopping) return;
        if (!(await this.parts.store.takeLease(id, this.token, this.parts.settings.leaseMs))) continue;
        if (this.stopping) {
          // Taken while stopping: left at once for another instance, not at its TTL.
          await this.parts.store.holdLease(id, this.token, 0).catch(() => undefined);
          return;
        }
        this.parts.figures.running(id);
        this.current = this.run(id).finally(() => {
          this.current = undefined;
          this.parts.figures.running(undefined);
          // The next job, if any, without waiting for the next poll.
          if (!this.stopping) setImmediate(() => void this.lookNow());
        });
        return;
      }
    } catch (error) {
      this.failures.note('recheck-look', `re-check: cannot look for jobs: ${(error as Error).message}`);
    }
  }

  private async run(id: string): Promise<void> {
    const { store, settings, log } = this.parts;
    let held = true;
    const renew = setInterval(
      () => {
        store.holdLease(id, this.token, settings.leaseMs).then(
          (still) => {
            if (!still) held = false;
          },
          (error: unknown) => this.failures.note('recheck-lease', `re-check ${id}: cannot renew the lease: ${(error as Error).message}`),
        );
      },
      Math.max(100, Math.floor(settings.leaseMs / 3)),
    );
    renew.unref();
    log.info(`re-check ${id}: running on this instance`);
    let rate = 0;
    let attempt = 0;
    let filter: ScopeFilter | undefined;
    /** The next batch, read while the current one was decided and emitted. */
    let ahead: { from: string; read: Promise<RecheckBatchRead> } | undefined;
    let since = performance.now();
    const pacer = new RatePacer(settings.maxRate);
    try {
      while (held && !this.stopping) {
        try {
          const fields = await store.fields(id);
          if (fields.state !== 'running') break;
          filter ??= scopeFilter(await store.scope(id, fields));
          const jobFilter = filter;
          const from = fields.cursor ?? '0-0';
          const source = {
            store,
            decider: this.parts.decider,
            source: fields.source ?? '',
            endId: fields.endId ?? '0-0',
            batch: settings.batch,
            filter: jobFilter,
            maxListingBytes: this.parts.maxListingBytes,
          };
          // Taken before it is awaited: a read that failed is not used again.
          const taken = ahead;
          ahead = undefined;
          let current: RecheckBatchRead;
          if (taken?.from === from) current = await taken.read;
          else {
            await this.beforeRead(pacer);
            current = await readRecheckBatch(from, source);
          }
          if (!current.finished) {
            const next = current.last;
            const read = this.beforeRead(pacer).then(() => readRecheckBatch(next, source));
            // Awaited by the next turn; one that is dropped (the job left, a batch failed) fails no one.
            read.catch(() => undefined);
            ahead = { from: next, read };
          }
          const batch = await this.check(id, current, fields.onlyChanged === '1' || jobFilter.changesOnly);
          const outcome = await store.advance({
            id,
            token: this.token,
            from,
            to: current.last,
            entries: current.entries,
            rate,
            finished: current.finished,
            counts: batch.counts,
            records: batch.records,
          });
          // Batches overlap: a batch's time is the time since the one before it was emitted.
          const emittedAt = performance.now();
          const seconds = (emittedAt - since) / 1000;
          since = emittedAt;
          if (current.entries > 0 && seconds > 0) rate = rate === 0 ? current.entries / seconds : 0.7 * rate + 0.3 * (current.entries / seconds);
          attempt = 0;
          if (outcome.status !== 'emitted') {
            log.warn(`re-check ${id}: batch after ${from} not emitted (${outcome.status}); leaving the job`);
            if (outcome.status === 'lease-lost') held = false;
            break;
          }
          const changes: Array<[string, string, number]> = [];
          for (const [field, by] of batch.counts) {
            if (!field.startsWith(CHANGED_PREFIX)) continue;
            const [was, now] = field.slice(CHANGED_PREFIX.length).split('->') as [string, string];
            changes.push([was, now, by]);
          }
          this.parts.figures.emitted({ decided: batch.decided, outOfScope: batch.outOfScope, changes });
          // Recorded after the emission: the next batch's comparison, and a later job's, see the new verdicts.
          await Promise.all(
            batch.changed.map((change) =>
              this.parts
                .record(change.request, change.matched)
                .catch((error: unknown) =>
                  this.failures.note(
                    'recheck-record',
                    `re-check ${id}: a changed verdict of ${change.request.listingId} not recorded: ${(error as Error).message}`,
                  ),
                ),
            ),
          );
          if (outcome.state !== 'running') {
            log.info(`re-check ${id}: ${outcome.state} (${outcome.done} listings)`);
            break;
          }
        } catch (error) {
          this.failures.note('recheck-batch', `re-check ${id}: batch failed, retrying: ${(error as Error).message}`);
          await sleep(RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)] as number);
        }
      }
    } finally {
      clearInterval(renew);
      // A read still under way ends before stop() returns (and Redis is closed after it).
      await ahead?.read.catch(() => undefined);
      if (held) await store.holdLease(id, this.token, 0).catch(() => undefined);
    }
  }

  /** While live checks wait, the job does not add to their wait. */
  private async waitForLive(): Promise<void> {
    while (this.parts.liveBusy() && !this.stopping) await sleep(LIVE_WAIT_MS);
  }

  /** Before a batch is read: live checks first, then the job's most listings a second (GATE_RECHECK_MAX_RATE). */
  private async beforeRead(pacer: RatePacer): Promise<void> {
    await this.waitForLive();
    const wait = pacer.waitBefore(this.parts.settings.batch);
    if (wait > 0 && !this.stopping) await sleep(wait);
  }

  /** Decides the batch's listings in the job's scope and compares each with its recorded verdict; counts the others. */
  private async check(jobId: string, read: RecheckBatchRead, onlyChanged: boolean): Promise<Batch> {
    const batch: Batch = { records: [...read.invalid], decided: read.valid.length, outOfScope: read.outOfScope, counts: new Map(), changed: [] };
    const count = (field: string): void => void batch.counts.set(field, (batch.counts.get(field) ?? 0) + 1);
    for (let i = 0; i < read.invalid.length; i++) count('invalid');
    if (batch.outOfScope > 0) batch.counts.set('outOfScope', batch.outOfScope);
    const { valid, matching } = read;
    if (valid.length === 0 || !matching) return batch;
    const requests = valid.map((v) => v.request);
    const [decided, recorded] = await Promise.all([
      this.parts.decider.decide(requests, matching),
      this.parts.recorded(requests.map((request) => request.listingId)),
    ]);
    const decidedAt = new Date().toISOString();
    valid.forEach(({ entryId, request }, i) => {
      const now = decided[i];
      if (!now) throw new Error(`no verdict for entry ${entryId}`);
      const previous = recorded[i]?.verdict ?? '';
      const changed = previous !== '' && previous !== now.verdict;
      if (previous === '') count('unrecorded');
      if (!changed && onlyChanged) return;
      const decidedBy = now.byPerson ? 'reviewer' : 'gate';
      const answer = {
        listingId: request.listingId,
        verdict: now.verdict,
        previous: previous || null,
        score: now.score,
        reasons: now.reasons,
        policyVersion: now.policyVersion,
        decidedBy,
      };
      const record: RecheckRecord = { entryId, listingId: request.listingId, previous, verdict: now.verdict, changed, payload: JSON.stringify(answer) };
      if (changed) {
        const kind = `${previous}->${now.verdict}` as ChangeKind;
        count(changedField(kind));
        record.event = JSON.stringify({ eventId: `${jobId}:${entryId}`, type: 'verdict.changed', jobId, ...answer, decidedAt });
        if (!now.byPerson) batch.changed.push({ request, matched: now.matched, kind });
      }
      batch.records.push(record);
    });
    return batch;
  }
}
