// Counterfeit rings: sellers linked, directly or through others, by an identity
// attribute they share (phone, device, payment account, address hash, a banked
// image their listings used). Kept in Redis as a union-find graph, linked
// incrementally as listings arrive (Lua, atomic); a seller in a ring with a
// confirmed counterfeit seller gets a `ring` reason at the gate.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { RingFlags } from './ring-flags.js';

export const RING_ATTRIBUTE_KINDS = ['phone', 'device', 'payment', 'address', 'image'] as const;
export type RingAttributeKind = (typeof RING_ATTRIBUTE_KINDS)[number];

export interface RingAttribute {
  kind: RingAttributeKind;
  value: string;
}

export interface RingStatus {
  /** A stable label for the ring as it is now (a hash, so no member's identity leaks). */
  ringLabel: string;
  /** Confirmed counterfeit sellers in the ring other than this seller. */
  confirmedOthers: number;
  members: number;
}

type RingReply = [string, number, number, number];
/** The ring after linking, and the nodes the link flagged (lib/ring-flags.lua). */
type LinkReply = [...RingReply, string[]];
type LinkCommand = (...args: string[]) => Promise<LinkReply>;
type StatusCommand = (...args: string[]) => Promise<RingReply>;
type ConfirmCommand = (...args: string[]) => Promise<[string, string[]]>;

export interface SellerRingsOptions {
  /** The table of flagged ring nodes is reloaded this often, besides on reconnects. Default 600 s. */
  flagsResyncMs?: number;
  log?: (message: string) => void;
}

/** The answer for a seller and attributes that the flags table says are in no ring with a confirmed seller. */
export const NO_CONFIRMED_RING: RingStatus = { ringLabel: '', confirmedOthers: 0, members: 0 };

function statusOf([root, confirmed, self, members]: RingReply | LinkReply): RingStatus {
  return { ringLabel: ringLabel(root), confirmedOthers: Number(confirmed) - Number(self), members: Number(members) };
}

/** Graph node names of attributes (`phone:<hash>`, ...), leaving out empty values. */
function nodesOf(attributes: readonly RingAttribute[]): string[] {
  return attributes.filter((a) => a.value !== '').map((a) => `${a.kind}:${a.value}`);
}

export function ringLabel(root: string): string {
  return `ring_${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;
}

export class SellerRings {
  private readonly linkCommand: LinkCommand;
  private readonly statusCommand: StatusCommand;
  private readonly confirmCommand: ConfirmCommand;
  /** Ring answers for the publish path; dropped when any ring gains a confirmed seller. */
  private readonly statusCache = new LRUCache<string, RingStatus>({ max: 200_000, ttl: 5_000 });
  /** What was linked recently, so a seller's repeated checks do not rewrite the same links. */
  private get route(): string {
    return `${this.keys.rings}parent`;
  }
  private readonly recentlyLinked = new LRUCache<string, true>({ max: 200_000, ttl: 60_000 });
  /** Which sellers and attributes may be in a ring with a confirmed seller. */
  readonly flags: RingFlags;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: SellerRingsOptions = {},
  ) {
    // One declared key (the graph's parent hash) routes each script on a Redis Cluster; the
    // others it builds from the prefix share its hash tag, so they are in the same slot.
    this.linkCommand = luaCommand<LinkCommand>(redis, 'link-seller', 1, ['ring-flags']);
    this.statusCommand = luaCommand<StatusCommand>(redis, 'ring-status', 1);
    this.confirmCommand = luaCommand<ConfirmCommand>(redis, 'confirm-seller', 1, ['ring-flags']);
    this.flags = new RingFlags(redis, keys, options.log ?? (() => undefined), options.flagsResyncMs ?? 600_000);
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string) => {
      if (channel === this.keys.ringChanges) this.statusCache.clear();
    });
    subscriber.on('ready', () => this.statusCache.clear());
    await subscriber.subscribe(this.keys.ringChanges);
    await this.flags.listen(subscriber);
  }

  close(): void {
    this.flags.close();
  }

  /**
   * False only when the flags table is sure that neither the seller nor any of
   * these attributes is in a ring with a confirmed seller: the publish path may
   * then answer without Redis and link after the answer.
   */
  mightBeInConfirmedRing(sellerId: string, attributes: readonly RingAttribute[]): boolean {
    const maybe = this.flags.mightBeFlagged(sellerId, nodesOf(attributes));
    if (maybe) this.redisAnswers++;
    else this.tableAnswers++;
    return maybe;
  }

  /** Checks whose ring the flags table answered, and those it sent to Redis. */
  tableAnswers = 0;
  redisAnswers = 0;

  /** Links the seller with its attributes (and records the listing and region). */
  async link(sellerId: string, attributes: readonly RingAttribute[], listingId = '', region = ''): Promise<void> {
    await this.linkAndStatus(sellerId, attributes, listingId, region);
  }

  /**
   * Links, then answers the seller's ring as it is with these links: one script
   * for both, so the publish path pays one call, and a seller whose first listing
   * shares a phone with a confirmed seller is caught by that very listing.
   */
  async linkAndStatus(sellerId: string, attributes: readonly RingAttribute[], listingId = '', region = ''): Promise<RingStatus> {
    const nodes = nodesOf(attributes);
    const memo = `${sellerId}\u0000${listingId}\u0000${region}\u0000${nodes.join('\u0000')}`;
    if (this.recentlyLinked.has(memo)) return this.status(sellerId);
    const reply = await this.linkCommand(this.route, this.keys.rings, sellerId, String(Date.now()), listingId, region, this.keys.ringChanges, ...nodes);
    this.flags.learn(reply[4] ?? []);
    const status = statusOf(reply);
    this.recentlyLinked.set(memo, true);
    this.statusCache.set(sellerId, status);
    return status;
  }

  async status(sellerId: string): Promise<RingStatus> {
    const cached = this.statusCache.get(sellerId);
    if (cached) return cached;
    const status = statusOf(await this.statusCommand(this.route, this.keys.rings, sellerId));
    this.statusCache.set(sellerId, status);
    return status;
  }

  /** Marks sellers as confirmed counterfeit (or clears the mark), live on every instance. */
  async confirm(sellerIds: readonly string[], confirmed: boolean): Promise<void> {
    for (const sellerId of sellerIds) {
      const [, flagged] = await this.confirmCommand(this.route, this.keys.rings, sellerId, confirmed ? '1' : '0', String(Date.now()), this.keys.ringChanges);
      this.flags.learn(flagged);
    }
    this.statusCache.clear();
    await this.redis.publish(this.keys.ringChanges, confirmed ? 'confirm' : 'clear');
  }

  /** The ring's root node of a seller (undefined when the seller was never seen). */
  async rootOf(sellerId: string): Promise<string | undefined> {
    if ((await this.redis.exists(`${this.keys.rings}seller:${sellerId}`)) === 0) return undefined;
    const [root] = await this.statusCommand(this.route, this.keys.rings, sellerId);
    return root;
  }

  async membersOf(root: string): Promise<string[]> {
    return (await this.redis.smembers(`${this.keys.rings}members:${root}`)).sort();
  }

  async confirmedOf(root: string): Promise<Set<string>> {
    return new Set(await this.redis.smembers(`${this.keys.rings}confirmed:${root}`));
  }

  async sellerFacts(sellerId: string): Promise<{ firstSeen: number; lastSeen: number; attributes: string[]; listings: string[]; regions: string[] }> {
    const p = this.keys.rings;
    const [info, attributes, listings, regions] = await Promise.all([
      this.redis.hgetall(`${p}seller:${sellerId}`),
      this.redis.smembers(`${p}seller-attrs:${sellerId}`),
      this.redis.zrange(`${p}listings:${sellerId}`, 0, -1),
      this.redis.smembers(`${p}regions:${sellerId}`),
    ]);
    return { firstSeen: Number(info.firstSeen ?? 0), lastSeen: Number(info.lastSeen ?? 0), attributes: attributes.sort(), listings, regions: regions.sort() };
  }
}
