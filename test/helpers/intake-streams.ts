// What the intake tests do on the producer's side of GATE_INTAKE_STREAM: add
// entries, and read the verdicts and dead letters back (through the admin user).
import type { Redis } from 'ioredis';
import { intakeKeys } from '../../src/redis/redis-keys.js';
import { eventually } from './gate-calls.js';

export interface IntakeRecord {
  /** The record's own id in the verdicts (or dead-letter) stream. */
  id: string;
  fields: Record<string, Buffer>;
}

/** Adds one entry per item (`{ listing: <bytes or text> }` or any fields); returns their ids in order. */
export async function addEntries(admin: Redis, stream: string, entries: ReadonlyArray<Record<string, string | Buffer>>): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < entries.length; i += 500) {
    const pipeline = admin.pipeline();
    for (const fields of entries.slice(i, i + 500)) pipeline.xadd(stream, '*', ...Object.entries(fields).flat());
    for (const [error, id] of (await pipeline.exec()) ?? []) {
      if (error) throw error;
      ids.push(String(id));
    }
  }
  return ids;
}

export async function readStream(admin: Redis, key: string): Promise<IntakeRecord[]> {
  const rows = (await admin.xrangeBuffer(key, '-', '+')) as Array<[Buffer, Buffer[]]>;
  return rows.map(([id, flat]) => {
    const fields: Record<string, Buffer> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = flat[i + 1] as Buffer;
    return { id: id.toString(), fields };
  });
}

/** The verdicts of the stream by entry id, once every entry of `ids` has one. */
export async function verdictsOf(admin: Redis, stream: string, ids: readonly string[], timeoutMs = 30_000): Promise<Map<string, IntakeRecord>> {
  const key = intakeKeys(stream).verdicts;
  return eventually(
    `verdicts of ${ids.length} entries in ${key}`,
    async () => {
      const verdicts = new Map((await readStream(admin, key)).map((record) => [String(record.fields.entryId), record]));
      return ids.every((id) => verdicts.has(id)) ? verdicts : undefined;
    },
    timeoutMs,
  );
}

/** Entries delivered to the intake's group and not acknowledged. */
export async function pendingCount(admin: Redis, stream: string): Promise<number> {
  const summary = (await admin.xpending(stream, 'gate-intake')) as [number, ...unknown[]];
  return Number(summary[0]);
}
