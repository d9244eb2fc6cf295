// What POST /v1/check takes from its request besides the body's fields: the
// deadline header, and the coded error of a body that is not a listing. The event
// loop's route and the check threads' route read a check the same way.
import { GateError } from '../errors/gate-error.js';
import { validateCheckRequest } from '../gate/validate-check-request.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { FieldIssue } from '../validation/field-issues.js';

/** The longest deadline a check may name (`x-deadline-ms`, a stream message's `deadlineMs`). */
export const MAX_DEADLINE_MS = 60_000;

export function deadlineOf(header: string, fallback: number): number {
  if (header === '') return fallback;
  const value = Number(header);
  if (!Number.isFinite(value) || value <= 0 || value > MAX_DEADLINE_MS) {
    throw new GateError('GATE_ERR_INVALID_FIELD', `x-deadline-ms must be a number of milliseconds from 1 to ${MAX_DEADLINE_MS}`, { field: 'x-deadline-ms' });
  }
  return value;
}

/** The error of a body whose fields failed validation, naming the first field. */
export function invalidFieldsError(issues: readonly FieldIssue[]): GateError {
  const first = issues[0];
  return new GateError('GATE_ERR_INVALID_FIELD', `${first?.path ?? 'body'} ${first?.message ?? 'is invalid'}`, { field: first?.path ?? 'body', details: issues });
}

/** The listing of a decoded check body; throws the coded error naming the first bad field. */
export function checkRequestOf(body: unknown): CheckRequest {
  const validation = validateCheckRequest(body);
  if (!validation.ok) throw invalidFieldsError(validation.issues);
  return validation.request;
}
