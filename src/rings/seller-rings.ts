// Counterfeit rings: sellers linked, directly or through others, by an identity
// attribute they share (phone, device, payment account, address hash, a banked
// image their listings used). Kept in Redis as a union-find graph, linked
// incrementally as listings arrive (Lua, atomic); a seller in a ring with a
// confirmed counterfeit seller gets a `ring` reason at the gate.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { primeLruCache } from '../cache/prime-lru-cache.js';
import { GenerationCache } from '../cache/generation-cache.js';
import { luaCommand } from '../redis/lua-command.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { BookkeepingSpool } from '../redis/bookkeeping-spool.js';
import { BOOKKEEPING_GATHER_MS, WriteBehind } from '../redis/write-behind.js';
import { RingFlags } from './ring-flags.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

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
/** Links many sellers; returns the nodes the links flagged. */
type LinkManyCommand = (...args: string[]) => Promise<string[]>;
type StatusCommand = (...args: string[]) => Promise<RingReply>;
type ConfirmCommand = (...args: string[]) => Promise<[string, string[]]>;

export interface SellerRingsOptions {
  /** The table of flagged ring nodes is reloaded this often, besides on reconnects. Default 600 s. */
  flagsResyncMs?: number;
  /** How long a check's links may wait to go with others' (linkLater). Default BOOKKEEPING_GATHER_MS. */
  linkDelayMs?: number;
  /** How long a seller's recorded listings are kept (besides its 500 latest), in ms (GATE_RETENTION_DAYS). Default 180 days. */
  listingsWindowMs?: number;
  log?: GateLog;
  /** Keeps on local disk the links Redis does not take for too long (and those left at closeLinks()). */
  spool?: BookkeepingSpool;
}

/** A link waiting to be written with others. */
interface PendingLink {
  sellerId: string;
  listingId: string;
  region: string;
  nodes: string[];
}

/** Announced on the ring channel after an erasure: every instance forgets its ring answers and the links it made recently. */
export const RING_ERASED_MESSAGE = 'erased';

/** The answer for a seller and attributes that the flags table says are in no ring with a confirmed seller. */
export const NO_CONFIRMED_RING: RingStatus = { ringLabel: '', confirmedOthers: 0, members: 0 };

function statusOf([root, confirmed, self, members]: RingReply | LinkReply): RingStatus {
  return { ringLabel: ringLabel(root), confirmedOthers: Number(confirmed) - Number(self), members: Number(members) };
}

/** Graph node names of attributes (`phone:<hash>`, ...), leaving out empty values. */
export function nodesOf(attributes: readonly RingAttribute[]): string[] {
  return attributes.filter((a) => a.value !== '').map((a) => `${a.kind}:${a.value}`);
}

/** What one link writes, so that the same link is not written again while it is recent. */
function linkMemo(sellerId: string, listingId: string, region: string, nodes: readonly string[]): string {
  return `${sellerId}\u0000${listingId}\u0000${region}\u0000${nodes.join('\u0000')}`;
}

export function ringLabel(root: string): string {
  return `ring_${createHash('sha256').update(root).digest('hex').slice(0, 12)}`;
}

export class SellerRings {
  private readonly linkCommand: LinkCommand;
  private readonly linkManyCommand: LinkManyCommand;
  /** Links of answered checks, written together (keyed by their memo). */
  private readonly laterLinks: WriteBehind<PendingLink>;
  private readonly statusCommand: StatusCommand;
  private readonly statusAsLinkedCommand: StatusCommand;
  /** Sellers with links waiting in laterLinks, and how many: their ring is read only once those are written. */
  private readonly sellersWaiting = new Map<string, number>();
  private readonly confirmCommand: ConfirmCommand;
  /** Ring answers for the publish path; dropped when any ring gains a confirmed seller. */
  private readonly statusCache = new GenerationCache<RingStatus>({ max: 200_000, ttlMs: 5_000 });
  /** What was linked recently, so a seller's repeated checks do not rewrite the same links. */
  private get route(): string {
    return `${this.keys.rings}parent`;
  }
  private readonly recentlyLinked = primeLruCache(new LRUCache<string, true>({ max: 200_000, ttl: 60_000 }), '', true);
  private readonly listingsWindowMs: number;
  /** Which sellers and attributes may be in a ring with a confirmed seller. */
  readonly flags: RingFlags;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    options: SellerRingsOptions = {},
  ) {
    // One declared key (the graph's parent hash) routes each script on a Redis Cluster; the
    // others it builds from the prefix share its hash tag, so they are in the same slot.
    this.linkCommand = luaCommand<LinkCommand>(redis, 'link-seller', 1, ['ring-flags', 'link-seller']);
    this.linkManyCommand = luaCommand<LinkManyCommand>(redis, 'link-sellers', 1, ['ring-flags', 'link-seller']);
    this.laterLinks = new WriteBehind<PendingLink>({
      name: 'ring links',
      delayMs: options.linkDelayMs ?? BOOKKEEPING_GATHER_MS,
      // Linking is idempotent (sets and a union-find): a batch Redis did not take is tried again.
      retry: true,
      merge: (_older, newer) => newer,
      write: (batch) => this.linkMany(batch),
      log: options.log ?? silentLog,
      ...(options.spool ? { spool: options.spool } : {}),
    });
    this.statusCommand = luaCommand<StatusCommand>(redis, 'ring-status', 1);
    this.statusAsLinkedCommand = luaCommand<StatusCommand>(redis, 'ring-status-linked', 1);
    this.confirmCommand = luaCommand<ConfirmCommand>(redis, 'confirm-seller', 1, ['ring-flags']);
    this.listingsWindowMs = options.listingsWindowMs ?? 180 * 86_400_000;
    this.flags = new RingFlags(redis, keys, options.log ?? silentLog, options.flagsResyncMs ?? 600_000);
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.keys.ringChanges) return;
      this.statusCache.clear();
      // An erased seller or listing checked again is linked again, not skipped as recently linked.
      if (message === RING_ERASED_MESSAGE) this.recentlyLinked.clear();
    });
    // Back after a disconnection: an erasure's message may have been missed.
    subscriber.on('ready', () => {
      this.statusCache.clear();
      this.recentlyLinked.clear();
    });
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

  /**
   * Links the seller with its attributes (and records the listing and region) after
   * a check's answer, together with the other checks' links of the next few
   * milliseconds: one script call for all of them.
   */
  linkLater(sellerId: string, attributes: readonly RingAttribute[], listingId = '', region = ''): void {
    this.linkNodesLater(sellerId, nodesOf(attributes), listingId, region);
  }

  /** linkLater with the attributes already named as graph nodes (nodesOf). */
  linkNodesLater(sellerId: string, nodes: string[], listingId = '', region = ''): void {
    const memo = linkMemo(sellerId, listingId, region, nodes);
    if (this.recentlyLinked.has(memo)) return;
    if (this.laterLinks.peek(memo) === undefined) this.sellersWaiting.set(sellerId, (this.sellersWaiting.get(sellerId) ?? 0) + 1);
    this.laterLinks.add(memo, { sellerId, listingId, region, nodes });
  }

  /** Writes the links still waiting (on shutdown; every read of the graph here does it first, so this instance reads its own links). */
  flushLinks(): Promise<void> {
    return this.laterLinks.flush();
  }

  /** Writes the links still waiting, or keeps them in the spool (on shutdown). */
  closeLinks(): Promise<void> {
    return this.laterLinks.close();
  }

  /** Links given up on (Redis did not take them and too many were waiting), for /metrics. */
  get droppedLinks(): number {
    return this.laterLinks.dropped;
  }

  private async linkMany(batch: ReadonlyMap<string, PendingLink>): Promise<void> {
    const now = Date.now();
    const args: string[] = [this.route, this.keys.rings, String(now), this.keys.ringChanges, String(now - this.listingsWindowMs)];
    for (const link of batch.values()) args.push(link.sellerId, link.listingId, link.region, String(link.nodes.length), ...link.nodes);
    this.flags.learn(await this.linkManyCommand(...args));
    for (const memo of batch.keys()) this.recentlyLinked.set(memo, true);
    for (const { sellerId } of batch.values()) {
      const waiting = (this.sellersWaiting.get(sellerId) ?? 0) - 1;
      if (waiting > 0) this.sellersWaiting.set(sellerId, waiting);
      else this.sellersWaiting.delete(sellerId);
    }
  }

  /**
   * Answers the seller's ring as it is with these links, so that a seller whose
   * first listing shares a phone with a confirmed seller is caught by that very
   * listing. The answer is read (ring-status-linked.lua) and the links written
   * after it, with the other checks' links: a write awaited here was an fsync in
   * every check of a listed or ring-flagged seller (2-3 ms idle). A seller with
   * links of its own still waiting is linked and read in one script, as before,
   * so that its earlier listings' links count.
   */
  async linkAndStatus(sellerId: string, attributes: readonly RingAttribute[], listingId = '', region = ''): Promise<RingStatus> {
    const nodes = nodesOf(attributes);
    const memo = linkMemo(sellerId, listingId, region, nodes);
    if (this.recentlyLinked.has(memo)) return this.status(sellerId);
    if (!this.sellersWaiting.has(sellerId)) {
      const status = statusOf(await this.statusAsLinkedCommand(this.route, this.keys.rings, sellerId, ...nodes));
      this.linkNodesLater(sellerId, nodes, listingId, region);
      this.statusCache.set(sellerId, status);
      return status;
    }
    return this.linkNow(sellerId, nodes, memo, listingId, region);
  }

  /**
   * Links, then answers the ring with the links written (one script): a shop
   * opening's ring is read by an admin on any instance right after its answer.
   */
  async linkThenStatus(sellerId: string, attributes: readonly RingAttribute[], listingId = '', region = ''): Promise<RingStatus> {
    const nodes = nodesOf(attributes);
    const memo = linkMemo(sellerId, listingId, region, nodes);
    if (this.recentlyLinked.has(memo)) return this.status(sellerId);
    return this.linkNow(sellerId, nodes, memo, listingId, region);
  }

  private async linkNow(sellerId: string, nodes: string[], memo: string, listingId: string, region: string): Promise<RingStatus> {
    const now = Date.now();
    const reply = await this.linkCommand(
      this.route,
      this.keys.rings,
      sellerId,
      String(now),
      listingId,
      region,
      this.keys.ringChanges,
      String(now - this.listingsWindowMs),
      ...nodes,
    );
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
    await this.laterLinks.flush();
    for (const sellerId of sellerIds) {
      const [, flagged] = await this.confirmCommand(this.route, this.keys.rings, sellerId, confirmed ? '1' : '0', String(Date.now()), this.keys.ringChanges);
      this.flags.learn(flagged);
    }
    this.statusCache.clear();
    await this.redis.publish(this.keys.ringChanges, confirmed ? 'confirm' : 'clear');
  }

  /** The ring's root node of a seller (undefined when the seller was never seen). */
  async rootOf(sellerId: string): Promise<string | undefined> {
    await this.laterLinks.flush();
    if ((await this.redis.exists(`${this.keys.rings}seller:${sellerId}`)) === 0) return undefined;
    const [root] = await this.statusCommand(this.route, this.keys.rings, sellerId);
    return root;
  }

  async membersOf(root: string): Promise<string[]> {
    await this.laterLinks.flush();
    return (await this.redis.smembers(`${this.keys.rings}members:${root}`)).sort();
  }

  async confirmedOf(root: string): Promise<Set<string>> {
    await this.laterLinks.flush();
    return new Set(await this.redis.smembers(`${this.keys.rings}confirmed:${root}`));
  }

  async sellerFacts(sellerId: string): Promise<{ firstSeen: number; lastSeen: number; attributes: string[]; listings: string[]; regions: string[] }> {
    await this.laterLinks.flush();
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
