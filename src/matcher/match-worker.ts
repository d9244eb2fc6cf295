// A piscina worker: loads the live pack's database (shared with the other
// workers by the addon, with a scratch of its own) and matches batches of listings.
import { rulesEngine, type NativeDatabase } from '../native/rules-engine.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { findTextHits } from './find-text-hits.js';
import type { MatchTask, MatchTaskResult } from './match-task.js';

interface Loaded {
  key: string;
  db: NativeDatabase;
}

// Two slots: during a swap, tasks for the old and the new pack can interleave.
const loaded: Loaded[] = [];

prepareNormalizer(); // build the normalization tables when the worker starts, not on its first request

function databaseFor(task: MatchTask): NativeDatabase {
  const found = loaded.find((l) => l.key === task.packKey);
  if (found) return found.db;
  const db = rulesEngine.deserialize(task.databaseBytes);
  loaded.unshift({ key: task.packKey, db });
  while (loaded.length > 2) loaded.pop()?.db.close();
  return db;
}

export default function match(task: MatchTask): MatchTaskResult {
  const db = databaseFor(task);
  return task.listings.map((fields) => findTextHits(db, task.meta, fields));
}
