// One `POST /v1/check`: the listing in the client's encoding, the time left as
// `x-deadline-ms`, and the answer read as a check response or a coded error.
import type { CheckResponse } from './check-types.js';
import type { ResolvedOptions } from './client-options.js';
import { GateClientError } from './gate-client-error.js';
import { readAnswer } from './read-answer.js';
import { retryAfterMs } from './retry-after.js';
import { CONTENT_TYPE, decode, formatOf } from './wire-format.js';

export interface PostAttempt {
  body: string | Uint8Array;
  /** Ms left before the caller's deadline; undefined: no deadline. */
  leftMs: number | undefined;
  signal: AbortSignal | undefined;
}

function failure(error: unknown, timeout: AbortSignal | undefined, caller: AbortSignal | undefined): GateClientError {
  if (timeout?.aborted) return new GateClientError('CLIENT_ERR_TIMEOUT', 'no answer from the gate by the deadline', { cause: error });
  if (caller?.aborted) return new GateClientError('CLIENT_ERR_ABORTED', 'the check was aborted', { cause: caller.reason });
  return new GateClientError('CLIENT_ERR_NETWORK', `the request to the gate failed: ${(error as Error).message}`, { cause: error });
}

export async function postCheck(options: ResolvedOptions, attempt: PostAttempt): Promise<CheckResponse> {
  const type = CONTENT_TYPE[options.format];
  const headers: Record<string, string> = { 'content-type': type, accept: type };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  // The gate answers a reserve before its deadline; the grace is for the way there and back.
  const timeout = attempt.leftMs === undefined ? undefined : AbortSignal.timeout(Math.ceil(Math.max(0, attempt.leftMs)) + options.graceMs);
  if (attempt.leftMs !== undefined) headers['x-deadline-ms'] = String(Math.max(1, Math.floor(attempt.leftMs)));
  const signals = [timeout, attempt.signal].filter((s): s is AbortSignal => s !== undefined);
  let response: Response;
  let bytes: Uint8Array;
  try {
    response = await options.fetch(`${options.baseUrl}/v1/check`, {
      method: 'POST',
      headers,
      body: attempt.body,
      signal: signals.length === 0 ? null : signals.length === 1 ? (signals[0] ?? null) : AbortSignal.any(signals),
    });
    bytes = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw failure(error, timeout, attempt.signal);
  }
  const status = response.status;
  const retryAfter = status === 429 || status === 503 ? retryAfterMs(response.headers.get('retry-after')) : undefined;
  let value: unknown;
  try {
    value = decode(bytes, formatOf(response.headers.get('content-type')));
  } catch {
    value = undefined;
  }
  const answer = readAnswer(value);
  if (answer.kind === 'response' && status === 200) return answer.response;
  if (answer.kind === 'error') {
    const { code, message, field, details } = answer.error;
    throw new GateClientError(code, message, { status, field, details, retryAfterMs: retryAfter });
  }
  throw new GateClientError('CLIENT_ERR_BAD_ANSWER', `the gate answered ${status} without a check response or an error body`, {
    status,
    retryAfterMs: retryAfter,
  });
}
