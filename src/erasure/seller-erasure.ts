// Erases a seller's data (issue 23, point 6): every listing the gate recorded for
// it (the ring graph's listings of the seller, its 500 latest within the retention
// window; those its review history names; its shop-opening check), each erased as
// DELETE /v1/admin/listings/{id} erases one, then the seller's own keys: its review
// history and its node in the ring graph. What lists and banks hold about a seller
// (an admin's, a pack's or a reviewer's entry, a rights holder's share) is policy,
// not the seller's data, and is kept (docs/redis-keys.md, "Erasure").
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';
import { luaCommand } from '../redis/lua-command.js';
import { RING_ERASED_MESSAGE } from '../rings/seller-rings.js';
import { shopListingId } from '../gate/seller-check.js';
import { noSellerErased, type SellerErased } from './erased-families.js';
import type { ListingErasure } from './listing-erasure.js';

type EraseRingSeller = (parent: string, prefix: string, sellerId: string, channel: string) => Promise<[number, number, number]>;

export interface SellerErasureParts {
  redis: Redis;
  keys: RedisKeys;
  listings: ListingErasure;
}

export class SellerErasure {
  private readonly eraseRingSeller: EraseRingSeller;

  constructor(private readonly parts: SellerErasureParts) {
    this.eraseRingSeller = luaCommand<EraseRingSeller>(parts.redis, 'erase-ring-seller', 1, ['ring-flags', 'link-seller']);
  }

  async erase(sellerId: string): Promise<SellerErased> {
    const { redis, keys, listings } = this.parts;
    const listingIds = new Set(await redis.zrange(`${keys.rings}listings:${sellerId}`, 0, -1));
    for (const entry of await redis.lrange(keys.sellerHistory(sellerId), 0, -1)) {
      const listingId = (JSON.parse(entry) as { listingId?: unknown }).listingId;
      if (typeof listingId === 'string' && listingId !== '') listingIds.add(listingId);
    }
    listingIds.add(shopListingId(sellerId));
    const found = await listings.erase([...listingIds]);
    const erased: SellerErased = { ...noSellerErased(), ...found.erased, listings: found.listings };
    // What its listings' erasure left of its history (an entry naming no listing).
    const [[, left]] = (await redis.multi().llen(keys.sellerHistory(sellerId)).del(keys.sellerHistory(sellerId)).exec()) as [[Error | null, number]];
    erased.sellerHistoryEntries += left;
    const [ringKeys, attributes] = await this.eraseRingSeller(`${keys.rings}parent`, keys.rings, sellerId, keys.ringChanges);
    erased.ringSellerKeys = Number(ringKeys);
    erased.ringAttributes = Number(attributes);
    await redis.publish(keys.ringChanges, RING_ERASED_MESSAGE);
    return erased;
  }
}
