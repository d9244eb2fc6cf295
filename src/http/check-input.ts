// What POST /v1/check takes from its request besides the body's fields: the
// deadline header, and the coded error of a body that is not a listing. The event
// loop's route and the check threads' route read a check the same way.
import { GateError } from '../errors/gate-error.js';
import { validateCheckRequest } from '../gate/validate-check-request.js';
import type { CheckRequest } from '../gate/check-request.js';
import { invalidFieldsError } from '../validation/invalid-fields-error.js';

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

/** The listing of a decoded check body; throws the coded error naming the first bad field. */
export function checkRequestOf(body: unknown): CheckRequest {
  const validation = validateCheckRequest(body);
  if (!validation.ok) throw invalidFieldsError(validation.issues, { details: true });
  return validation.request;
}
