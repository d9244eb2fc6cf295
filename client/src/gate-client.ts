// The gate's client: checks over HTTP, retried after a 429 or 503 as the gate's
// retry-after says while the deadline allows, and sessions on the check socket.
import { setTimeout as delay } from 'node:timers/promises';
import { CheckStream, type CheckStreamOptions } from './check-stream.js';
import type { CheckRequest, CheckResponse } from './check-types.js';
import { checkDeadline, checkFormat, resolveOptions, type GateClientOptions, type ResolvedOptions } from './client-options.js';
import { GateClientError } from './gate-client-error.js';
import { postCheck } from './post-check.js';
import { encode } from './wire-format.js';

export interface CheckOptions {
  /** This check's deadline in ms (1 to 60,000), retries' waits included. Default: the client's `deadlineMs`. */
  deadlineMs?: number;
  /** Aborts the check, and any wait before a retry (`CLIENT_ERR_ABORTED`). */
  signal?: AbortSignal;
}

/** The gate's check socket's default bound on messages running per connection (`GATE_STREAM_IN_FLIGHT`). */
const DEFAULT_WINDOW = 64;

export class GateClient {
  private readonly options: Readonly<ResolvedOptions>;

  constructor(options: GateClientOptions) {
    this.options = resolveOptions(options);
  }

  /** Checks a listing: its verdict, or a GateClientError. */
  async check(listing: CheckRequest, options: CheckOptions = {}): Promise<CheckResponse> {
    const deadlineMs = options.deadlineMs === undefined ? this.options.deadlineMs : checkDeadline('options.deadlineMs', options.deadlineMs);
    const startedAt = performance.now();
    const body = encode(listing, this.options.format);
    for (let attempt = 0; ; attempt++) {
      const leftMs = deadlineMs === undefined ? undefined : deadlineMs - (performance.now() - startedAt);
      try {
        return await postCheck(this.options, { body, leftMs, signal: options.signal });
      } catch (error) {
        const wait = this.retryWait(error, attempt, deadlineMs === undefined ? undefined : deadlineMs - (performance.now() - startedAt));
        if (wait === undefined) throw error;
        try {
          await delay(wait, undefined, { signal: options.signal });
        } catch (abort) {
          throw new GateClientError('CLIENT_ERR_ABORTED', 'the check was aborted while waiting to retry', { cause: abort });
        }
      }
    }
  }

  /** Opens a session on the check socket; rejects with the gate's coded error when it refuses the upgrade. */
  stream(options: CheckStreamOptions = {}): Promise<CheckStream> {
    const window = options.window ?? DEFAULT_WINDOW;
    if (!Number.isSafeInteger(window) || window < 1) throw new RangeError('options.window must be a positive integer');
    const headers: Record<string, string> = {};
    if (this.options.token !== undefined) headers.authorization = `Bearer ${this.options.token}`;
    return CheckStream.open(`${this.options.baseUrl.replace(/^http/, 'ws')}/v1/check/stream`, headers, {
      format: options.format === undefined ? this.options.format : checkFormat('options.format', options.format),
      window,
      deadlineMs: options.deadlineMs === undefined ? this.options.deadlineMs : checkDeadline('options.deadlineMs', options.deadlineMs),
      graceMs: this.options.graceMs,
    });
  }

  /** The ms to wait before sending again, or undefined when `error` is final. */
  private retryWait(error: unknown, attempt: number, leftMs: number | undefined): number | undefined {
    if (!(error instanceof GateClientError) || (error.status !== 429 && error.status !== 503)) return undefined;
    const wait = error.retryAfterMs;
    if (wait === undefined || attempt >= this.options.retries) return undefined;
    // A retry must leave the gate at least a millisecond of the deadline.
    if (leftMs !== undefined && wait >= leftMs - 1) return undefined;
    // Up to a tenth more, so that the callers one overload refused do not all come back in the same millisecond.
    const spread = wait + Math.random() * wait * 0.1;
    return leftMs === undefined ? spread : Math.min(spread, leftMs - 1);
  }
}
