import type { FieldIssue } from '../validation/field-issues.js';

/** A pack refused whole; `issues` names every bad entry by its path in the pack. */
export class PackInvalidError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(`the pack is invalid: ${issues.map((i) => `${i.path || '(pack)'} ${i.message}`).slice(0, 5).join('; ')}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`);
    this.name = 'PackInvalidError';
  }
}
