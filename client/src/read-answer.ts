// What a decoded answer is: a check response, the gate's error body, or neither.
// The gate is trusted for the fields' types; only the shape that tells the two
// apart is checked.
import type { CheckResponse, GateErrorCode } from './check-types.js';

export interface ErrorAnswer {
  code: GateErrorCode;
  message: string;
  field?: string;
  details?: unknown;
}

export type Answer = { kind: 'response'; response: CheckResponse } | { kind: 'error'; error: ErrorAnswer } | { kind: 'unknown' };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readAnswer(value: unknown): Answer {
  if (!isObject(value)) return { kind: 'unknown' };
  const error = value.error;
  if (isObject(error) && typeof error.code === 'string' && typeof error.message === 'string') {
    const answer: ErrorAnswer = { code: error.code as GateErrorCode, message: error.message };
    if (typeof error.field === 'string') answer.field = error.field;
    if (error.details !== undefined) answer.details = error.details;
    return { kind: 'error', error: answer };
  }
  if (typeof value.verdict === 'string' && typeof value.listingId === 'string' && Array.isArray(value.reasons)) {
    return { kind: 'response', response: value as unknown as CheckResponse };
  }
  return { kind: 'unknown' };
}
