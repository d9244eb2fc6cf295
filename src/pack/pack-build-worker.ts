// A thread of its own that turns pack JSON into a compiled pack: parsing,
// validation, pattern planning (which normalizes every term) and Hyperscan
// compilation together take seconds for a large pack, and none of it may run on
// the event loop that answers checks.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { packBuildRedis, redisDatabaseCache, type DatabaseCacheConfig } from './database-cache.js';
import { seedPackEntries } from './seed-pack-entries.js';
import { redisKeys } from '../redis/redis-keys.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { compilePack } from './compile-pack.js';
import { PackInvalidError } from './pack-invalid-error.js';
import { validatePack } from './validate-pack.js';
import type { PackBuildReply, PackBuildRequest } from './pack-build-messages.js';

// Serving comes first: on Linux a thread has its own nice value, and this one
// (parsing, validating and compiling a pack for up to a minute) yields the CPU to
// the event loop and the matching threads.
try {
  setPriority(19);
} catch {
  // not permitted here: builds run at normal priority
}
prepareNormalizer();
const cacheConfig = (workerData as { cache?: DatabaseCacheConfig } | undefined)?.cache;
const redis = cacheConfig ? await packBuildRedis(cacheConfig) : undefined;
const cache = redis && cacheConfig ? redisDatabaseCache(redis, cacheConfig, (message) => console.error(message)) : undefined;

async function build(request: PackBuildRequest): Promise<PackBuildReply> {
  let raw: unknown;
  try {
    raw = JSON.parse(request.json) as unknown;
  } catch (error) {
    return { id: request.id, kind: 'invalid', issues: [{ path: '', message: `the pack is not valid JSON: ${(error as Error).message}` }] };
  }
  const validation = validatePack(raw);
  if (!validation.ok) return { id: request.id, kind: 'invalid', issues: validation.issues };
  const own = new Set(validation.pack.brands.map((b) => b.id));
  // A registered brand never replaces one of the pack's own: the admin's pack wins on an id clash.
  for (const brand of request.extraBrands ?? []) if (!own.has(brand.id)) validation.pack.brands.push(brand);
  try {
    const compiled = await compilePack(validation.pack, cache, true);
    if (!redis || !cacheConfig) return { id: request.id, kind: 'compiled', compiled };
    const seeded = request.seed ? await seedPackEntries(redis, redisKeys(cacheConfig.prefix), compiled.pack) : { lists: 0, images: 0, texts: 0 };
    // Seeded here, so the lists and banks need not cross to the event loop.
    const pack = { ...compiled.pack, lists: { sellers: [], shops: [], phones: [], devices: [], paymentAccounts: [] }, fingerprints: { texts: [], images: [] } };
    return { id: request.id, kind: 'compiled', compiled: { ...compiled, pack }, seeded };
  } catch (error) {
    if (error instanceof PackInvalidError) return { id: request.id, kind: 'invalid', issues: error.issues };
    return { id: request.id, kind: 'failed', message: (error as Error).message };
  }
}

parentPort?.on('message', (request: PackBuildRequest) => {
  build(request).then(
    (reply) => parentPort?.postMessage(reply),
    (error: unknown) => parentPort?.postMessage({ id: request.id, kind: 'failed', message: (error as Error).message } satisfies PackBuildReply),
  );
});
