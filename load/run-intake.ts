// npm run load:intake: checks per second of one gate instance through the Redis
// Streams intake (GATE_INTAKE_STREAM) against keep-alive POST /v1/check, in the
// same run, on the same gate process (issue 25 target: intake >= 2x HTTP). The
// HTTP client (autocannon) shares the machine with the gate; the intake's producer
// adds its entries before they are timed.
//   HTTP: autocannon, 10 keep-alive connections, as fast as they go, the corpus's
//         listings in turn; checks/s = 2xx answers / seconds.
//   intake: LOAD_INTAKE_ENTRIES entries (the same listings in turn) added at once;
//         checks/s = verdicts between 10% and 90% of them / the time between.
// The rounds alternate (HTTP, intake, HTTP, intake...), LOAD_ROUNDS (2) of each;
// the median of each is compared. Listings: /work/shared/corpus/dev.jsonl (LOAD_CORPUS),
// pack /work/shared/packs/dev-pack.json (LOAD_INTAKE_PACK); without the corpus the
// run is skipped with a message.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { repoPath } from '../src/config/repo-root.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { intakeKeys } from '../src/redis/redis-keys.js';
import { startProcess, stopProcess } from './child-process.js';

const CORPUS = process.env.LOAD_CORPUS ?? '/work/shared/corpus/dev.jsonl';
const PACK = process.env.LOAD_INTAKE_PACK ?? '/work/shared/packs/dev-pack.json';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const ENTRIES = Number(process.env.LOAD_INTAKE_ENTRIES ?? 60_000);
const ROUNDS = Number(process.env.LOAD_ROUNDS ?? 2);
const STREAM = 'gate:{intake}';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function httpRound(url: string, bodies: readonly string[]): Promise<number> {
  let next = 0;
  const result = await autocannon({
    url: `${url}/v1/check`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-deadline-ms': '1000' },
    connections: 10,
    duration: SECONDS,
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] ?? '' }) }],
  });
  return result['2xx'] / SECONDS;
}

async function intakeRound(redis: Redis, bodies: readonly string[], round: number): Promise<number> {
  const verdicts = intakeKeys(STREAM).verdicts;
  const before = await redis.xlen(verdicts);
  for (let i = 0; i < ENTRIES; i += 1000) {
    const pipeline = redis.pipeline();
    for (let j = i; j < Math.min(ENTRIES, i + 1000); j++) pipeline.xadd(STREAM, '*', 'listing', bodies[j % bodies.length] ?? '');
    await pipeline.exec();
  }
  const low = before + Math.round(ENTRIES * 0.1);
  const high = before + Math.round(ENTRIES * 0.9);
  let lowAt = 0;
  const until = Date.now() + 300_000;
  for (;;) {
    const done = await redis.xlen(verdicts);
    if (lowAt === 0 && done >= low) lowAt = performance.now();
    if (done >= high) {
      const rate = (high - low) / ((performance.now() - lowAt) / 1000);
      // The rest drained before the next HTTP round, which would otherwise share the gate with it.
      while ((await redis.xlen(verdicts)) < before + ENTRIES && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return rate;
    }
    if (Date.now() > until) throw new Error(`intake round ${round}: ${done - before} of ${ENTRIES} verdicts after 300 s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  if (!existsSync(CORPUS)) {
    console.log(`load:intake skipped: no corpus at ${CORPUS} (set LOAD_CORPUS to a JSONL file of {"listing": {...}} lines)`);
    return;
  }
  const listings = readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { listing: unknown }).listing);
  const bodies = listings.map((listing) => JSON.stringify(listing));
  const dir = mkdtempSync(join(tmpdir(), 'load-intake-'));
  // The producer's own user: the gate's may not run XLEN.
  const password = randomBytes(16).toString('hex');
  const embedded = new EmbeddedRedis({
    dataDir: join(dir, 'redis'),
    keyPrefix: 'gate:',
    extraUsers: [{ name: 'producer', password: `#${createHash('sha256').update(password).digest('hex')}`, rules: ['~gate:{intake}*', '+@all'] }],
  });
  await embedded.start();
  const redis = new Redis(`redis://producer:${password}@127.0.0.1:${embedded.port}`);
  const port = await freePort();
  const gate = await startProcess(
    repoPath('dist', 'src', 'main.js'),
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: embedded.url,
      GATE_DATA_DIR: join(dir, 'gate'),
      GATE_INTAKE_STREAM: STREAM,
      ...(existsSync(PACK) ? { GATE_PACK: PACK } : {}),
    },
    /reading intake stream/,
    60_000,
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    const http: number[] = [];
    const intake: number[] = [];
    await httpRound(url, bodies.slice(0, 200)); // warm-up, not counted
    for (let round = 1; round <= ROUNDS; round++) {
      http.push(await httpRound(url, bodies));
      console.log(`round ${round}: HTTP ${Math.round(http.at(-1) ?? 0)} checks/s`);
      intake.push(await intakeRound(redis, bodies, round));
      console.log(`round ${round}: intake ${Math.round(intake.at(-1) ?? 0)} checks/s`);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const outcomes = metrics.split('\n').filter((line) => line.startsWith('gate_intake_entries_total{'));
    const h = median(http);
    const s = median(intake);
    console.log(
      `\nlistings: ${CORPUS} (${listings.length}), pack: ${existsSync(PACK) ? PACK : 'demo'}, ${ROUNDS} rounds of ${SECONDS} s HTTP (10 keep-alive connections) and ${ENTRIES} intake entries, one gate (default threads)`,
    );
    console.log(`HTTP   POST /v1/check: ${Math.round(h)} checks/s (median; rounds ${http.map(Math.round).join(', ')})`);
    console.log(`intake stream:        ${Math.round(s)} checks/s (median; rounds ${intake.map(Math.round).join(', ')})`);
    console.log(`intake / HTTP: ${(s / h).toFixed(2)}x (target >= 2x)`);
    console.log(outcomes.join('\n'));
  } finally {
    await stopProcess(gate);
    redis.disconnect();
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
