// The verdicts a batch of listings would get now, without any of a check's
// effects (no review item, verdict record, figures or ring links): the same
// signals and the same pure decision as POST /v1/check. It runs on the job's
// thread (recheck-worker.ts), below live traffic, with the matching on the
// re-check pool's threads; a listing the thread's copies of the tables cannot
// settle (a list, ring, person's verdict or share may be involved) is asked of
// the event loop. A signal that cannot be computed fails the whole batch (it is
// read again later): a job never emits a verdict moved by a `degraded` reason.
import type { DegradableSignal, FailMode } from '../config/gate-config.js';
import type { MirroredState } from '../check-thread/mirrored-state.js';
import { needsEventLoop } from '../check-thread/needs-event-loop.js';
import type { FingerprintSnapshot } from '../fingerprint/fingerprint-bank.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { PrecomputedMatch } from '../gate/check-service.js';
import { decideListing } from '../gate/decide-listing.js';
import { type EventLoopSignals, NO_SIGNALS } from '../gate/event-loop-signals.js';
import { listProbes } from '../gate/list-probes.js';
import type { Reason, Verdict } from '../gate/reason.js';
import { listingToMatch } from '../matcher/listing-fields.js';
import type { MatchPool } from '../matcher/match-pool.js';
import type { ListingMatch } from '../matcher/match-task.js';
import type { CompiledPack } from '../pack/compiled-pack.js';

export interface RecheckDeciderParts {
  /** The live pack (its scoring parts and database) as this thread last heard of it. */
  pack: () => CompiledPack | undefined;
  banks: () => FingerprintSnapshot | undefined;
  /** The re-check pool (low priority), made at the first job. */
  pool: () => MatchPool;
  mirrored: MirroredState;
  failModes: Readonly<Record<DegradableSignal, FailMode>>;
  /** The event loop's answers for these listings, in order. */
  signalsOf: (requests: CheckRequest[]) => Promise<EventLoopSignals[]>;
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
    const compiled = this.parts.pack();
    const banks = this.parts.banks();
    if (!compiled) throw new Error('no policy pack is live yet');
    if (!banks) throw new Error('the fingerprint banks have not reached the job thread yet');
    const matcher = this.parts.pool();
    const matches = Promise.all(requests.map((request) => matcher.match(compiled, banks, listingToMatch(request))));
    // Awaited by decide(); a batch dropped before (its job left) fails no one.
    matches.catch(() => undefined);
    return { compiled, banks, matches };
  }

  async decide(requests: readonly CheckRequest[], started: StartedMatching = this.startMatching(requests)): Promise<RecheckVerdict[]> {
    const { mirrored, failModes } = this.parts;
    const { compiled, banks, matches } = started;
    const unsettled: number[] = [];
    requests.forEach((request, i) => {
      if (needsEventLoop(mirrored.tables, mirrored.shares, request, listProbes(request))) unsettled.push(i);
    });
    const asked = unsettled.length > 0 ? this.parts.signalsOf(unsettled.map((i) => requests[i] as CheckRequest)) : Promise.resolve([]);
    const [text, answers] = await Promise.all([matches, asked]);
    if (answers.length !== unsettled.length) throw new Error(`the event loop answered ${answers.length} of ${unsettled.length} listings`);
    const signals = new Array<EventLoopSignals>(requests.length).fill(NO_SIGNALS);
    unsettled.forEach((index, k) => {
      signals[index] = answers[k] as EventLoopSignals;
    });
    return requests.map((request, i) => {
      const match = text[i] as ListingMatch;
      const found = signals[i] as EventLoopSignals;
      const context = { compiled, banks, demoted: mirrored.demoted, failModes, brandsSharing: () => found.sharing };
      const decision = decideListing(context, request, {
        text: { ok: true, value: match },
        lists: { ok: true, value: found.lists },
        ring: { ok: true, value: found.ring },
        person: { ok: true, value: found.person },
      });
      return {
        verdict: found.person ?? decision.verdict,
        score: decision.score,
        reasons: decision.reasons,
        policyVersion: compiled.pack.packVersion,
        byPerson: found.person !== undefined,
        matched: { packKey: compiled.key, banksVersion: banks.shared.version, match },
      };
    });
  }
}
