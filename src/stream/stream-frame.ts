// One message of the check socket (contract section 6): `{ seq, listing,
// deadlineMs? }`, MessagePack in a binary frame or JSON in a text frame, read into
// a check request; and its answer, `{ seq, ...response }` or `{ seq, error }`, in
// the same encoding. A message whose `seq` cannot be read cannot be answered: the
// connection closes with the reason instead.
import { pack as packMsgpack } from 'msgpackr';
import { GateError, type GateErrorBody } from '../errors/gate-error.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { CheckResponse } from '../gate/check-response.js';
import { validateCheckRequest } from '../gate/validate-check-request.js';
import { MAX_DEADLINE_MS } from '../http/check-input.js';
import { decodeBody } from '../http/decode-body.js';
import { checkJsonDepth } from '../http/json-depth.js';
import { describeType, isPlainObject } from '../validation/field-issues.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';

export type FrameReading =
  | { kind: 'check'; seq: number; listing: CheckRequest; deadlineMs: number | undefined }
  /** Answered with the error; the connection lives on. */
  | { kind: 'bad'; seq: number; error: GateError }
  /** No usable `seq`: closes the connection with `reason`. */
  | { kind: 'unanswerable'; reason: string };

function seqOf(message: Record<string, unknown>): number | undefined {
  const seq = message.seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
}

export function readFrame(bytes: Uint8Array, binary: boolean): FrameReading {
  let message: unknown;
  try {
    if (!binary) checkJsonDepth(bytes);
    message = decodeBody(bytes, binary ? 'msgpack' : 'json');
  } catch (error) {
    return { kind: 'unanswerable', reason: (error as Error).message.replace('the body', `the ${binary ? 'binary' : 'text'} message`) };
  }
  if (!isPlainObject(message))
    return { kind: 'unanswerable', reason: `a message must be an object { seq, listing, deadlineMs? }, got ${describeType(message)}` };
  const seq = seqOf(message);
  if (seq === undefined)
    return {
      kind: 'unanswerable',
      reason: message.seq === undefined ? 'seq is required (an integer)' : `seq must be an integer, got ${describeType(message.seq)}`,
    };
  const { deadlineMs } = message;
  if (deadlineMs !== undefined && (typeof deadlineMs !== 'number' || !Number.isInteger(deadlineMs) || deadlineMs < 1 || deadlineMs > MAX_DEADLINE_MS)) {
    return {
      kind: 'bad',
      seq,
      error: new GateError('GATE_ERR_INVALID_FIELD', `deadlineMs must be an integer number of milliseconds from 1 to ${MAX_DEADLINE_MS}`, {
        field: 'deadlineMs',
      }),
    };
  }
  const validation = validateCheckRequest(message.listing);
  if (!validation.ok) {
    // Paths name the message's field: `listing.title`, not `title` as in a POST's body.
    const issues = validation.issues.map((issue) => ({ path: issue.path === 'body' ? 'listing' : `listing.${issue.path}`, message: issue.message }));
    return { kind: 'bad', seq, error: invalidFieldsError(issues, { field: 'listing', details: true }) };
  }
  return { kind: 'check', seq, listing: validation.request, deadlineMs };
}

/** The answer to message `seq`, in the encoding the message came in. */
export function encodeAnswer(seq: number, answer: CheckResponse | GateErrorBody, binary: boolean): string | Uint8Array {
  if (binary) return packMsgpack({ seq, ...answer });
  // `seq` first, without copying the response into a new object.
  return `{"seq":${seq},${JSON.stringify(answer).slice(1)}`;
}
