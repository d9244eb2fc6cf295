// Counterfeit sellers a rights holder shared with the alliance. A share counts
// only against listings that name one of the sharing brands: a holder vouches for
// its own marks, not for the platform (issue 30: a share blocked every listing of
// the seller, whatever the brand, with no review). A reviewer who confirms a
// shared seller lists it platform-wide under their own name, so the holder's
// later withdrawal ends its own share and nothing else. Every instance holds the
// shares in memory (they are few: each is a holder's manual act) and reloads them
// when one changes anywhere.
import type { Redis } from 'ioredis';
import type { BrandFigures } from '../enforcement/brand-figures.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { SellerRings } from '../rings/seller-rings.js';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export interface AllianceReview {
  decision: 'confirm' | 'reject';
  by: string;
  at: string;
  note?: string;
}

interface Contribution {
  /** Live brand id -> when shared. */
  brands: Record<string, string>;
  /** A reviewer's word on listing the seller platform-wide. */
  review?: AllianceReview;
}

export interface SharedSeller {
  sellerId: string;
  brands: string[];
  review: AllianceReview | null;
}

const NONE: readonly string[] = [];

export class AllianceSellers {
  /** sellerId -> live ids of the brands that share it. */
  private shares = new Map<string, readonly string[]>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly lists: BlocklistStore,
    private readonly rings: SellerRings,
    private readonly figures: BrandFigures,
    private readonly log: GateLog = silentLog,
  ) {}

  private readonly observers: Array<(shares: ReadonlyMap<string, readonly string[]>) => void> = [];

  /** Calls `observer` with the shares now and whenever they are reloaded (check threads keep a copy), until the returned function is called. */
  observe(observer: (shares: ReadonlyMap<string, readonly string[]>) => void): () => void {
    this.observers.push(observer);
    observer(this.shares);
    return () => {
      const at = this.observers.indexOf(observer);
      if (at >= 0) this.observers.splice(at, 1);
    };
  }

  async listen(subscriber: Redis): Promise<void> {
    subscriber.on('message', (channel: string) => {
      if (channel === this.keys.allianceChanges) void this.reload();
    });
    subscriber.on('ready', () => void this.reload());
    await subscriber.subscribe(this.keys.allianceChanges);
    await this.reload();
  }

  private async reload(): Promise<void> {
    try {
      const next = new Map<string, readonly string[]>();
      for (const [sellerId, raw] of Object.entries(await this.redis.hgetall(this.keys.allianceSellers))) {
        const brands = Object.keys((JSON.parse(raw) as Contribution).brands);
        if (brands.length > 0) next.set(sellerId, brands);
      }
      this.shares = next;
      for (const observer of this.observers) observer(next);
    } catch (error) {
      this.log.warn(`alliance sellers not reloaded: ${(error as Error).message}`);
    }
  }

  /** Live ids of the brands that share this seller (in memory: the check path asks it). */
  brandsSharing(sellerId: string): readonly string[] {
    return this.shares.get(sellerId) ?? NONE;
  }

  private async read(sellerId: string): Promise<Contribution | undefined> {
    const raw = await this.redis.hget(this.keys.allianceSellers, sellerId);
    return raw === null ? undefined : (JSON.parse(raw) as Contribution);
  }

  private async changed(): Promise<void> {
    await this.reload();
    await this.redis.publish(this.keys.allianceChanges, '1');
  }

  async share(brandId: string, sellerIds: readonly string[]): Promise<number> {
    let added = 0;
    for (const sellerId of sellerIds) {
      const contribution: Contribution = (await this.read(sellerId)) ?? { brands: {} };
      if (contribution.brands[brandId] === undefined) added++;
      contribution.brands[brandId] ??= new Date().toISOString();
      await this.redis.hset(this.keys.allianceSellers, sellerId, JSON.stringify(contribution));
    }
    await this.changed();
    return added;
  }

  /** Ends a brand's share; returns the sellers whose share by this brand ended. A reviewer's platform listing stays. */
  async withdraw(brandId: string, sellerIds: readonly string[]): Promise<string[]> {
    const ended: string[] = [];
    for (const sellerId of sellerIds) {
      const contribution = await this.read(sellerId);
      if (!contribution || contribution.brands[brandId] === undefined) continue;
      delete contribution.brands[brandId];
      ended.push(sellerId);
      if (Object.keys(contribution.brands).length > 0 || contribution.review)
        await this.redis.hset(this.keys.allianceSellers, sellerId, JSON.stringify(contribution));
      else await this.redis.hdel(this.keys.allianceSellers, sellerId);
    }
    if (ended.length > 0) await this.changed();
    return ended;
  }

  /** Shared sellers, those no reviewer has ruled on first when `pendingOnly`. */
  async all(pendingOnly: boolean): Promise<SharedSeller[]> {
    const out: SharedSeller[] = [];
    for (const [sellerId, raw] of Object.entries(await this.redis.hgetall(this.keys.allianceSellers))) {
      const contribution = JSON.parse(raw) as Contribution;
      if (pendingOnly && contribution.review) continue;
      const brands = Object.keys(contribution.brands);
      if (brands.length === 0 && pendingOnly) continue;
      out.push({ sellerId, brands, review: contribution.review ?? null });
    }
    return out.sort((a, b) => a.sellerId.localeCompare(b.sellerId));
  }

  /**
   * A reviewer's ruling on a shared seller: confirmed, it joins the platform's
   * seller list (and marks its ring) in the reviewer's name; rejected, the
   * shares keep counting for their own brands only. False when nothing shares it.
   */
  async review(sellerId: string, ruling: AllianceReview): Promise<boolean> {
    const contribution = await this.read(sellerId);
    if (!contribution || Object.keys(contribution.brands).length === 0) return false;
    contribution.review = ruling;
    await this.redis.hset(this.keys.allianceSellers, sellerId, JSON.stringify(contribution));
    if (ruling.decision === 'confirm') {
      await this.lists.add('sellers', [sellerId]);
      await this.rings.confirm([sellerId], true);
    }
    await this.changed();
    return true;
  }

  /** The sellers a brand shares. */
  async sharedBy(brandId: string): Promise<Array<{ sellerId: string; sharedAt: string }>> {
    const out: Array<{ sellerId: string; sharedAt: string }> = [];
    for (const [sellerId, raw] of Object.entries(await this.redis.hgetall(this.keys.allianceSellers))) {
      const at = (JSON.parse(raw) as Contribution).brands[brandId];
      if (at !== undefined) out.push({ sellerId, sharedAt: at });
    }
    return out.sort((a, b) => a.sellerId.localeCompare(b.sellerId));
  }

  /** Credits the members whose shared seller a listing was stopped by. */
  creditHit(sellerId: string): void {
    const brands = this.brandsSharing(sellerId);
    if (brands.length > 0) this.figures.countLater(brands, 'allianceHits');
  }
}
