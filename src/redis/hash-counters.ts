// Increments of hash fields (HINCRBY) gathered for a few milliseconds (write-behind.ts)
// and sent together: the same field counted by a hundred checks costs one command.
// A batch Redis did not take is added back and tried again.
import type { Redis } from 'ioredis';
import { WriteBehind } from './write-behind.js';

const SEPARATOR = '\u0000';

export class HashCounters {
  private readonly later: WriteBehind<number>;

  constructor(
    private readonly redis: Redis,
    name: string,
    log: (message: string) => void,
    delayMs?: number,
    /** Each hash written to expires this long after its last write; default: never. */
    private readonly expireSeconds?: number,
  ) {
    this.later = new WriteBehind<number>({
      name,
      retry: true,
      merge: (older, newer) => older + newer,
      write: (batch) => this.writeAll(batch),
      log,
      ...(delayMs === undefined ? {} : { delayMs }),
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

  private async writeAll(batch: ReadonlyMap<string, number>): Promise<void> {
    const keys = new Set<string>();
    await Promise.all(
      [...batch].map(([keyAndField, by]) => {
        const at = keyAndField.indexOf(SEPARATOR);
        const key = keyAndField.slice(0, at);
        keys.add(key);
        return this.redis.hincrby(key, keyAndField.slice(at + 1), by);
      }),
    );
    const ttl = this.expireSeconds;
    if (ttl !== undefined) await Promise.all([...keys].map((key) => this.redis.expire(key, ttl)));
  }
}
