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
  /**
   * The names an admin's verification covers (absent on entries from before it
   * was kept: all names). Names added to a verified brand wait in `pendingNames`
   * for an admin while these stay enforced (issue 29: one alias added switched the
   * whole brand off).
   */
  verifiedNames?: string[];
  pendingNames?: string[];
  updatedAt: string;
}

/** The registration after its owner changed the brand's entry: only new names wait for an admin. */
export function reregistered(before: RegisteredBrand | undefined, holder: string, brand: BrandEntry, at: string): RegisteredBrand {
  const entry: RegisteredBrand = { holder, brand, verification: { status: before?.claim ? 'pending' : 'unverified' }, updatedAt: at };
  if (before?.claim) entry.claim = before.claim;
  if (!before) return entry;
  if (before.verification.status !== 'verified') {
    const sameNames = JSON.stringify([...before.brand.names].sort()) === JSON.stringify([...brand.names].sort());
    if (sameNames) entry.verification = before.verification;
    return entry;
  }
  const verified = before.verifiedNames ?? before.brand.names;
  const kept = brand.names.filter((name) => verified.includes(name));
  const added = brand.names.filter((name) => !verified.includes(name));
  if (kept.length === 0) return entry; // every verified name is gone: a new mark to verify
  entry.verification = before.verification;
  entry.verifiedNames = kept;
  if (added.length > 0) entry.pendingNames = added;
  return entry;
}

/** Whether an admin has something to verify on this brand. */
export function awaitsVerification(entry: RegisteredBrand): boolean {
  return entry.verification.status === 'pending' || (entry.pendingNames?.length ?? 0) > 0;
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
      .map((entry) => {
        const verified = entry.verifiedNames;
        const names = verified ? entry.brand.names.filter((name) => verified.includes(name)) : entry.brand.names;
        return { ...entry.brand, names, id: liveBrandId(entry.holder, entry.brand.id), owner: entry.holder };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }
}
