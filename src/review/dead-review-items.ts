// Review items in the dead letters (delivered more than GATE_REVIEW_MAX_DELIVERIES
// times): an admin requeues one or drops it; one neither within
// GATE_REVIEW_DEAD_LAPSE_DAYS lapses (dead-item-lapse.ts). A drop is a lapse now,
// by the admin: the item closed undecided, what it carries settled as lapsed.
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { Reason } from '../gate/reason.js';
import { packReasons } from './packed-reasons.js';
import { packStoredListing } from './stored-listing.js';
import { ReviewError } from './review-queue.js';

const LAPSE_LIBRARIES = ['review-cluster-index', 'review-item-keys', 'open-items'];
/** Dead letters read at a time when looking for the letter of an item buried by an earlier version. */
const SCAN_CHUNK = 1000;

type LapseScript = (
  deadLetters: string,
  decisions: string,
  first: string,
  last: string,
  batch: string,
  nowIso: string,
  nowMs: string,
  retentionSeconds: string,
  itemPrefix: string,
  openPrefix: string,
  clusterPrefix: string,
  by: string,
) => Promise<Array<number | string>>;
type RequeueScript = (
  item: string,
  deadLetters: string,
  letter: string,
  listing: string,
  reasons: string,
  openPrefix: string,
  clusterPrefix: string,
) => Promise<[string, string]>;

export interface LapsedItem {
  reviewId: string;
  /** Its `lapse` entry in the decisions stream (DecisionEffects.settle waits on it). */
  entry: string;
}

export class DeadReviewItems {
  private readonly lapseScript: LapseScript;
  private readonly requeueScript: RequeueScript;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** How long a lapsed item and its keys are kept, in seconds (GATE_RETENTION_DAYS). */
    private readonly retentionSeconds: number,
  ) {
    this.lapseScript = luaCommand<LapseScript>(redis, 'lapse-dead-items', 2, LAPSE_LIBRARIES);
    this.requeueScript = luaCommand<RequeueScript>(redis, 'requeue-dead-item', 2, LAPSE_LIBRARIES);
  }

  /** Lapses up to `batch` items whose dead letters lie from `first` to `last` (ids, or ms); `taken`: letters read. */
  async lapse(first: string, last: string, batch: number, nowMs: number, by: string): Promise<{ taken: number; lapsed: LapsedItem[] }> {
    const { keys } = this;
    const [taken = 0, ...pairs] = await this.lapseScript(
      keys.reviewDeadLetters,
      keys.reviewDecisions,
      first,
      last,
      String(batch),
      new Date(nowMs).toISOString(),
      String(nowMs),
      String(this.retentionSeconds),
      keys.reviewItemPrefix,
      keys.reviewOpenPrefix,
      keys.reviewCluster(''),
      by,
    );
    const lapsed: LapsedItem[] = [];
    for (let i = 0; i + 1 < pairs.length; i += 2) lapsed.push({ reviewId: String(pairs[i]), entry: String(pairs[i + 1]) });
    return { taken: Number(taken), lapsed };
  }

  /** Puts a dead item back in its tier's queue, deliveries from zero; resolves to its new stream entry. */
  async requeue(reviewId: string): Promise<string> {
    const letter = await this.letterOf(reviewId);
    const fields = await this.letterFields(letter);
    const listing = JSON.parse(fields.listing || 'null') as CheckRequest | null;
    const reasons = JSON.parse(fields.reasons || '[]') as Reason[];
    const [status, value] = await this.requeueScript(
      this.keys.reviewItem(reviewId),
      this.keys.reviewDeadLetters,
      letter,
      listing ? packStoredListing(listing) : '',
      packReasons(reasons),
      this.keys.reviewOpenPrefix,
      this.keys.reviewCluster(''),
    );
    if (status !== 'ok') throw new ReviewError(value);
    return value;
  }

  /** Closes a dead item undecided now, by `who` (the audit's name); resolves to its `lapse` entry in the decisions stream. */
  async drop(reviewId: string, who: string): Promise<string> {
    const letter = await this.letterOf(reviewId);
    const { lapsed } = await this.lapse(letter, letter, 1, Date.now(), who);
    const dropped = lapsed.find((item) => item.reviewId === reviewId);
    if (!dropped) throw new ReviewError(await this.whyNotDead(reviewId));
    return dropped.entry;
  }

  /** The dead letter of a dead item: named by the item, or (buried by an earlier version) found in the stream. */
  private async letterOf(reviewId: string): Promise<string> {
    const [status, letter] = await this.redis.hmget(this.keys.reviewItem(reviewId), 'status', 'deadLetter');
    if (status !== 'dead') throw new ReviewError(await this.whyNotDead(reviewId));
    if (letter) return letter;
    for (let from = '-'; ; ) {
      const rows = await this.redis.xrange(this.keys.reviewDeadLetters, from, '+', 'COUNT', SCAN_CHUNK);
      for (const [id, fields] of rows) if (fields[fields.indexOf('reviewId') + 1] === reviewId) return id;
      const last = rows[rows.length - 1];
      if (!last || rows.length < SCAN_CHUNK) throw new ReviewError('no_dead_letter');
      from = `(${last[0]}`;
    }
  }

  private async letterFields(letter: string): Promise<Record<string, string>> {
    const [row] = await this.redis.xrange(this.keys.reviewDeadLetters, letter, letter);
    if (!row) throw new ReviewError('no_dead_letter');
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < row[1].length; i += 2) out[row[1][i] ?? ''] = row[1][i + 1] ?? '';
    return out;
  }

  private async whyNotDead(reviewId: string): Promise<string> {
    const status = await this.redis.hget(this.keys.reviewItem(reviewId), 'status');
    return status === null ? 'not_found' : status === 'lapsed' ? 'lapsed' : 'not_dead';
  }
}
