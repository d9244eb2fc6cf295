// The append-only audit log (claims, decisions, undos, list and bank changes,
// pack swaps): who, what, when (UTC), why, each record chained to the one before
// by an HMAC under a key Redis never sees (src/audit/audit-chain.ts), with signed
// checkpoints kept outside Redis, so that a removed, altered or rebuilt record,
// and records deleted at the end, show (issue 30 point 4).
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { chainHash, GENESIS, type ChainedRow, type ChainLink } from './audit-chain.js';
import { AuditCheckpointFile, type AuditCheckpoint } from './audit-checkpoint-file.js';
import { AuditCheckpointer, type AuditCheckpointSettings } from './audit-checkpointer.js';
import { verifyAuditChain, type AuditVerdict } from './verify-audit-chain.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export interface AuditRecord {
  who: string;
  what: string;
  /** ISO 8601, UTC. */
  when: string;
  why?: string;
  subject?: string;
  details?: unknown;
}

export interface StoredAuditRecord extends ChainedRow {
  record: AuditRecord;
}

export interface AuditLogOptions {
  /** The chain's HMAC-SHA256 key (src/audit/audit-key.ts); never sent to Redis. */
  key: Buffer;
  /** Where and when signed checkpoints are written; unset: none, and verify has the chain, head and count only. */
  checkpoints?: AuditCheckpointSettings;
  log?: GateLog;
}

type AppendCommand = (
  stream: string,
  head: string,
  count: string,
  record: string,
  previous: string,
  n: number,
  hash: string,
) => Promise<[1, string] | [0, string, string]>;

/** Tries to chain to a head that other gates keep moving before giving up. */
const MAX_APPEND_ATTEMPTS = 100;
const PAGE = 1000;

function fieldsOf(id: string, fields: string[]): ChainedRow {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] ?? '', fields[i + 1] ?? '');
  const n = map.get('n');
  return {
    id,
    n: n === undefined || !/^[1-9][0-9]*$/.test(n) ? NaN : Number(n),
    raw: map.get('record') ?? '',
    previous: map.get('previous') ?? '',
    hash: map.get('hash') ?? '',
  };
}

export class AuditLog {
  private readonly append: AppendCommand;
  private readonly key: Buffer;
  private readonly checkpointFile: AuditCheckpointFile | undefined;
  private readonly checkpointer: AuditCheckpointer | undefined;
  /** The head as this gate last saw it; another gate's appends are learnt from the script's refusal. */
  private head: ChainLink | undefined;
  /** This gate's appends, one at a time: its own records never race each other for the head. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: AuditLogOptions,
  ) {
    this.append = luaCommand<AppendCommand>(redis, 'append-audit', 3);
    this.key = options.key;
    if (options.checkpoints !== undefined) {
      this.checkpointFile = new AuditCheckpointFile(options.checkpoints.checkpointFile, options.key);
      this.checkpointer = new AuditCheckpointer(this.checkpointFile, options.key, options.checkpoints, (after) => this.rows(after), options.log ?? silentLog);
    }
  }

  async record(entry: Omit<AuditRecord, 'when'> & { when?: string }): Promise<string> {
    const record: AuditRecord = { ...entry, when: entry.when ?? new Date().toISOString() };
    const appended = this.tail.then(() => this.appendChained(JSON.stringify(record)));
    this.tail = appended.catch(() => undefined);
    return appended;
  }

  async read(after = '-', count = 100): Promise<StoredAuditRecord[]> {
    const start = after === '-' ? '-' : `(${after}`;
    const rows = await this.redis.xrange(this.keys.auditLog, start, '+', 'COUNT', count);
    return rows.map(([id, fields]) => {
      const row = fieldsOf(id, fields);
      return { ...row, record: JSON.parse(row.raw) as AuditRecord };
    });
  }

  /** Checks the chain, the head and count, and the signed checkpoints; says which check failed. */
  async verify(): Promise<AuditVerdict> {
    // Checkpoints first: every one read then is of a record the stream had by the time the head is read.
    const checkpoints = this.checkpointFile === undefined ? { checkpoints: [], forged: [] } : await this.checkpointFile.read();
    const results = await this.redis.multi().get(this.keys.auditHead).get(this.keys.auditCount).xrevrange(this.keys.auditLog, '+', '-', 'COUNT', 1).exec();
    if (results === null) throw new Error('audit verify: the transaction reading the head was discarded');
    for (const [error] of results) if (error) throw error;
    const [hash, count, last] = results.map(([, value]) => value) as [string | null, string | null, Array<[string, string[]]>];
    const lastId = last[0]?.[0];
    const rows = lastId === undefined ? [] : this.rows('-', lastId);
    return verifyAuditChain(this.key, { hash, count: Number(count ?? 0) }, rows, checkpoints);
  }

  /** Checks the records since the latest checkpoint and writes one where they end (also done on its own, every N records or T seconds); the latest checkpoint, undefined when none could be written. */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    return this.checkpointer?.checkpoint();
  }

  /** Stops the checkpoint timer, writing a last checkpoint when records were appended since. */
  async close(): Promise<void> {
    await this.tail;
    await this.checkpointer?.close();
  }

  private async appendChained(raw: string): Promise<string> {
    let head = this.head ?? (await this.readHead());
    for (let attempt = 1; ; attempt++) {
      const n = head.n + 1;
      const hash = chainHash(this.key, n, head.hash, raw);
      const reply = await this.append(this.keys.auditLog, this.keys.auditHead, this.keys.auditCount, raw, head.hash, n, hash);
      if (reply[0] === 1) {
        this.head = { n, hash };
        this.checkpointer?.appended();
        return reply[1];
      }
      // Another gate appended first: chain to its record instead.
      head = { hash: reply[1], n: Number(reply[2]) };
      if (attempt >= MAX_APPEND_ATTEMPTS) throw new Error(`audit: the chain's head moved under ${MAX_APPEND_ATTEMPTS} attempts in a row to append a record`);
    }
  }

  private async readHead(): Promise<ChainLink> {
    const [hash, count] = await this.redis.mget(this.keys.auditHead, this.keys.auditCount);
    return { hash: hash ?? GENESIS, n: Number(count ?? 0) };
  }

  /** The stream's records after `after` ('-': from the start), up to and including `until` when given. */
  private async *rows(after: string, until?: string): AsyncGenerator<ChainedRow> {
    for (;;) {
      const page = await this.redis.xrange(this.keys.auditLog, after === '-' ? '-' : `(${after}`, '+', 'COUNT', PAGE);
      for (const [id, fields] of page) {
        yield fieldsOf(id, fields);
        if (id === until) return;
      }
      const last = page.at(-1);
      if (last === undefined || page.length < PAGE) return;
      after = last[0];
    }
  }
}
