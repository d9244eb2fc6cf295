// How a request's deadline is spent: the signals (matching, lists, rings) get all
// of it but a reserve, and the reserve is for handing a review item to Redis, or
// failing that to the local spool. Without the reserve, a check whose signals ran
// to the deadline would answer past it by the time the queueing took.

/** Kept back from the signals for queueing a review item. */
const QUEUE_RESERVE_MS = 2;
/** Left for writing the spool and the answer once Redis had its chance. */
const ANSWER_RESERVE_MS = 0.5;

/** Milliseconds from now the signals may take, `elapsedMs` into a request with `deadlineMs`. */
export function signalBudgetMs(deadlineMs: number, elapsedMs: number): number {
  const signalsEnd = Math.max(deadlineMs / 2, deadlineMs - QUEUE_RESERVE_MS);
  return Math.max(0, signalsEnd - elapsedMs);
}

/** Milliseconds from now Redis has to take a review item before it goes to the spool instead. */
export function queueBudgetMs(deadlineMs: number, elapsedMs: number): number {
  return Math.max(0, deadlineMs - ANSWER_RESERVE_MS - elapsedMs);
}
