// A rights holder's claim to a mark, which an admin verifies before the mark is
// enforced: registration number, jurisdiction, Nice classes, evidence (by
// reference: the files live in the holder's document store) and validity dates.
import { isCalendarDay } from '../validation/calendar-day.js';
import { FieldIssues, checkString, checkStringArray, checkUnknownKeys, isPlainObject } from '../validation/field-issues.js';

export interface MarkClaim {
  registrationNumber: string;
  jurisdiction: string;
  classes: number[];
  evidence: string[];
  /** YYYY-MM-DD, inclusive. */
  validFrom: string;
  validUntil: string;
  submittedAt: string;
}

function checkDay(issues: FieldIssues, path: string, value: unknown): string | undefined {
  const day = checkString(issues, path, value, { required: true });
  if (day === undefined) return undefined;
  if (!isCalendarDay(day)) {
    issues.add(path, 'must be a date written YYYY-MM-DD');
    return undefined;
  }
  return day;
}

export function validateMarkClaim(raw: unknown, now = new Date()): { ok: true; claim: MarkClaim } | { ok: false; issues: FieldIssues } {
  const issues = new FieldIssues();
  if (!isPlainObject(raw)) {
    issues.add('body', 'must be an object with registrationNumber, jurisdiction, classes, evidence, validFrom and validUntil');
    return { ok: false, issues };
  }
  checkUnknownKeys(issues, '', raw, ['registrationNumber', 'jurisdiction', 'classes', 'evidence', 'validFrom', 'validUntil']);
  const registrationNumber = checkString(issues, 'registrationNumber', raw.registrationNumber, { min: 1, max: 64, required: true });
  const jurisdiction = checkString(issues, 'jurisdiction', raw.jurisdiction, { min: 2, max: 16, required: true });
  const classes: number[] = [];
  if (!Array.isArray(raw.classes) || raw.classes.length === 0) issues.add('classes', 'must list at least one Nice class (1-45)');
  else
    raw.classes.forEach((value: unknown, i: number) => {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 45)
        issues.add(`classes[${i}]`, 'must be a Nice class number from 1 to 45');
      else classes.push(value);
    });
  const evidence = checkStringArray(issues, 'evidence', raw.evidence, { required: true, nonEmpty: true, maxItems: 50, itemMax: 512 });
  const validFrom = checkDay(issues, 'validFrom', raw.validFrom);
  const validUntil = checkDay(issues, 'validUntil', raw.validUntil);
  if (validFrom !== undefined && validUntil !== undefined && validUntil < validFrom) issues.add('validUntil', `must not be before validFrom (${validFrom})`);
  if (
    !issues.empty ||
    registrationNumber === undefined ||
    jurisdiction === undefined ||
    evidence === undefined ||
    validFrom === undefined ||
    validUntil === undefined
  ) {
    return { ok: false, issues };
  }
  return {
    ok: true,
    claim: { registrationNumber, jurisdiction: jurisdiction.toUpperCase(), classes, evidence, validFrom, validUntil, submittedAt: now.toISOString() },
  };
}
