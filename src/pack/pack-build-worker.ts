// A thread of its own that turns an uploaded pack into a compiled pack: decoding,
// validation, pattern planning (which normalizes every term) and Hyperscan
// compilation together take seconds for a large pack, and none of it may run on
// the event loop that answers checks.
import { parentPort, workerData } from 'node:worker_threads';
import { collectAfterReply, collectNow } from '../config/collect-thread-garbage.js';
import { packBuildRedis, redisDatabaseCache, type DatabaseCacheConfig } from './database-cache.js';
import { seedPackEntries } from './seed-pack-entries.js';
import { redisKeys } from '../redis/redis-keys.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { compilePack } from './compile-pack.js';
import { rulesEngine, type NativeDatabase } from '../native/rules-engine.js';
import { PackInvalidError } from './pack-invalid-error.js';
import { validatePack } from './validate-pack.js';
import { withoutSeededEntries, type PolicyPack } from './policy-pack.js';
import type { PackBuildReply, PackBuildRequest } from './pack-build-messages.js';
import { decodePackSource, PackUnreadableError } from './pack-source.js';
import { encodeBrandSlices } from './brand-slices.js';
import { lowerThreadPriority } from '../config/lower-thread-priority.js';

// Parsing, validating and compiling a pack takes up to a minute, and no one waits for it.
lowerThreadPriority(19);
prepareNormalizer();
const cacheConfig = (workerData as { cache: DatabaseCacheConfig }).cache;
const redis = await packBuildRedis(cacheConfig);
const cache = redisDatabaseCache(redis, cacheConfig, (message) => console.error(message));

/**
 * The database of the latest build, loaded here and held until the next build:
 * the matching threads then find it already loaded (the addon shares one copy per
 * process) instead of each pausing to load it when the pack goes live.
 */
let held: NativeDatabase | undefined;

/**
 * The pack as validated, or the reply that refuses it. A function of its own, so that
 * the parsed JSON (a second copy of every list entry and banked fingerprint: the
 * validated pack is built anew) is garbage before the compilation, not held through it.
 */
function readPack(request: PackBuildRequest): { pack: PolicyPack } | { refusal: PackBuildReply } {
  let raw: unknown;
  try {
    raw = decodePackSource(request.source);
  } catch (error) {
    if (error instanceof PackUnreadableError) return { refusal: { id: request.id, kind: 'unreadable', code: error.code, message: error.message } };
    throw error;
  }
  const validation = validatePack(raw);
  if (!validation.ok) return { refusal: { id: request.id, kind: 'invalid', issues: validation.issues } };
  return { pack: validation.pack };
}

async function build(request: PackBuildRequest): Promise<{ reply: PackBuildReply; transfer: ArrayBuffer[] }> {
  const only = (reply: PackBuildReply) => ({ reply, transfer: [] });
  const read = readPack(request);
  if ('refusal' in read) return only(read.refusal);
  const { pack: validated } = read;
  collectNow(); // Hyperscan's compiler allocates outside the JS heap, which would not collect the parsed JSON meanwhile
  const own = new Set(validated.brands.map((b) => b.id));
  // A registered brand never replaces one of the pack's own: the admin's pack wins on an id clash.
  for (const brand of request.extraBrands ?? []) if (!own.has(brand.id)) validated.brands.push(brand);
  try {
    const compiled = await compilePack(validated, cache, true);
    const loaded = rulesEngine.deserialize(compiled.databaseBytes, compiled.key);
    held?.close();
    held = loaded;
    // Seeded here, so that the lists and banks need not cross to the event loop.
    const seeded = request.seed ? await seedPackEntries(redis, redisKeys(cacheConfig.prefix), compiled.pack) : undefined;
    const { brands, ...rest } = compiled.pack;
    // The entries are (or, for a registry rebuild, already were) written to Redis.
    const pack = withoutSeededEntries(rest);
    const brandSlices = encodeBrandSlices(brands);
    const reply: PackBuildReply = { id: request.id, kind: 'compiled', compiled: { ...compiled, pack }, brandSlices };
    if (seeded) reply.seeded = seeded;
    return { reply, transfer: brandSlices.map((slice) => slice.buffer as ArrayBuffer) };
  } catch (error) {
    if (error instanceof PackInvalidError) return only({ id: request.id, kind: 'invalid', issues: error.issues });
    return only({ id: request.id, kind: 'failed', message: (error as Error).message });
  }
}

parentPort?.on('message', (request: PackBuildRequest) => {
  build(request).then(
    ({ reply, transfer }) => {
      parentPort?.postMessage(reply, transfer);
      collectAfterReply(); // the parsed pack is garbage now; the held database stays
    },
    (error: unknown) => parentPort?.postMessage({ id: request.id, kind: 'failed', message: (error as Error).message } satisfies PackBuildReply),
  );
});
