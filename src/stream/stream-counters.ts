// What the check socket counts. The event loop counts into its metrics at once; a
// check thread keeps a tally and sends it with its batch of outcomes.
import type { GateErrorCode } from '../errors/gate-error.js';
import { childrenOf, type Counter } from '../observability/metrics.js';

export type HeldReason = 'in_flight' | 'unread' | 'turn';

export interface StreamCounters {
  opened(): void;
  /** An upgrade refused because the listener held GATE_STREAM_CONNECTIONS sockets already. */
  upgradeRefused(): void;
  /** By the close code (1000 normal, 1001 going away, 1008 no usable seq, 1013 over the bounds, ...). */
  closed(code: number): void;
  message(): void;
  /** An answer carrying a check response. */
  answered(): void;
  /** An answer carrying an error, by its code. */
  failed(code: GateErrorCode): void;
  /** A message that waited in its connection's queue: behind the bound on checks in flight, behind answers its client had not read, or for the check thread's next turn. */
  held(reason: HeldReason): void;
}

/** A thread's counts since its last batch (structured-clone safe). */
export interface StreamTally {
  opened: number;
  upgradesRefused: number;
  messages: number;
  answered: number;
  held: Record<string, number>;
  closed: Record<string, number>;
  failed: Record<string, number>;
}

export interface StreamMetrics {
  streamConnections: Counter;
  streamUpgradesRefused: Counter;
  streamClosed: Counter;
  streamMessages: Counter;
  streamAnswers: Counter;
  streamHeld: Counter;
}

export function emptyTally(): StreamTally {
  return { opened: 0, upgradesRefused: 0, messages: 0, answered: 0, held: {}, closed: {}, failed: {} };
}

export function isEmptyTally(tally: StreamTally): boolean {
  return (
    tally.opened + tally.upgradesRefused + tally.messages + tally.answered === 0 &&
    Object.keys(tally.closed).length + Object.keys(tally.failed).length + Object.keys(tally.held).length === 0
  );
}

/** Counts into `tally()`, the tally in force now (a thread swaps in a fresh one each batch). */
export function tallyCounters(tally: () => StreamTally, changed: () => void): StreamCounters {
  const bump = (record: Record<string, number>, key: string): void => {
    record[key] = (record[key] ?? 0) + 1;
  };
  return {
    opened: () => (tally().opened++, changed()),
    upgradeRefused: () => (tally().upgradesRefused++, changed()),
    closed: (code) => (bump(tally().closed, String(code)), changed()),
    message: () => (tally().messages++, changed()),
    answered: () => (tally().answered++, changed()),
    failed: (code) => (bump(tally().failed, code), changed()),
    held: (reason) => (bump(tally().held, reason), changed()),
  };
}

/** Counted per message on the event loop (no check threads): the labelled counters' children are made once. */
export function metricCounters(metrics: StreamMetrics): StreamCounters {
  const answered = metrics.streamAnswers.labels({ outcome: 'response' });
  const closedBy = childrenOf(metrics.streamClosed);
  const heldBy = childrenOf(metrics.streamHeld);
  return {
    opened: () => metrics.streamConnections.inc(),
    upgradeRefused: () => metrics.streamUpgradesRefused.inc(),
    closed: (code) => closedBy(String(code)).inc(),
    message: () => metrics.streamMessages.inc(),
    answered: () => answered.inc(),
    failed: (code) => metrics.streamAnswers.inc({ outcome: 'error', code }),
    held: (reason) => heldBy(reason).inc(),
  };
}

/** A thread's tally into the event loop's metrics. */
export function addTally(metrics: StreamMetrics, tally: StreamTally): void {
  if (tally.opened > 0) metrics.streamConnections.inc(tally.opened);
  if (tally.upgradesRefused > 0) metrics.streamUpgradesRefused.inc(tally.upgradesRefused);
  if (tally.messages > 0) metrics.streamMessages.inc(tally.messages);
  if (tally.answered > 0) metrics.streamAnswers.inc({ outcome: 'response' }, tally.answered);
  for (const [reason, count] of Object.entries(tally.held)) metrics.streamHeld.inc({ reason }, count);
  for (const [code, count] of Object.entries(tally.closed)) metrics.streamClosed.inc({ code }, count);
  for (const [code, count] of Object.entries(tally.failed)) metrics.streamAnswers.inc({ outcome: 'error', code }, count);
}
