// What only the event loop can find for a listing judged on a thread of its own
// (a backtest, a re-check job), when the thread's copies of the tables say a
// list, a ring, a person's verdict or a share may be involved: the event loop
// asks Redis as a live check would.
import type { AllianceSellers } from '../alliance/alliance-sellers.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import type { DecidedListings, PersonVerdict } from '../review/decided-listings.js';
import { NO_CONFIRMED_RING, type RingStatus, type SellerRings } from '../rings/seller-rings.js';
import type { CheckRequest } from './check-request.js';
import { contentHash } from './content-hash.js';
import type { ListHit } from './list-hit.js';
import { listProbes, ringAttributes } from './list-probes.js';

export interface EventLoopSignals {
  lists: ListHit[];
  ring: RingStatus;
  person: PersonVerdict | undefined;
  /** Live ids of the brands that shared the seller with the alliance. */
  sharing: readonly string[];
}

/** A listing the thread's tables settled: no list, ring, person or share involved. */
export const NO_SIGNALS: EventLoopSignals = { lists: [], ring: NO_CONFIRMED_RING, person: undefined, sharing: [] };

export interface SignalSources {
  lists: BlocklistStore;
  rings: SellerRings;
  decided: DecidedListings;
  alliance: AllianceSellers;
}

/** What a live check would ask Redis about these listings, in order. */
export function eventLoopSignals(sources: SignalSources, requests: readonly CheckRequest[]): Promise<EventLoopSignals[]> {
  const { lists, rings, decided, alliance } = sources;
  return Promise.all(
    requests.map(async (request): Promise<EventLoopSignals> => {
      const [hits, ring, person] = await Promise.all([
        lists.check(listProbes(request)),
        rings.mightBeInConfirmedRing(request.sellerId, ringAttributes(request)) ? rings.status(request.sellerId) : NO_CONFIRMED_RING,
        decided.mightHave(request.listingId) ? decided.verdictOf(request.listingId, contentHash(request)) : undefined,
      ]);
      return { lists: hits, ring, person, sharing: alliance.brandsSharing(request.sellerId) };
    }),
  );
}
