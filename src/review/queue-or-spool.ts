// A review item on the publish path: into the queue within its budget, or, when
// Redis cannot take it in time, into the local spool, replayed when Redis
// answers. While a replay takes an outage's backlog, it joins the spool at once
// (ReviewSpool.newItemsJoinReplay). Either way it is kept before the answer.
import { deadlineIn, settleBefore, type Outcome } from '../gate/settle-before.js';
import type { EnqueueResult, ReviewQueue } from './review-queue.js';
import type { ReviewSpool, SpooledItem } from './review-spool.js';

export type QueuedOrSpooled = { spooled: false; result: EnqueueResult } | { spooled: true; why: string };

/** The queue's answer for the item if it comes within `budgetMs`; else why not (`deadline`, or Redis's error). */
export async function enqueueWithin(reviews: Pick<ReviewQueue, 'enqueue'>, item: SpooledItem, budgetMs: number): Promise<Outcome<EnqueueResult>> {
  const wait = deadlineIn(budgetMs);
  const attempt = await settleBefore(reviews.enqueue(item), wait.promise);
  wait.cancel();
  return attempt;
}

export async function queueOrSpool(reviews: Pick<ReviewQueue, 'enqueue'>, spool: ReviewSpool, item: SpooledItem, budgetMs: number): Promise<QueuedOrSpooled> {
  if (spool.newItemsJoinReplay) {
    await spool.append(item, 'behind-replay');
    return { spooled: true, why: 'the spool is replaying' };
  }
  const attempt = await enqueueWithin(reviews, item, budgetMs);
  if (attempt.ok) return { spooled: false, result: attempt.value };
  await spool.append(item, attempt.why === 'deadline' ? 'late' : 'unreachable');
  return { spooled: true, why: attempt.why };
}
