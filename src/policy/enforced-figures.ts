// Figures of enforced entries (issue 26 point 2): each listing an entry's reason
// named, the verdict it was part of, recent listing ids (hourly-entry-figures.ts),
// and, from the cause ledger, how many of its blocks people overturned.
import type { Redis } from 'ioredis';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import type { Reason, Verdict } from '../gate/reason.js';
import { entryKey, entryOfKey, listEntryId, type EntryRef } from '../gate/shadow-entry.js';
import type { ListKind } from '../pack/policy-pack.js';
import type { RedisKeys } from '../redis/redis-keys.js';
import { HourlyEntryFigures } from './hourly-entry-figures.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface EnforcedEntryFigures {
  hits: { hour: number; day: number; week: number };
  /** Over the week: the verdicts of the listings it matched. */
  verdicts: Record<Verdict, number>;
  /** Its blocks and those people overturned since it was last reinstated (the cause ledger's count, not only the week's). */
  blocks: number;
  overturned: number;
  overturnedShare: number;
  /** Hits by UTC hour over the week, the current hour first. */
  hourly: number[];
  samples: string[];
}

/** The request field a list reason names, and the list it comes from (list-probes.ts). */
const LIST_OF_FIELD: Readonly<Record<string, ListKind>> = {
  sellerId: 'sellers',
  shopId: 'shops',
  'seller.phoneHash': 'phones',
  'seller.deviceId': 'devices',
  'seller.paymentAccountHash': 'paymentAccounts',
};
const FIELD_OF_LIST = Object.fromEntries(Object.entries(LIST_OF_FIELD).map(([field, kind]) => [kind, field])) as Record<ListKind, string>;

/** The pack entry a reason names, if it names one. */
export function entryOfReason(reason: Reason): EntryRef | undefined {
  switch (reason.code) {
    case 'indicator':
    case 'indicator_with_brand':
      return { kind: 'indicator', id: reason.ref };
    case 'brand_below_floor':
    case 'brand_sound_alike':
      return { kind: 'brand', id: reason.ref };
    case 'rule':
      return { kind: 'rule', id: reason.ref };
    case 'text_fingerprint':
      return { kind: 'text', id: reason.ref };
    case 'image_fingerprint':
      return { kind: 'image', id: reason.ref };
    case 'blocklist_seller':
    case 'blocklist_shop':
    case 'blocklist_identity': {
      const list = LIST_OF_FIELD[reason.field ?? ''];
      return list ? { kind: 'list', id: listEntryId(list, reason.ref) } : undefined;
    }
    default:
      return undefined;
  }
}

/** The cause ledger's name of an entry's blocks (cause-ledger.ts causeOf). */
function causeOfEntry(entry: EntryRef): string | undefined {
  switch (entry.kind) {
    case 'indicator':
      return `indicator:${entry.id}`;
    case 'brand':
      return `floor:${entry.id}`;
    case 'rule':
      return `rule:${entry.id}`;
    case 'text':
      return `text:${entry.id}`;
    case 'image':
      return `image:${entry.id}`;
    case 'list': {
      const slash = entry.id.indexOf('/');
      const field = FIELD_OF_LIST[entry.id.slice(0, slash) as ListKind];
      return field ? `list:${field}:${entry.id.slice(slash + 1)}` : undefined;
    }
  }
}

export class EnforcedFigures {
  private readonly figures: HourlyEntryFigures;

  constructor(
    redis: Redis,
    keys: RedisKeys,
    private readonly causes: Pick<CauseLedger, 'counts'>,
    log: GateLog,
  ) {
    this.figures = new HourlyEntryFigures(
      redis,
      { hits: (hour) => keys.entryHits(hour), samples: (entry) => keys.entrySamples(entry), sampled: keys.entriesSampled },
      'entry figures',
      log,
    );
  }

  /** Counts one answered check against every entry its reasons name. */
  count(reasons: readonly Reason[], listingId: string, verdict: Verdict, at = Date.now()): void {
    if (reasons.length === 0) return;
    const entries = new Set<string>();
    for (const reason of reasons) {
      const entry = entryOfReason(reason);
      if (entry) entries.add(entryKey(entry));
    }
    if (entries.size > 0) this.figures.count([...entries], [`verdict:${verdict}`], listingId, at);
  }

  flush(): Promise<void> {
    return this.figures.flush();
  }

  /** Takes erased listings out of the entries' samples. */
  erase(listingIds: readonly string[]): Promise<number> {
    return this.figures.erase(listingIds);
  }

  close(): Promise<void> {
    return this.figures.close();
  }

  /**
   * Entries counted over the week that the pack does not list: a live pack's
   * lists and banks are seeded into Redis and left out of it (admins and
   * reviewers add more there), so their entries are found by their figures.
   */
  async countedEntries(now = Date.now()): Promise<EntryRef[]> {
    return [...(await this.figures.countedEntries(now))].map(entryOfKey);
  }

  async figuresOf(entries: readonly EntryRef[], now = Date.now()): Promise<Map<string, EnforcedEntryFigures>> {
    const causes = entries.map(causeOfEntry);
    const [read, counts] = await Promise.all([
      this.figures.read(entries.map(entryKey), now),
      this.causes.counts(causes.filter((c): c is string => c !== undefined)),
    ]);
    return new Map(
      entries.map((entry, i) => {
        const f = read.get(entryKey(entry));
        const cause = causes[i];
        const { blocks, overturned } = (cause !== undefined && counts.get(cause)) || { blocks: 0, overturned: 0 };
        const judged = Math.max(blocks, overturned);
        return [
          entryKey(entry),
          {
            hits: f?.hits ?? { hour: 0, day: 0, week: 0 },
            verdicts: { allow: f?.week['verdict:allow'] ?? 0, review: f?.week['verdict:review'] ?? 0, block: f?.week['verdict:block'] ?? 0 },
            blocks: judged,
            overturned,
            overturnedShare: judged === 0 ? 0 : overturned / judged,
            hourly: f?.hourly ?? [],
            samples: f?.samples ?? [],
          },
        ];
      }),
    );
  }
}
