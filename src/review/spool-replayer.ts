// Puts what the local spools hold back into Redis once it answers: on its
// `ready` event and every second, review items first, then the list changes and
// decisions that may decide them, then a check's bookkeeping (verdict records,
// figures, ring links).
import type { Redis } from 'ioredis';
import { REVIEW_REPLAY_ITEMS_PER_TURN, REVIEW_REPLAY_LANES, type ReviewSpool, type SpooledItem } from './review-spool.js';
import type { SpooledChange } from './spooled-change.js';
import type { BookkeepingSpool } from '../redis/bookkeeping-spool.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface SpoolReplayerParts {
  /** Replays run only while its status is `ready`. */
  redis: Pick<Redis, 'status' | 'on' | 'off'>;
  spool: ReviewSpool;
  changes: ReviewSpool<SpooledChange>;
  /** Puts a spooled review item into the queue (ReviewQueue.replaySpooled). */
  enqueue: (item: SpooledItem) => Promise<unknown>;
  /** Applies a spooled list change or decision, once (applySpooledChange). */
  apply: (change: SpooledChange) => Promise<void>;
  /** A check's bookkeeping Redis did not take; absent: none is spooled. */
  bookkeeping?: Pick<BookkeepingSpool, 'pending' | 'replay'>;
  log: GateLog;
}

export interface SpoolReplayer {
  stop(): void;
}

export function startSpoolReplayer(parts: SpoolReplayerParts, intervalMs = 1000): SpoolReplayer {
  const { redis, spool, changes, log } = parts;
  // A pass under way when stop() is called starts nothing more: what is spooled after stop() stays spooled.
  let stopped = false;
  const replaySpool = (): void => {
    if (stopped || redis.status !== 'ready') return;
    spool
      .pending()
      .then((pending) => (pending && !stopped ? spool.replay(parts.enqueue, REVIEW_REPLAY_LANES, REVIEW_REPLAY_ITEMS_PER_TURN) : 0))
      .then(async (count) => {
        // List changes and decisions after the review items they may decide.
        if (!stopped && (await changes.pending()) && !stopped) {
          const applied = await changes.replay(parts.apply);
          if (applied > 0) log.info(`applied ${applied} spooled list changes and decisions`);
        }
        if (parts.bookkeeping && !stopped && (await parts.bookkeeping.pending()) && !stopped) {
          const written = await parts.bookkeeping.replay();
          if (written > 0) log.info(`wrote ${written} spooled verdict records, figures and ring links to Redis`);
        }
        return count;
      })
      .then(
        (count) => count > 0 && log.info(`replayed ${count} spooled review items into the queue`),
        (error: unknown) => log.warn(`spool replay failed: ${(error as Error).message}`),
      );
  };
  redis.on('ready', replaySpool);
  const spoolTimer = setInterval(replaySpool, intervalMs);
  spoolTimer.unref();
  replaySpool();
  return {
    stop: () => {
      stopped = true;
      clearInterval(spoolTimer);
      redis.off('ready', replaySpool);
    },
  };
}
