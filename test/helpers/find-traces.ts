// Every place a Redis holds any of some strings (a listing id, a seller id, a review
// id...): in key names, and inside every value of every type, read whole as bytes
// (strings; hashes' fields and values; sets; sorted sets' members; lists; streams'
// entry fields and values). For a Redis Cluster, pass a client of each master: each
// is scanned for the keys it holds. What the erasure tests look for.
import type { Redis } from 'ioredis';

export interface Trace {
  key: string;
  /** The string found: one of the needles. */
  needle: string;
  /** Where: the key's name, or its type when found in its value. */
  where: 'name' | 'string' | 'hash' | 'set' | 'zset' | 'list' | 'stream';
}

async function valueBytes(node: Redis, key: string, type: string): Promise<Buffer[]> {
  switch (type) {
    case 'string':
      return [(await node.getBuffer(key)) ?? Buffer.alloc(0)];
    case 'hash':
      return await node.hgetallBuffer(key).then((fields) => Object.entries(fields).flatMap(([field, value]) => [Buffer.from(field), value]));
    case 'set':
      return node.smembersBuffer(key);
    case 'zset':
      return node.zrangeBuffer(key, 0, -1);
    case 'list':
      return node.lrangeBuffer(key, 0, -1);
    case 'stream':
      return ((await node.xrangeBuffer(key, '-', '+')) as Array<[Buffer, Buffer[]]>).flatMap(([, fields]) => fields);
    default:
      throw new Error(`find-traces: key ${key} has a type it cannot read: ${type}`);
  }
}

/** Traces of `needles` on every node, except in keys `skip` accepts (the audit log). Also returns how many keys were read. */
export async function findTraces(
  nodes: readonly Redis[],
  needles: readonly string[],
  skip: (key: string) => boolean = () => false,
): Promise<{ traces: Trace[]; keysRead: number }> {
  const wanted = needles.filter((n) => n !== '').map((needle) => ({ needle, bytes: Buffer.from(needle) }));
  const traces: Trace[] = [];
  let keysRead = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scanBuffer(cursor, 'COUNT', 1000);
      cursor = next.toString();
      for (const rawKey of keys) {
        const key = rawKey.toString();
        if (skip(key)) continue;
        const type = await node.type(rawKey);
        if (type === 'none') continue; // expired since the scan saw it
        keysRead++;
        const values = await valueBytes(node, key, type);
        for (const { needle, bytes } of wanted) {
          if (rawKey.includes(bytes)) traces.push({ key, needle, where: 'name' });
          else if (values.some((value) => value.includes(bytes))) traces.push({ key, needle, where: type as Trace['where'] });
        }
      }
    } while (cursor !== '0');
  }
  return { traces, keysRead };
}

/** The audit log (the erasure's own record, and the chain that keeps the log verifiable). */
export function isAuditKey(key: string): boolean {
  return key.includes('{audit}:');
}
