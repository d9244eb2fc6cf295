// A piscina worker: loads the live pack's database (shared with the other
// workers by the addon, with a scratch of its own) and the fingerprint indexes
// (shared memory), and matches batches of listings.
import { fingerprintsFromShared, type FingerprintIndexes } from '../fingerprint/fingerprint-indexes.js';
import { rulesEngine, type NativeDatabase } from '../native/rules-engine.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { matchListing } from './match-listing.js';
import type { MatchTask, MatchTaskResult } from './match-task.js';
import { nameThread } from '../config/name-thread.js';
import { runInBackground } from '../config/background-priority.js';
import { workerData } from 'node:worker_threads';
import type { MatchWorkerData } from './match-task.js';

nameThread('gate-match'); // what load:cost counts as a matching thread
const background = (workerData as MatchWorkerData | undefined)?.background;
if (background !== undefined) runInBackground(background);

interface Loaded {
  key: string;
  db: NativeDatabase;
}

// Three slots: during a swap, tasks for the old and the new pack can interleave, and a staged rollout's candidate with them.
const loaded: Loaded[] = [];
let fingerprints: { version: number; indexes: FingerprintIndexes } | undefined;

prepareNormalizer(); // build the normalization tables when the worker starts, not on its first request

function databaseFor(task: MatchTask): NativeDatabase {
  const found = loaded.find((l) => l.key === task.packKey);
  if (found) return found.db;
  const db = rulesEngine.deserialize(task.databaseBytes, task.packKey);
  loaded.unshift({ key: task.packKey, db });
  while (loaded.length > 3) loaded.pop()?.db.close();
  return db;
}

function fingerprintsFor(task: MatchTask): FingerprintIndexes {
  if (fingerprints?.version !== task.fingerprints.version) {
    fingerprints = { version: task.fingerprints.version, indexes: fingerprintsFromShared(task.fingerprints) };
  }
  return fingerprints.indexes;
}

export default function match(task: MatchTask): MatchTaskResult {
  const db = databaseFor(task);
  const indexes = fingerprintsFor(task);
  return task.listings.map((listing) => {
    const from = performance.now();
    const found = matchListing(db, task.meta, indexes, listing);
    found.matchMicros = Math.round((performance.now() - from) * 1000);
    return found;
  });
}
