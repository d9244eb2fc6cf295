// The append-only audit log (claims, decisions, undos, list and bank changes,
// pack swaps): who, what, when (UTC), why, each record chained to the one before
// by its hash, so that a removed or altered record shows.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';

export interface AuditRecord {
  who: string;
  what: string;
  /** ISO 8601, UTC. */
  when: string;
  why?: string;
  subject?: string;
  details?: unknown;
}

export interface StoredAuditRecord {
  id: string;
  record: AuditRecord;
  /** The record exactly as hashed. */
  raw: string;
  previous: string;
  hash: string;
}

type AppendCommand = (stream: string, head: string, record: string) => Promise<[string, string]>;

export class AuditLog {
  private readonly append: AppendCommand;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {
    this.append = luaCommand<AppendCommand>(redis, 'append-audit', 2);
  }

  async record(entry: Omit<AuditRecord, 'when'> & { when?: string }): Promise<string> {
    const record: AuditRecord = { ...entry, when: entry.when ?? new Date().toISOString() };
    const [id] = await this.append(this.keys.auditLog, this.keys.auditHead, JSON.stringify(record));
    return id;
  }

  async read(after = '-', count = 100): Promise<StoredAuditRecord[]> {
    const start = after === '-' ? '-' : `(${after}`;
    const rows = await this.redis.xrange(this.keys.auditLog, start, '+', 'COUNT', count);
    return rows.map(([id, fields]) => {
      const get = (name: string): string => fields[fields.indexOf(name) + 1] ?? '';
      return { id, record: JSON.parse(get('record')) as AuditRecord, raw: get('record'), previous: get('previous'), hash: get('hash') };
    });
  }

  /** Checks the chain from the start; returns the id of the first broken record, or undefined. */
  async verify(): Promise<string | undefined> {
    let previous = 'genesis';
    let after = '-';
    for (;;) {
      const page = await this.read(after, 1000);
      for (const row of page) {
        const expected = createHash('sha1').update(`${previous}\n${row.raw}`).digest('hex');
        if (row.previous !== previous || row.hash !== expected) return row.id;
        previous = row.hash;
      }
      if (page.length < 1000) return undefined;
      after = page[page.length - 1]?.id ?? after;
    }
  }
}
