// gatectl audit verify: the gate's own check of its audit chain (GET
// /v1/admin/audit/verify), or with --key-file the same check
// (src/audit/verify-audit-chain.ts) run here on the records the gate serves, so
// that a gate whose verify answer cannot be trusted is checked from outside it.
import { access, readFile } from 'node:fs/promises';
import type { ChainedRow } from '../audit/audit-chain.js';
import { AuditCheckpointFile } from '../audit/audit-checkpoint-file.js';
import { AUDIT_KEY_MIN_LENGTH } from '../audit/audit-key.js';
import { verifyAuditChain, type AuditVerdict } from '../audit/verify-audit-chain.js';
import type { AdminClient } from './admin-client.js';
import { objectAnswer } from './answer.js';
import { CliError, usageError } from './cli-errors.js';
import { stringOption, type Command, type CommandResult } from './command.js';

/** GET /v1/admin/audit's largest page. */
const PAGE = 1000;

async function keyOf(path: string): Promise<Buffer> {
  let key: string;
  try {
    key = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw usageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (key.length < AUDIT_KEY_MIN_LENGTH)
    throw usageError(`${path} must hold an audit key of at least ${AUDIT_KEY_MIN_LENGTH} characters (the gate's GATE_AUDIT_KEY, or its GATE_AUDIT_KEY_FILE)`);
  return Buffer.from(key, 'utf8');
}

function rowOf(raw: unknown): ChainedRow {
  const row = objectAnswer(raw, 'GET /v1/admin/audit (a record)');
  const { id, n, raw: text, previous, hash } = row;
  if (typeof id !== 'string' || typeof text !== 'string' || typeof previous !== 'string' || typeof hash !== 'string')
    throw new CliError('GATECTL_ERR_BAD_ANSWER', 'GET /v1/admin/audit answered a record without id, raw, previous and hash');
  // A record without a number (written before the chain was keyed) has NaN, which JSON sends as null.
  return { id, n: typeof n === 'number' ? n : NaN, raw: text, previous, hash };
}

async function readRows(gate: AdminClient): Promise<ChainedRow[]> {
  const rows: ChainedRow[] = [];
  for (let after = '-'; ; ) {
    const answer = objectAnswer(await gate.request('GET', `/v1/admin/audit?${new URLSearchParams({ after, count: String(PAGE) })}`), 'GET /v1/admin/audit');
    if (!Array.isArray(answer.records)) throw new CliError('GATECTL_ERR_BAD_ANSWER', 'GET /v1/admin/audit answered without records');
    const page = answer.records.map(rowOf);
    rows.push(...page);
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE) return rows;
    after = last.id;
  }
}

function verdictOf(answer: Record<string, unknown>): AuditVerdict {
  if (typeof answer.intact !== 'boolean') throw new CliError('GATECTL_ERR_BAD_ANSWER', 'GET /v1/admin/audit/verify answered without intact');
  return answer as unknown as AuditVerdict;
}

function result(verdict: AuditVerdict, where: string): CommandResult {
  const span = verdict.from === null ? 'no records' : `${verdict.records} record(s) from record ${verdict.from}`;
  const checkpoint = verdict.checkpoint ? `, checkpoint at count ${verdict.checkpoint.count}` : '';
  const text = verdict.intact
    ? `audit chain intact (${where}): ${span}${checkpoint}`
    : `audit chain broken (${where}): ${verdict.reason ?? 'no reason given'}${verdict.firstBroken ? ` (first bad record ${verdict.firstBroken})` : ''}`;
  return { ok: verdict.intact, json: verdict, text };
}

const verify: Command = {
  group: 'audit',
  name: 'verify',
  summary: 'check the audit chain: every record chained under the key, head, count and checkpoints (exit 1 when broken)',
  args: [],
  options: {
    'key-file': { type: 'string', value: '<path>', description: "check here, with the gate's audit key from this file, instead of asking the gate" },
    checkpoints: { type: 'string', value: '<path>', description: "with --key-file: the gate's signed checkpoint file (GATE_AUDIT_CHECKPOINT_FILE)" },
  },
  help: "With --key-file, the records are read from GET /v1/admin/audit and checked here; the head and count\nthe gate keeps in Redis are not served, so only the gate's own verify compares them.",
  async run({ options, gate }) {
    const keyFile = stringOption(options, 'key-file');
    const checkpoints = stringOption(options, 'checkpoints');
    if (keyFile === undefined) {
      if (checkpoints !== undefined) throw usageError('--checkpoints needs --key-file (the gate reads its own checkpoints)');
      return result(verdictOf(objectAnswer(await gate().request('GET', '/v1/admin/audit/verify'), 'GET /v1/admin/audit/verify')), 'by the gate');
    }
    const key = await keyOf(keyFile);
    // The checkpoint file reads as empty when missing (a gate that wrote none yet); a path named here must exist.
    if (checkpoints !== undefined) await access(checkpoints).catch(() => Promise.reject(usageError(`cannot read ${checkpoints}`)));
    const read = checkpoints === undefined ? { checkpoints: [], forged: [] } : await new AuditCheckpointFile(checkpoints, key).read();
    const rows = await readRows(gate());
    const last = rows.at(-1);
    const verdict = await verifyAuditChain(key, { hash: last?.hash ?? null, count: last?.n ?? 0 }, rows, read);
    return result(verdict, 'here');
  },
};

export const AUDIT_COMMANDS: readonly Command[] = [verify];
