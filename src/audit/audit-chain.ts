// How one audit record is chained to the one before it (issue 30 point 4): an
// HMAC-SHA256, keyed with a secret Redis never sees, over the record's number,
// the previous record's hash and the record. A sha1 chain could be rebuilt by
// anyone who could write to Redis; without the key, a rebuilt record shows.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What the first record names as its previous hash. */
export const GENESIS = 'genesis';

/** A record's place in the chain: its number (1 for the first ever written) and hash. */
export interface ChainLink {
  readonly n: number;
  readonly hash: string;
}

/** A record as stored in the stream, with the fields the chain covers. */
export interface ChainedRow {
  readonly id: string;
  /** The record's number; NaN when the stream entry has none (written before the chain was keyed). */
  readonly n: number;
  readonly raw: string;
  readonly previous: string;
  readonly hash: string;
}

export function chainHash(key: Buffer, n: number, previous: string, raw: string): string {
  // The number is covered too, so a record cannot be moved to another place in the chain.
  return createHmac('sha256', key).update(`${n}\n${previous}\n${raw}`).digest('hex');
}

export function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Why `row` does not follow `before` in the chain, or undefined when it does. */
export function chainProblem(key: Buffer, before: ChainLink, row: ChainedRow): string | undefined {
  if (!Number.isInteger(row.n)) return `record ${row.id} has no record number (written before the audit chain was keyed)`;
  if (row.n !== before.n + 1) return `record ${row.id} is record ${row.n}, where record ${before.n + 1} was expected`;
  if (row.previous !== before.hash) return `record ${row.id} is not chained to the record before it`;
  if (!sameHex(row.hash, chainHash(key, row.n, row.previous, row.raw)))
    return `record ${row.id} does not match its hash under the gate's audit key (altered, or written without the key)`;
  return undefined;
}
