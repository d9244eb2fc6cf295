// Every failure the client reports: the gate's coded error answers, and the
// client's own codes for what never got an answer.
import type { GateErrorCode } from './check-types.js';

export const CLIENT_ERRORS = {
  /** No answer by the deadline plus `graceMs`. */
  CLIENT_ERR_TIMEOUT: 'no answer by the deadline',
  /** The caller's `signal` aborted the check. */
  CLIENT_ERR_ABORTED: 'the check was aborted',
  /** The connection failed before an answer (the gate may or may not have checked the listing). */
  CLIENT_ERR_NETWORK: 'the connection to the gate failed',
  /** An answer that is not the gate's: unreadable, or not a check response or error body. */
  CLIENT_ERR_BAD_ANSWER: 'the answer is not a check response',
  /** The check socket closed (or was closed) before the answer. */
  CLIENT_ERR_CLOSED: 'the check socket closed',
} as const;

export type ClientErrorCode = keyof typeof CLIENT_ERRORS;

export interface GateClientErrorOptions {
  status?: number;
  field?: string;
  retryAfterMs?: number;
  details?: unknown;
  cause?: unknown;
}

export class GateClientError extends Error {
  /** A `GATE_ERR_*` code the gate answered, or a `CLIENT_ERR_*` code of the client's. */
  readonly code: GateErrorCode | ClientErrorCode;
  /** The HTTP status of the gate's answer; undefined for a socket answer and when there was no answer. */
  readonly status: number | undefined;
  /** The offending field, when the gate named one (`title`, `price.amount`, `x-deadline-ms`, `listing.title` on the socket). */
  readonly field: string | undefined;
  /** From `retry-after`, on a 429 or 503. */
  readonly retryAfterMs: number | undefined;
  /** The gate's `details` (for a validation error: every problem, each `{ path, message }`). */
  readonly details: unknown;

  constructor(code: GateErrorCode | ClientErrorCode, message: string, options: GateClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GateClientError';
    this.code = code;
    this.status = options.status;
    this.field = options.field;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }
}
