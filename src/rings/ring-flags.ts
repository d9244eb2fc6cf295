// Which sellers and identity attributes are in a ring with a confirmed
// counterfeit seller, mirrored in process from the ring graph's `flagged` set
// (kept by the ring scripts, lib/ring-flags.lua), so that the publish path asks
// Redis about a seller's ring only when this table may hold the seller or one of
// the listing's attributes. A miss is a sure "no confirmed seller in its ring",
// as of the last change announced; a hit is a "maybe" that the link script answers.
import type { Redis } from 'ioredis';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { MembershipMirror, type MirrorChange } from '../lists/membership-mirror.js';
import type { GateLog } from '../observability/gate-logger.js';

const KIND = 'ring';
const RELOAD_MESSAGE = 'reload';
const SCAN_COUNT = 10_000;

type BackfillCommand = (...args: string[]) => Promise<string>;

/** A Redis MATCH pattern for `literal` followed by anything. */
function globPrefix(literal: string): string {
  return `${literal.replace(/[\\*?[\]]/g, (ch) => `\\${ch}`)}*`;
}

/** The flags question asked of a table of flagged ring nodes (this instance's mirror, or a check thread's copy). */
export function mightBeFlaggedIn(table: { mightContain(kind: string, value: string): boolean }, sellerId: string, attributeNodes: readonly string[]): boolean {
  if (table.mightContain(KIND, `s:${sellerId}`)) return true;
  return attributeNodes.some((node) => table.mightContain(KIND, `a:${node}`));
}

export class RingFlags {
  private readonly mirror: MembershipMirror;
  private readonly backfillCommand: BackfillCommand;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    log: GateLog,
    resyncMs: number,
  ) {
    this.mirror = new MembershipMirror({ name: 'ring flags', resyncMs, log, scan: (add) => this.scan(add) });
    this.backfillCommand = luaCommand<BackfillCommand>(redis, 'backfill-ring-flags', 1, ['ring-flags']);
  }

  private get prefix(): string {
    return this.keys.rings;
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.keys.ringChanges) this.onMessage(message);
    });
    subscriber.on('ready', () => this.mirror.refresh());
    await subscriber.subscribe(this.keys.ringChanges);
    this.mirror.start();
  }

  close(): void {
    this.mirror.close();
  }

  /** False only when neither the seller nor any of these attribute nodes (`phone:<hash>`, ...) can be in a ring with a confirmed seller. */
  mightBeFlagged(sellerId: string, attributeNodes: readonly string[]): boolean {
    return mightBeFlaggedIn(this.mirror, sellerId, attributeNodes);
  }

  /** Calls `observer` with the table now and with every change (check threads keep a copy). */
  observeTable(observer: (change: MirrorChange) => void): () => void {
    return this.mirror.observe(observer);
  }

  /** Nodes this instance's own script call flagged: known here before the announcement comes back. */
  learn(nodes: readonly string[]): void {
    for (const node of nodes) this.mirror.learn(KIND, node);
  }

  /** The table's state, for /metrics. */
  tableState(): { complete: boolean; entries: number } {
    return { complete: this.mirror.isComplete, entries: this.mirror.size };
  }

  private onMessage(message: string): void {
    if (message === RELOAD_MESSAGE) {
      this.mirror.distrust();
      return;
    }
    if (!message.startsWith('{')) return; // 'confirm' / 'clear': the graph changed, the flags say what it means
    let nodes: unknown;
    try {
      nodes = (JSON.parse(message) as { flagged?: unknown }).flagged;
    } catch {
      nodes = undefined;
    }
    if (!Array.isArray(nodes)) {
      this.mirror.distrust(); // unreadable: reload rather than miss a flag
      return;
    }
    this.learn(nodes.filter((node): node is string => typeof node === 'string'));
  }

  private async scan(add: (kind: string, value: string) => void): Promise<void> {
    await this.backfillOnce();
    let cursor = '0';
    do {
      const [next, nodes] = await this.redis.sscan(`${this.prefix}flagged`, cursor, 'COUNT', SCAN_COUNT);
      for (const node of nodes) add(KIND, node);
      cursor = next;
    } while (cursor !== '0');
  }

  /** Rings confirmed before the `flagged` set existed are flagged once (the marker says it was done). */
  private async backfillOnce(): Promise<void> {
    if ((await this.redis.exists(`${this.prefix}flagged:built`)) === 1) return;
    const pattern = globPrefix(`${this.prefix}confirmed:`);
    let cursor = '0';
    do cursor = await this.backfillCommand(`${this.prefix}parent`, this.prefix, cursor, pattern);
    while (cursor !== '0');
  }
}
