// The coded 400 of a request whose fields failed validation, naming the first
// bad field: one way of writing it for every route and the check socket.
import { GateError } from '../errors/gate-error.js';
import type { FieldIssue } from './field-issues.js';

export interface InvalidFieldsOptions {
  /** The field named when there is no issue (the caller refused what the validator let through). Default: `body`. */
  field?: string;
  /** What is said of it then. Default: `is invalid`. */
  message?: string;
  /** A first issue with an empty path (an unknown key `""`) names `field` instead. Default: false, the empty path is named. */
  emptyPathNamesField?: boolean;
  /** Every issue goes in the body's `details`. Default: false, only the first is named. */
  details?: boolean;
}

export function invalidFieldsError(issues: readonly FieldIssue[], options: InvalidFieldsOptions = {}): GateError {
  const first = issues[0];
  const fallback = options.field ?? 'body';
  const path = first === undefined ? fallback : options.emptyPathNamesField ? first.path || fallback : first.path;
  const message = first?.message ?? options.message ?? 'is invalid';
  return new GateError('GATE_ERR_INVALID_FIELD', `${path} ${message}`, { field: path, ...(options.details ? { details: issues } : {}) });
}
