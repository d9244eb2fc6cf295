// The verdicts a batch of listings would get now, without any of a check's
// effects (no review item, verdict record, figures or ring links): the same
// signals and the same pure decision as POST /v1/check, with the matching on the
// re-check pool's threads, which run below live traffic. A signal that cannot be
// computed fails the whole batch (it is read again later): a job never emits a
// verdict moved by a `degraded` reason.
import type { FingerprintBank, FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { CheckService, PrecomputedMatch } from '../gate/check-service.js';
import { contentHash } from '../gate/content-hash.js';
import { decideListing } from '../gate/decide-listing.js';
import { listProbes, ringAttributes } from '../gate/list-probes.js';
import type { Reason, Verdict } from '../gate/reason.js';
import type { BlocklistStore } from '../lists/blocklist-store.js';
import { listingToMatch } from '../matcher/listing-fields.js';
import type { MatchPool } from '../matcher/match-pool.js';
import type { ListingMatch } from '../matcher/match-task.js';
import type { LivePack } from '../pack/live-pack.js';
import type { CompiledPack } from '../pack/compiled-pack.js';
import type { DecidedListings } from '../review/decided-listings.js';
import { NO_CONFIRMED_RING, type RingStatus, type SellerRings } from '../rings/seller-rings.js';

export interface RecheckDeciderParts {
  livePack: LivePack;
  fingerprints: FingerprintBank;
  /** The re-check pool (low priority), not the live checks' pool; made at the first job. */
  pool: () => MatchPool;
  lists: BlocklistStore;
  rings: SellerRings;
  decided: DecidedListings;
  /** For the decision's context (demoted causes, fail modes, alliance), as live checks read it. */
  checks: Pick<CheckService, 'decisionContext'>;
}

export interface RecheckVerdict {
  verdict: Verdict;
  score: number;
  reasons: Reason[];
  policyVersion: string;
  /** A person decided this very content: their verdict stands. */
  byPerson: boolean;
  /** What the matching found, for the check that records a changed verdict without matching again. */
  matched: PrecomputedMatch;
}

/** Listings decided on the event loop between two yields: live requests forwarded there wait no longer than that. */
const DECIDE_SLICE = 64;

const yieldToLive = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A batch's matching, started on the re-check pool: what decide() needs with it (the pack and banks it matched against). */
export interface StartedMatching {
  compiled: CompiledPack;
  banks: FingerprintSnapshot;
  matches: Promise<ListingMatch[]>;
}

export class RecheckDecider {
  constructor(private readonly parts: RecheckDeciderParts) {}

  /**
   * Hands the listings to the pool's threads and returns at once: the runner
   * starts the next batch's matching while it decides and emits this one.
   */
  startMatching(requests: readonly CheckRequest[]): StartedMatching {
    const compiled = this.parts.livePack.current;
    if (!compiled) throw new Error('no policy pack is live yet');
    const banks = this.parts.fingerprints.current;
    const matcher = this.parts.pool();
    const matches = Promise.all(requests.map((request) => matcher.match(compiled, banks, listingToMatch(request))));
    // Awaited by decide(); a batch dropped before (its job left) fails no one.
    matches.catch(() => undefined);
    return { compiled, banks, matches };
  }

  async decide(requests: readonly CheckRequest[], started: StartedMatching = this.startMatching(requests)): Promise<RecheckVerdict[]> {
    const { lists, rings, decided, checks } = this.parts;
    const { compiled, banks, matches } = started;
    const listHits = Promise.all(requests.map((request) => lists.check(listProbes(request))));
    // Only sellers the flags table may hold are asked about; nothing is linked.
    const ringStatus = Promise.all(
      requests.map((request) =>
        rings.mightBeInConfirmedRing(request.sellerId, ringAttributes(request))
          ? rings.status(request.sellerId)
          : Promise.resolve<RingStatus>(NO_CONFIRMED_RING),
      ),
    );
    const persons = Promise.all(
      requests.map((request) =>
        decided.mightHave(request.listingId) ? decided.verdictOf(request.listingId, contentHash(request)) : Promise.resolve(undefined),
      ),
    );
    const [text, hits, ring, person] = await Promise.all([matches, listHits, ringStatus, persons]);
    const context = checks.decisionContext(compiled, banks);
    const out: RecheckVerdict[] = [];
    for (let i = 0; i < requests.length; i++) {
      if (i > 0 && i % DECIDE_SLICE === 0) await yieldToLive();
      const request = requests[i] as CheckRequest;
      const match = text[i] as (typeof text)[number];
      const decision = decideListing(context, request, {
        text: { ok: true, value: match },
        lists: { ok: true, value: hits[i] ?? [] },
        ring: { ok: true, value: ring[i] ?? NO_CONFIRMED_RING },
        person: { ok: true, value: person[i] },
      });
      const personVerdict = person[i];
      out.push({
        verdict: personVerdict ?? decision.verdict,
        score: decision.score,
        reasons: decision.reasons,
        policyVersion: compiled.pack.packVersion,
        byPerson: personVerdict !== undefined,
        matched: { packKey: compiled.key, banksVersion: banks.shared.version, match },
      });
    }
    return out;
  }
}
