// What a person decided about a listing's content, as the check path asks it. A
// verdict decided by a person (a review decision, an upheld complaint, an
// overturned appeal) stands for that content until a person changes it or the
// content changes: the gate's own verdict never replaces it (issue 29: an
// overturned appeal was undone by the next check of the same content). Every
// instance mirrors the set of listings a person decided in a table, so the
// nearly every check about a listing no one decided asks Redis nothing.
import type { Redis } from 'ioredis';
import { MembershipMirror, type MirrorChange } from '../lists/membership-mirror.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { GateLog } from '../observability/gate-logger.js';

const KIND = 'listing';
const PAGE = 10_000;

export type PersonVerdict = 'allow' | 'block';

/** The question asked of a table of decided listings (this instance's mirror, or a check thread's copy). */
export function mightHaveIn(table: { mightContain(kind: string, value: string): boolean }, listingId: string): boolean {
  return table.mightContain(KIND, listingId);
}

export class DecidedListings {
  private readonly table: MembershipMirror;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    log: GateLog,
    resyncMs = 600_000,
  ) {
    this.table = new MembershipMirror({ name: 'decided listings', resyncMs, log, scan: (add) => this.scan(add) });
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, listingId: string) => {
      if (channel === this.keys.decidedChanges) this.table.learn(KIND, listingId);
    });
    subscriber.on('ready', () => this.table.refresh());
    await subscriber.subscribe(this.keys.decidedChanges);
    this.table.start();
  }

  close(): void {
    this.table.close();
  }

  private async scan(add: (kind: string, value: string) => void): Promise<void> {
    for (let start = 0; ; start += PAGE) {
      const ids = await this.redis.zrange(this.keys.decidedListings, start, start + PAGE - 1);
      for (const id of ids) add(KIND, id);
      if (ids.length < PAGE) return;
    }
  }

  /** False only when surely no person decided anything about this listing. */
  mightHave(listingId: string): boolean {
    return mightHaveIn(this.table, listingId);
  }

  /** Calls `observer` with the table now and with every change (check threads keep a copy). */
  observeTable(observer: (change: MirrorChange) => void): () => void {
    return this.table.observe(observer);
  }

  /** What a person decided about this very content, if anything. */
  async verdictOf(listingId: string, contentHash: string): Promise<PersonVerdict | undefined> {
    const decided = await this.redis.get(this.keys.reviewDecided(listingId, contentHash));
    return decided === 'allow' || decided === 'block' ? decided : undefined;
  }
}
