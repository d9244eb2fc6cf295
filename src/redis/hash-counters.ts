// Increments of hash fields gathered for a few milliseconds (write-behind.ts) and
// sent together as one script call: the same field counted by a hundred checks is
// added once, and a batch of fields is one command, not one each.
// A batch Redis did not take is added back and tried again.
import type { Redis } from 'ioredis';
import type { BookkeepingSpool } from './bookkeeping-spool.js';
import { WriteBehind } from './write-behind.js';
import { luaCommand } from './lua-command.js';
import { slotGroups } from './slot-groups.js';
import type { GateLog } from '../observability/gate-logger.js';

const SEPARATOR = '\u0000';

/**
 * How long figures (counts people read, not decisions) gather before one script
 * call adds them: a second's checks add each field once, and a crash loses at
 * most a second of counts. Reads on the instance that counted flush first.
 */
export const FIGURES_GATHER_MS = 1000;

export class HashCounters {
  private readonly later: WriteBehind<number>;
  /** add-to-counters.lua: the number of keys, the keys, the TTL, then (key index, field, amount) per increment. */
  private readonly addToCounters: (keyCount: number, ...keysThenValues: Array<string | number>) => Promise<number>;

  constructor(
    private readonly redis: Redis,
    name: string,
    log: GateLog,
    delayMs?: number,
    /** Each hash written to expires this long after its last write; default: never. */
    private readonly expireSeconds?: number,
    /** Keeps on local disk the increments Redis does not take for too long (and those left at close()). */
    spool?: BookkeepingSpool,
  ) {
    this.addToCounters = luaCommand<HashCounters['addToCounters']>(redis, 'add-to-counters');
    this.later = new WriteBehind<number>({
      name,
      retry: true,
      merge: (older, newer) => older + newer,
      write: (batch) => this.writeAll(batch),
      log,
      ...(delayMs === undefined ? {} : { delayMs }),
      ...(spool ? { spool } : {}),
    });
  }

  /** Adds `by` to `field` of the hash at `key`, soon. */
  add(key: string, field: string, by = 1): void {
    this.later.add(`${key}${SEPARATOR}${field}`, by);
  }

  /** Increments given up on (Redis did not take them for too long). */
  get dropped(): number {
    return this.later.dropped;
  }

  /** Writes what is waiting (on shutdown, and before reading the counts back). */
  flush(): Promise<void> {
    return this.later.flush();
  }

  /** Writes what is waiting, or keeps it in the spool (on shutdown). */
  close(): Promise<void> {
    return this.later.close();
  }

  private async writeAll(batch: ReadonlyMap<string, number>): Promise<void> {
    const increments = [...batch].map(([keyAndField, by]) => {
      const at = keyAndField.indexOf(SEPARATOR);
      return { key: keyAndField.slice(0, at), field: keyAndField.slice(at + 1), by };
    });
    const ttl = this.expireSeconds ?? 0;
    await Promise.all(
      slotGroups(this.redis, increments, (increment) => increment.key).map((group) => {
        const keyIndex = new Map<string, number>();
        const values: Array<string | number> = [ttl];
        for (const { key, field, by } of group) {
          let index = keyIndex.get(key);
          if (index === undefined) keyIndex.set(key, (index = keyIndex.size + 1));
          values.push(index, field, by);
        }
        return this.addToCounters(keyIndex.size, ...keyIndex.keys(), ...values);
      }),
    );
  }
}
