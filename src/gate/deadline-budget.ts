// How a request's deadline is spent. The caller's clock started before ours: the
// request waited in the kernel and for the event loop to read it, and the answer
// travels back after we write it. So the answer is due a reserve before the
// deadline by the gate's clock; the signals (matching, lists, rings) get all of
// that but what queueing a review item needs (to Redis, or failing that to the
// local spool). Measured under the fault runs' load on 2 shared cores, the time
// outside the gate's clock had a p99 of 2.5-4 ms and a p99.9 of 5-8 ms (npm run
// load:faults prints it); with the 2 ms a late answer is allowed, a 4 ms reserve
// covers the p99.9 at the default 20 ms deadline. A healthy signal takes a few
// milliseconds, so only a signal that would have failed anyway ends sooner.

/** The share of the deadline kept for what the gate's clock does not see, within [MIN, MAX]. */
const OUTSIDE_RESERVE_SHARE = 0.2;
const OUTSIDE_RESERVE_MIN_MS = 1;
const OUTSIDE_RESERVE_MAX_MS = 5;
/** Kept back from the signals for queueing a review item. */
const QUEUE_RESERVE_MS = 2;
/** Left for writing the spool and the answer once Redis had its chance. */
const ANSWER_RESERVE_MS = 0.5;

/** When the answer is due, in milliseconds from the request's arrival at the gate. */
export function answerDueMs(deadlineMs: number): number {
  const reserve = Math.min(OUTSIDE_RESERVE_MAX_MS, Math.max(OUTSIDE_RESERVE_MIN_MS, deadlineMs * OUTSIDE_RESERVE_SHARE));
  return Math.max(deadlineMs / 2, deadlineMs - reserve);
}

function signalsEndMs(deadlineMs: number): number {
  const due = answerDueMs(deadlineMs);
  return Math.max(due / 2, due - QUEUE_RESERVE_MS);
}

/** Milliseconds from now the signals may take, `elapsedMs` into a request with `deadlineMs`. */
export function signalBudgetMs(deadlineMs: number, elapsedMs: number): number {
  return Math.max(0, signalsEndMs(deadlineMs) - elapsedMs);
}

/** Milliseconds from now Redis has to take a review item before it goes to the spool instead. */
export function queueBudgetMs(deadlineMs: number, elapsedMs: number): number {
  const due = answerDueMs(deadlineMs);
  // A deadline of a millisecond or two leaves less than the reserve: half of what follows the signals.
  const queueEnd = due - Math.min(ANSWER_RESERVE_MS, (due - signalsEndMs(deadlineMs)) / 2);
  return Math.max(0, queueEnd - elapsedMs);
}

/** The margin allowed past a check's deadline before its answer counts as late (gate_checks_late_total). */
const LATE_GRACE_MS = 2;

export function isLate(tookMicros: number, deadlineMs: number): boolean {
  return tookMicros > (deadlineMs + LATE_GRACE_MS) * 1000;
}
