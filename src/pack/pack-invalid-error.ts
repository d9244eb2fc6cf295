import { GateError } from '../errors/gate-error.js';
import type { FieldIssue } from '../validation/field-issues.js';

/** A pack refused whole; `issues` names every bad entry by its path in the pack. */
export class PackInvalidError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(
      `the pack is invalid: ${issues
        .map((i) => `${i.path || '(pack)'} ${i.message}`)
        .slice(0, 5)
        .join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
    );
    this.name = 'PackInvalidError';
  }

  /** What the API answers (400 GATE_ERR_INVALID_PACK), and what `gatectl pack validate` prints. */
  toGateError(): GateError {
    return new GateError('GATE_ERR_INVALID_PACK', this.message, { field: this.issues[0]?.path ?? '', details: this.issues });
  }
}
