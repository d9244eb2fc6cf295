// One batch of a re-check job read from its source: the entries after a cursor,
// decoded, those the job's change cannot move left out, and the matching of the
// others started on the re-check pool. The runner reads the next batch this way
// while it decides and emits the current one (issue 25: the pool's threads sat
// idle while a batch was read, decoded, decided and emitted one step after another).
import type { CheckRequest } from '../gate/check-request.js';
import { readIntakeEntry } from '../intake/intake-entry.js';
import type { RecheckDecider, StartedMatching } from './recheck-decider.js';
import type { ScopeFilter } from './recheck-scope.js';
import type { RecheckRecord, RecheckStore, SourceEntry } from './recheck-store.js';

export interface RecheckBatchRead {
  /** The cursor the batch was read after. */
  from: string;
  /** Its last entry's id (`from` for an empty batch): the cursor once it is emitted. */
  last: string;
  entries: number;
  /** The source holds nothing more for the job after this batch. */
  finished: boolean;
  /** Listings in the job's scope, in entry order. */
  valid: Array<{ entryId: string; request: CheckRequest }>;
  /** The records of entries that are not a listing. */
  invalid: RecheckRecord[];
  outOfScope: number;
  /** The valid listings' matching; undefined when there are none. */
  matching: StartedMatching | undefined;
}

export interface RecheckBatchSource {
  store: RecheckStore;
  decider: RecheckDecider;
  source: string;
  endId: string;
  batch: number;
  filter: ScopeFilter;
  /** Largest listing an entry may hold (GATE_MAX_BODY_BYTES). */
  maxListingBytes: number;
}

export async function readRecheckBatch(from: string, parts: RecheckBatchSource): Promise<RecheckBatchRead> {
  const entries = await parts.store.read(parts.source, from, parts.endId, parts.batch);
  const last = entries.length > 0 ? (entries[entries.length - 1] as SourceEntry)[0].toString() : from;
  const read: RecheckBatchRead = {
    from,
    last,
    entries: entries.length,
    finished: entries.length < parts.batch || last === parts.endId,
    valid: [],
    invalid: [],
    outOfScope: 0,
    matching: undefined,
  };
  for (const [rawId, fields] of entries) {
    const entryId = rawId.toString();
    const entry = readIntakeEntry(fields, parts.maxListingBytes);
    if (entry.ok) {
      if (parts.filter.mayAffect(entry.request)) read.valid.push({ entryId, request: entry.request });
      else read.outOfScope++;
    } else {
      read.invalid.push({
        entryId,
        listingId: entry.listingId,
        previous: '',
        verdict: '',
        changed: false,
        payload: JSON.stringify(entry.error.toBody().error),
      });
    }
  }
  if (read.valid.length > 0) read.matching = parts.decider.startMatching(read.valid.map((v) => v.request));
  return read;
}
