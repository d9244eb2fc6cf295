// Counterfeit sellers a rights holder confirmed and shared with the alliance:
// they join the platform-wide seller list (and are marked in their rings), with
// each contributing member and brand recorded, so that the block is credited to
// them and a withdrawal removes the entry only when no one else (no other member,
// no admin) stands behind it.
import type { Redis } from 'ioredis';
import type { BrandFigures } from '../enforcement/brand-figures.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { SellerRings } from '../rings/seller-rings.js';

interface Contribution {
  /** Live brand id -> when shared. */
  brands: Record<string, string>;
  /** The seller was on the list before any member shared it (an admin listed it). */
  listedBefore: boolean;
}

export class AllianceSellers {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly lists: BlocklistStore,
    private readonly rings: SellerRings,
    private readonly figures: BrandFigures,
  ) {}

  private async read(sellerId: string): Promise<Contribution | undefined> {
    const raw = await this.redis.hget(this.keys.allianceSellers, sellerId);
    return raw === null ? undefined : (JSON.parse(raw) as Contribution);
  }

  async share(brandId: string, sellerIds: readonly string[]): Promise<number> {
    let added = 0;
    for (const sellerId of sellerIds) {
      const before = await this.read(sellerId);
      const contribution: Contribution = before ?? { brands: {}, listedBefore: await this.lists.has('sellers', sellerId) };
      if (contribution.brands[brandId] === undefined) added++;
      contribution.brands[brandId] ??= new Date().toISOString();
      await this.redis.hset(this.keys.allianceSellers, sellerId, JSON.stringify(contribution));
    }
    await this.lists.add('sellers', [...sellerIds]);
    await this.rings.confirm(sellerIds, true);
    return added;
  }

  /** Withdraws a brand's share; returns the sellers that left the platform list. */
  async withdraw(brandId: string, sellerIds: readonly string[]): Promise<string[]> {
    const delisted: string[] = [];
    for (const sellerId of sellerIds) {
      const contribution = await this.read(sellerId);
      if (!contribution || contribution.brands[brandId] === undefined) continue;
      delete contribution.brands[brandId];
      if (Object.keys(contribution.brands).length > 0) {
        await this.redis.hset(this.keys.allianceSellers, sellerId, JSON.stringify(contribution));
        continue;
      }
      await this.redis.hdel(this.keys.allianceSellers, sellerId);
      if (!contribution.listedBefore) delisted.push(sellerId);
    }
    if (delisted.length > 0) {
      await this.lists.remove('sellers', delisted);
      await this.rings.confirm(delisted, false);
    }
    return delisted;
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
  async creditHit(sellerId: string): Promise<void> {
    const contribution = await this.read(sellerId);
    if (contribution) this.figures.countLater(Object.keys(contribution.brands), 'allianceHits');
  }
}
