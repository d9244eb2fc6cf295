// How far a rights holder's complaints can be trusted: the share upheld by
// reviewers and the share later overturned by sellers' counter-notices. A
// `trusted` complainer's complaints take the listing down at once, pending review
// ("good-faith takedown"); a `standard` one's only queue for review.
import type { Redis } from 'ioredis';
import type { RedisKeys } from '../redis/redis-keys.js';

export interface TrustPolicy {
  /** Decided complaints needed before a holder can be trusted. */
  minDecided: number;
  /** Share of decided complaints upheld, at or above which a holder is trusted (0-1). */
  minUpheldShare: number;
  /** Share of upheld complaints overturned by appeals above which a holder is not trusted (0-1). */
  maxOverturnedShare: number;
}

export type TrustTier = 'trusted' | 'standard';

export interface ComplainerTrust {
  tier: TrustTier;
  filed: number;
  upheld: number;
  rejected: number;
  overturned: number;
  upheldShare: number | null;
  overturnedShare: number | null;
  policy: TrustPolicy;
  why: string;
}

export type TrustCount = 'filed' | 'upheld' | 'rejected' | 'overturned';

export class ComplainerTrustBook {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    readonly policy: TrustPolicy,
  ) {}

  async count(holder: string, what: TrustCount, by = 1): Promise<void> {
    await this.redis.hincrby(this.keys.complainerTrust(holder), what, by);
  }

  async of(holder: string): Promise<ComplainerTrust> {
    const raw = await this.redis.hgetall(this.keys.complainerTrust(holder));
    const n = (k: TrustCount): number => Number(raw[k] ?? 0);
    const filed = n('filed');
    const upheld = n('upheld');
    const rejected = n('rejected');
    const overturned = n('overturned');
    const decided = upheld + rejected;
    const upheldShare = decided > 0 ? upheld / decided : null;
    const overturnedShare = upheld > 0 ? overturned / upheld : null;
    const p = this.policy;
    let why: string;
    let tier: TrustTier = 'standard';
    if (decided < p.minDecided) why = `${decided} of the ${p.minDecided} decided complaints needed to judge accuracy`;
    else if ((upheldShare ?? 0) < p.minUpheldShare)
      why = `upheld share ${((upheldShare ?? 0) * 100).toFixed(1)}% is below ${(p.minUpheldShare * 100).toFixed(1)}%`;
    else if ((overturnedShare ?? 0) > p.maxOverturnedShare)
      why = `overturned share ${((overturnedShare ?? 0) * 100).toFixed(1)}% is above ${(p.maxOverturnedShare * 100).toFixed(1)}%`;
    else {
      tier = 'trusted';
      why = 'accurate enough for good-faith takedowns';
    }
    return { tier, filed, upheld, rejected, overturned, upheldShare, overturnedShare, policy: p, why };
  }
}
