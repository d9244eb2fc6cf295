// A thread of its own that holds every fingerprint bank and builds the indexes
// the matching workers search: reading a million entries from Redis and indexing
// them takes seconds, and none of it may run on the event loop that answers
// checks. Requests are taken one at a time, in order, so a change announced while
// a reload reads Redis is applied after it, never lost under it.
import { parentPort, workerData } from 'node:worker_threads';
import { collectAfterReply } from '../config/collect-thread-garbage.js';
import { lowerThreadPriority } from '../config/lower-thread-priority.js';
import { connectRedis, useRedisTls } from '../redis/connect-redis.js';
import { redisKeys } from '../redis/redis-keys.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { createGateLogger } from '../observability/gate-logger.js';
import { FINGERPRINT_KINDS } from './fingerprint-kind.js';
import { BankState } from './bank-state.js';
import type { BankBuildConfig, BankBuildReply, BankBuildRequest } from './bank-build-messages.js';

/** Entries read per Redis command when a whole bank is read. */
const SCAN_CHUNK = 10_000;
/** Changes that arrive together are indexed together, this long after the first. */
const REBUILD_DELAY_MS = 10;

const config = workerData as BankBuildConfig;
// Below the serving threads, but not far: a change must still be live within a second
// on a busy machine.
lowerThreadPriority(5);
prepareNormalizer();
useRedisTls(config.tls);
// A connection of its own, with a long timeout: HSCAN of a million entries is many commands.
const redis = await connectRedis(config.redisUrl, 'gate-bank-build', { enableOfflineQueue: true, commandTimeout: 60_000 });
const keys = redisKeys(config.prefix);
const log = createGateLogger({ name: 'gate' }).child({ worker: 'bank-build' });
const state = new BankState(log, config.lastVersion);
let queue: Promise<void> = Promise.resolve();

function replyWithSnapshot(message: Extract<BankBuildReply, { kind: 'built' | 'rebuilt' }>): void {
  reply(message);
  collectAfterReply();
}
let rebuildTimer: NodeJS.Timeout | undefined;

function reply(message: BankBuildReply): void {
  parentPort?.postMessage(message);
}

async function reload(): Promise<void> {
  for (const kind of FINGERPRINT_KINDS) {
    // HSCAN in chunks: HGETALL of a million entries is one reply Redis takes seconds to build.
    const values = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, flat] = await redis.hscan(keys.fingerprints(kind), cursor, 'COUNT', SCAN_CHUNK);
      for (let i = 0; i + 1 < flat.length; i += 2) values.set(flat[i] ?? '', flat[i + 1] ?? '');
      cursor = next;
    } while (cursor !== '0');
    state.replace(kind, values);
  }
}

async function handle(request: BankBuildRequest): Promise<void> {
  if (request.kind === 'reload') {
    clearTimeout(rebuildTimer);
    rebuildTimer = undefined;
    await reload();
    replyWithSnapshot({ id: request.id, kind: 'built', snapshot: state.build() });
  } else if (request.kind === 'apply') {
    for (const change of request.changes) state.apply(change);
    reply({ id: request.id, kind: 'applied', sizes: state.sizes() });
    if (!rebuildTimer) {
      rebuildTimer = setTimeout(() => {
        rebuildTimer = undefined;
        queue = queue
          .then(() => replyWithSnapshot({ id: 0, kind: 'rebuilt', snapshot: state.build() }))
          .catch((error: unknown) => log.error(`fingerprint index rebuild failed: ${(error as Error).message}`));
      }, REBUILD_DELAY_MS);
    }
  } else {
    reply({ id: request.id, kind: 'entries', entries: state.entriesWithPrefix(request.bank, request.prefix) });
  }
}

parentPort?.on('message', (request: BankBuildRequest) => {
  queue = queue.then(() => handle(request)).catch((error: unknown) => reply({ id: request.id, kind: 'failed', message: (error as Error).message }));
});
