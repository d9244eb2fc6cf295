import { createHash } from 'node:crypto';
import type { CheckRequest } from './check-request.js';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Identifies a listing's content: the same fields and values give the same hash, whatever the key order. */
export function contentHash(request: CheckRequest): string {
  return createHash('sha256').update(canonical(request)).digest('hex').slice(0, 32);
}
