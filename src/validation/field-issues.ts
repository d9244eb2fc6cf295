// Collects every problem found in a document, each with the path of the field
// (`brands[2].names[0]`), so that a caller fixes all of them in one go.
export interface FieldIssue {
  path: string;
  message: string;
}

export class FieldIssues {
  readonly list: FieldIssue[] = [];

  add(path: string, message: string): void {
    this.list.push({ path, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }

  first(): FieldIssue | undefined {
    return this.list[0];
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return `a ${typeof value}`;
}

/** Checks a string field; returns it when valid. */
export function checkString(
  issues: FieldIssues,
  path: string,
  value: unknown,
  limits: { min?: number; max?: number; required?: boolean } = {},
): string | undefined {
  if (value === undefined || value === null) {
    if (limits.required) issues.add(path, 'is required');
    else if (value === null) issues.add(path, 'must be a string, not null');
    return undefined;
  }
  if (typeof value !== 'string') {
    issues.add(path, `must be a string, got ${describeType(value)}`);
    return undefined;
  }
  const min = limits.min ?? 0;
  if (value.length < min) {
    issues.add(path, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
    return undefined;
  }
  if (limits.max !== undefined && value.length > limits.max) {
    issues.add(path, `must be at most ${limits.max} characters, got ${value.length}`);
    return undefined;
  }
  return value;
}

export function checkNumber(
  issues: FieldIssues,
  path: string,
  value: unknown,
  limits: { min?: number; max?: number; integer?: boolean; required?: boolean } = {},
): number | undefined {
  if (value === undefined) {
    if (limits.required) issues.add(path, 'is required');
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    issues.add(path, `must be a finite number, got ${describeType(value)}`);
    return undefined;
  }
  if (limits.integer && !Number.isInteger(value)) {
    issues.add(path, 'must be an integer');
    return undefined;
  }
  if (limits.min !== undefined && value < limits.min) {
    issues.add(path, `must be at least ${limits.min}`);
    return undefined;
  }
  if (limits.max !== undefined && value > limits.max) {
    issues.add(path, `must be at most ${limits.max}`);
    return undefined;
  }
  return value;
}

export function checkStringArray(
  issues: FieldIssues,
  path: string,
  value: unknown,
  limits: { maxItems?: number; itemMax?: number; required?: boolean; nonEmpty?: boolean } = {},
): string[] | undefined {
  if (value === undefined) {
    if (limits.required) issues.add(path, 'is required');
    return undefined;
  }
  if (!Array.isArray(value)) {
    issues.add(path, `must be an array of strings, got ${describeType(value)}`);
    return undefined;
  }
  if (limits.maxItems !== undefined && value.length > limits.maxItems) {
    issues.add(path, `must have at most ${limits.maxItems} items, got ${value.length}`);
    return undefined;
  }
  if (limits.nonEmpty && value.length === 0) {
    issues.add(path, 'must not be empty');
    return undefined;
  }
  const out: string[] = [];
  const before = issues.list.length;
  value.forEach((item, i) => {
    const s = checkString(issues, `${path}[${i}]`, item, { min: 1, max: limits.itemMax ?? 256, required: true });
    if (s !== undefined) out.push(s);
  });
  return issues.list.length === before ? out : undefined;
}

export function checkUnknownKeys(issues: FieldIssues, path: string, object: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) issues.add(path.length > 0 ? `${path}.${key}` : key, 'is not a known field');
  }
}
