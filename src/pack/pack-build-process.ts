// A process of its own that turns an uploaded pack into a compiled pack: decoding,
// validation, pattern planning (which normalizes every term), Hyperscan compilation
// and the seeding of lists and banks take up to a minute for a large pack and
// gigabytes of memory. As a thread of the serving process, its allocations held the
// event loop for tens of milliseconds at a time (the C library's allocator and the
// address space are shared: with MALLOC_ARENA_MAX=2, twice as many slow swap
// intervals as with 64 arenas, load:swap-timeline), and its peak was the serving
// process's peak. Started by pack-builder.ts over an IPC channel; it ends when
// that channel closes.
import { readFileSync, writeFileSync } from 'node:fs';
import { collectAfterReply, collectNow } from '../config/collect-thread-garbage.js';
import { packBuildRedis, redisDatabaseCache, type DatabaseCache, type DatabaseCacheConfig } from './database-cache.js';
import { seedPackEntries, TooManyUnseeded, unseededEntries } from './seed-pack-entries.js';
import { redisKeys } from '../redis/redis-keys.js';
import { prepareNormalizer } from '../normalize/normalize-text.js';
import { compilePack } from './compile-pack.js';
import { PackInvalidError } from './pack-invalid-error.js';
import { validatePack } from './validate-pack.js';
import { withoutSeededEntries, type PolicyPack } from './policy-pack.js';
import type { BuiltSections, PackBuildInit, PackBuildReply, PackBuildRequest } from './pack-build-messages.js';
import { decodePackSource, PackUnreadableError } from './pack-source.js';
import { regexRuleIssues } from './regex-rule-issues.js';
import { encodeBrandSlices } from './brand-slices.js';
import { lowerThreadPriority } from '../config/lower-thread-priority.js';
import { PRIVATE_FILE_MODE } from '../config/private-dir.js';
import type { Redis } from 'ioredis';
import { createGateLogger } from '../observability/gate-logger.js';
import { surviveClosedLogPipe } from '../observability/survive-closed-log-pipe.js';

surviveClosedLogPipe();
/** Its stdout is the gate's (pack-builder.ts forks it with stdio inherited). */
const log = createGateLogger({ name: 'pack-build' });

// Parsing, validating and compiling a pack takes up to a minute, and no one waits for it.
// Threads started from here (libuv's pool) inherit the priority.
lowerThreadPriority(19);
prepareNormalizer();

interface Connected {
  config: DatabaseCacheConfig;
  redis: Redis;
  cache: DatabaseCache;
}

let connected: Promise<Connected> | undefined;

function peakRssBytes(): number {
  const kib = /^VmHWM:\s+(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  return kib === undefined ? 0 : Number(kib) * 1024;
}

/**
 * The pack as validated, or the reply that refuses it. A function of its own, so that
 * the parsed JSON (a second copy of every list entry and banked fingerprint: the
 * validated pack is built anew) is garbage before the compilation, not held through it.
 */
function readPack(request: PackBuildRequest): { pack: PolicyPack } | { refusal: PackBuildReply } {
  let raw: unknown;
  try {
    raw = decodePackSource({ bytes: readFileSync(request.sourcePath), format: request.format });
  } catch (error) {
    if (error instanceof PackUnreadableError) return { refusal: { id: request.id, kind: 'unreadable', code: error.code, message: error.message } };
    throw error;
  }
  const validation = validatePack(raw);
  if (!validation.ok) return { refusal: { id: request.id, kind: 'invalid', issues: [...validation.issues, ...regexRuleIssues(raw)] } };
  return { pack: validation.pack };
}

const bytesOf = (view: ArrayBufferView): Uint8Array => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

async function build(request: PackBuildRequest): Promise<PackBuildReply> {
  if (!connected) throw new Error('the pack-build process was not told where Redis is');
  const { config, redis, cache } = await connected;
  const read = readPack(request);
  if ('refusal' in read) return read.refusal;
  const { pack: validated } = read;
  collectNow(); // Hyperscan's compiler allocates outside the JS heap, which would not collect the parsed JSON meanwhile
  const own = new Set(validated.brands.map((b) => b.id));
  // A registered brand never replaces one of the pack's own: the admin's pack wins on an id clash.
  for (const brand of request.extraBrands ?? []) if (!own.has(brand.id)) validated.brands.push(brand);
  try {
    const compiled = await compilePack(validated, cache, true);
    // Seeded here, so that the lists and banks never reach the serving process.
    const seeded = request.seed ? await seedPackEntries(redis, redisKeys(config.prefix), compiled.pack) : undefined;
    const unseeded =
      request.unseededAtMost === undefined ? undefined : await unseededEntries(redis, redisKeys(config.prefix), compiled.pack, request.unseededAtMost);
    const { brands, ...rest } = compiled.pack;
    const brandSlices = encodeBrandSlices(brands);
    const { databaseBytes, meta, pack: _pack, ...descriptor } = compiled;
    const parts = [
      databaseBytes,
      meta.kinds,
      bytesOf(meta.refs),
      meta.boundaries,
      meta.fieldMasks,
      meta.skeletons,
      bytesOf(meta.skeletonStarts),
      bytesOf(meta.soundFold),
      ...brandSlices,
    ];
    writeFileSync(request.resultPath, Buffer.concat(parts.map((part) => bytesOf(part))), { mode: PRIVATE_FILE_MODE });
    const sections: BuiltSections = {
      database: databaseBytes.byteLength,
      kinds: meta.kinds.byteLength,
      refs: meta.refs.byteLength,
      boundaries: meta.boundaries.byteLength,
      fieldMasks: meta.fieldMasks.byteLength,
      skeletons: meta.skeletons.byteLength,
      skeletonStarts: meta.skeletonStarts.byteLength,
      soundFold: meta.soundFold.byteLength,
      brandSlices: brandSlices.map((slice) => slice.byteLength),
    };
    // The entries are (or, for a registry rebuild, already were) written to Redis.
    const reply: PackBuildReply = {
      id: request.id,
      kind: 'compiled',
      compiled: { ...descriptor, pack: withoutSeededEntries(rest) },
      sections,
      peakRssBytes: peakRssBytes(),
    };
    if (seeded) reply.seeded = seeded;
    if (unseeded) reply.unseeded = unseeded;
    return reply;
  } catch (error) {
    if (error instanceof PackInvalidError) return { id: request.id, kind: 'invalid', issues: error.issues };
    if (error instanceof TooManyUnseeded)
      return { id: request.id, kind: 'invalid', issues: [{ path: 'lists', message: `${error.message}: a backtest judges at most ${error.limit}` }] };
    return { id: request.id, kind: 'failed', message: (error as Error).message };
  }
}

const send = (reply: PackBuildReply): void => void process.send?.(reply);

process.on('message', (message: PackBuildInit | PackBuildRequest) => {
  if (message.kind === 'init') {
    const config = message.cache;
    connected = packBuildRedis(config).then((redis) => ({ config, redis, cache: redisDatabaseCache(redis, config, log) }));
    connected.catch(() => undefined); // reported by the build that needs it
    return;
  }
  build(message).then(
    (reply) => {
      send(reply);
      collectAfterReply(); // the parsed pack is garbage now
    },
    (error: unknown) => send({ id: message.id, kind: 'failed', message: (error as Error).message }),
  );
});
// The serving process is gone (or ended this one's work): nothing is left to build for.
process.on('disconnect', () => process.exit(0));
