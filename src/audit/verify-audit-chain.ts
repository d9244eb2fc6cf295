// Whether the audit log is intact, and if not which check failed (issue 30 point
// 4). A pure function of what was read: the records, and the head and count Redis
// keeps.
//   - every record follows the one before it under the gate's key (an altered,
//     removed or rebuilt record shows);
//   - the stored head is the last record's hash and the stored count its number
//     (records deleted at the end show here, unless head and count were set back too).
import { chainProblem, GENESIS, type ChainedRow, type ChainLink } from './audit-chain.js';

/** The head hash and count Redis keeps, read in the transaction that found the last record the rows end at. */
export interface ChainHead {
  readonly hash: string | null;
  readonly count: number;
}

export interface AuditVerdict {
  intact: boolean;
  /** The first record that does not verify; null when intact, or when what failed is not one record (a truncation). */
  firstBroken: string | null;
  /** Which check failed, e.g. "count: stored count 120 but the stream ends at record 118"; null when intact. */
  reason: string | null;
  /** The number of the first record checked; null for an empty stream. */
  from: number | null;
  /** Records checked. */
  records: number;
}

export async function verifyAuditChain(key: Buffer, head: ChainHead, rows: AsyncIterable<ChainedRow> | Iterable<ChainedRow>): Promise<AuditVerdict> {
  let from: number | null = null;
  let records = 0;
  const verdict = (firstBroken: string | null, reason: string | null): AuditVerdict => ({ intact: reason === null, firstBroken, reason, from, records });

  let before: ChainLink | undefined;
  for await (const row of rows) {
    if (before === undefined) {
      from = 1;
      before = { n: 0, hash: GENESIS };
    }
    const problem = chainProblem(key, before, row);
    if (problem !== undefined) return verdict(row.id, problem);
    records++;
    before = { n: row.n, hash: row.hash };
  }

  const last: ChainLink = before ?? { n: 0, hash: GENESIS };
  const ends = before === undefined ? 'the stream is empty' : `the stream ends at record ${last.n}`;
  if ((head.hash ?? GENESIS) !== last.hash) return verdict(null, `head: the stored head hash is not the hash of the last record (${ends})`);
  if (head.count !== last.n) return verdict(null, `count: stored count ${head.count} but ${ends}`);
  return verdict(null, null);
}
