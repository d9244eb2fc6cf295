// Brands registered by rights holders (tenants), kept in Redis beside the admin's
// pack. A brand is enforced, that is added to the live pack on every instance, only
// while its mark claim is verified by an admin and within its validity dates; the
// owner sees why a brand is held back. Live brand ids are `<holder>/<brandId>`, so
// two holders' ids never clash and a holder can only ever address its own.
import type { Redis } from 'ioredis';
import type { BrandEntry } from '../pack/policy-pack.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { MarkClaim } from './mark-claim.js';

export type VerificationStatus = 'unverified' | 'pending' | 'verified' | 'rejected';

export interface RegisteredBrand {
  holder: string;
  /** The holder's own id for the brand (not prefixed). */
  brand: BrandEntry;
  claim?: MarkClaim;
  verification: { status: VerificationStatus; by?: string; at?: string; note?: string };
  updatedAt: string;
}

export type Enforcement = { enforced: true } | { enforced: false; why: string };

export function liveBrandId(holder: string, brandId: string): string {
  return `${holder}/${brandId}`;
}

/** The holder of a live brand id, or undefined for one of the pack's own brands. */
export function holderOfBrand(liveId: string): string | undefined {
  const slash = liveId.indexOf('/');
  return slash > 0 ? liveId.slice(0, slash) : undefined;
}

export function enforcementOf(entry: RegisteredBrand, now = new Date()): Enforcement {
  const status = entry.verification.status;
  if (status !== 'verified') {
    const why = {
      unverified: 'no mark claim has been submitted',
      pending: 'the mark claim awaits an admin',
      rejected: `the mark claim was rejected${entry.verification.note ? `: ${entry.verification.note}` : ''}`,
    }[status];
    return { enforced: false, why };
  }
  const claim = entry.claim;
  if (!claim) return { enforced: false, why: 'no mark claim has been submitted' };
  const today = now.toISOString().slice(0, 10);
  if (claim.validFrom > today) return { enforced: false, why: `the mark is valid only from ${claim.validFrom}` };
  if (claim.validUntil < today) return { enforced: false, why: `the mark expired on ${claim.validUntil}` };
  return { enforced: true };
}

export class BrandRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async get(holder: string, brandId: string): Promise<RegisteredBrand | undefined> {
    const raw = await this.redis.hget(this.keys.registeredBrands, liveBrandId(holder, brandId));
    return raw === null ? undefined : (JSON.parse(raw) as RegisteredBrand);
  }

  async put(entry: RegisteredBrand): Promise<void> {
    await this.redis.hset(this.keys.registeredBrands, liveBrandId(entry.holder, entry.brand.id), JSON.stringify(entry));
  }

  async remove(holder: string, brandId: string): Promise<boolean> {
    return (await this.redis.hdel(this.keys.registeredBrands, liveBrandId(holder, brandId))) === 1;
  }

  /** Every registered brand (HSCAN, so a large registry does not block Redis). */
  async all(): Promise<RegisteredBrand[]> {
    const out: RegisteredBrand[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.registeredBrands, cursor, 'COUNT', 1000);
      for (let i = 1; i < flat.length; i += 2) out.push(JSON.parse(flat[i] ?? 'null') as RegisteredBrand);
      cursor = next;
    } while (cursor !== '0');
    return out;
  }

  async ofHolder(holder: string): Promise<RegisteredBrand[]> {
    const out: RegisteredBrand[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.registeredBrands, cursor, 'MATCH', `${holder.replace(/[*?[\]\\]/g, '\\$&')}/*`, 'COUNT', 1000);
      for (let i = 1; i < flat.length; i += 2) out.push(JSON.parse(flat[i] ?? 'null') as RegisteredBrand);
      cursor = next;
    } while (cursor !== '0');
    return out.sort((a, b) => a.brand.id.localeCompare(b.brand.id));
  }

  /** The brands to add to the live pack now, with their live ids and owners. */
  async enforceable(now = new Date()): Promise<BrandEntry[]> {
    return (await this.all())
      .filter((entry) => enforcementOf(entry, now).enforced)
      .map((entry) => ({ ...entry.brand, id: liveBrandId(entry.holder, entry.brand.id), owner: entry.holder }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}
