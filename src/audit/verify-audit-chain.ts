// Whether the audit log is intact, and if not which check failed (issue 30 point
// 4). A pure function of what was read: the records, the head and count Redis
// keeps, and the signed checkpoints kept outside Redis.
//   - every record follows the one before it under the gate's key (an altered,
//     removed or rebuilt record shows);
//   - the stored head is the last record's hash and the stored count its number;
//   - every checkpoint's record is there with the checkpoint's hash (records
//     deleted at the end, head and count set back with them, show here).
// A stream trimmed at its start (issue 23) verifies from the first record left
// when a checkpoint at or after the cut vouches for what follows it.
import { chainProblem, GENESIS, type ChainedRow, type ChainLink } from './audit-chain.js';
import type { AuditCheckpoint, CheckpointRead } from './audit-checkpoint-file.js';

/** The head hash and count Redis keeps, read in the transaction that found the last record the rows end at. */
export interface ChainHead {
  readonly hash: string | null;
  readonly count: number;
}

export interface AuditVerdict {
  intact: boolean;
  /** The first record that does not verify; null when intact, or when what failed is not one record (a truncation). */
  firstBroken: string | null;
  /** Which check failed, e.g. "truncated: checkpoint at count 120 but the stream ends at record 118"; null when intact. */
  reason: string | null;
  /** The latest signed checkpoint the chain was compared with; null when there is none. */
  checkpoint: AuditCheckpoint | null;
  /** The number of the first record checked: 1, or the first one left after a trim; null for an empty stream. */
  from: number | null;
  /** Records checked. */
  records: number;
}

export async function verifyAuditChain(
  key: Buffer,
  head: ChainHead,
  rows: AsyncIterable<ChainedRow> | Iterable<ChainedRow>,
  read: CheckpointRead,
): Promise<AuditVerdict> {
  const checkpoint = read.checkpoints.at(-1) ?? null;
  let from: number | null = null;
  let records = 0;
  const verdict = (firstBroken: string | null, reason: string | null): AuditVerdict => ({
    intact: reason === null,
    firstBroken,
    reason,
    checkpoint,
    from,
    records,
  });
  if (read.forged.length > 0) return verdict(null, `checkpoint file: line ${read.forged.join(', ')} not signed with the gate's audit key`);

  const pending = [...read.checkpoints];
  // Compares the checkpoints at record n (known to have this hash) with it.
  const checkpointProblem = (n: number, hash: string, id: string | undefined): string | undefined => {
    while (pending.length > 0 && (pending[0]?.count ?? 0) <= n) {
      const c = pending.shift() as AuditCheckpoint;
      if (c.count < n) continue; // of records trimmed away
      if (c.headHash !== hash || (id !== undefined && c.lastId !== id))
        return `checkpoint at count ${c.count} (${c.at}) names another record than the stream holds there`;
    }
    return undefined;
  };

  let before: ChainLink | undefined;
  for await (const row of rows) {
    if (before === undefined) {
      from = Number.isInteger(row.n) ? row.n : 1;
      if (from > 1) {
        if (!read.checkpoints.some((c) => c.count >= row.n - 1)) {
          return verdict(row.id, `trimmed: the stream starts at record ${row.n}, and no checkpoint at or after record ${row.n - 1} vouches for it`);
        }
        before = { n: row.n - 1, hash: row.previous };
        const problem = checkpointProblem(before.n, before.hash, undefined);
        if (problem !== undefined) return verdict(row.id, problem);
      } else {
        before = { n: 0, hash: GENESIS };
      }
    }
    const problem = chainProblem(key, before, row) ?? checkpointProblem(row.n, row.hash, row.id);
    if (problem !== undefined) return verdict(row.id, problem);
    records++;
    before = { n: row.n, hash: row.hash };
  }

  const last: ChainLink = before ?? { n: 0, hash: GENESIS };
  const ends = before === undefined ? 'the stream is empty' : `the stream ends at record ${last.n}`;
  const beyond = pending.at(-1);
  if (beyond !== undefined) return verdict(null, `truncated: checkpoint at count ${beyond.count} but ${ends}`);
  if ((head.hash ?? GENESIS) !== last.hash) return verdict(null, `head: the stored head hash is not the hash of the last record (${ends})`);
  if (head.count !== last.n) return verdict(null, `count: stored count ${head.count} but ${ends}`);
  return verdict(null, null);
}
