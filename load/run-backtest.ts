// npm run load:backtest: how fast a backtest replays a full sample (issue 26
// point 3 target: 100,000 listings in <= 30 s), alone and under live traffic,
// and the live checks' p99 with and without a backtest running. One gate process
// (default threads: check threads for live checks, the backtest's own thread at
// nice 19), the dev pack, its own Redis.
//   sample: LOAD_BACKTEST_ENTRIES (100,000) listings of the dev corpus, each with
//           an id of its own, written to the sample stream in the gate's format
//           (as its checks would have left them, without making 100,000 checks);
//   candidate: the dev pack with one more enforced indicator;
//   live: POST /v1/check at LOAD_LIVE_RATE (500/s) for LOAD_SECONDS (10), open loop.
// Rounds: the backtest alone, live alone, live with a backtest running.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { repoPath } from '../src/config/repo-root.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { packStoredListing } from '../src/review/stored-listing.js';
import { startProcess, stopProcess } from './child-process.js';
import { latencyQuantile, runOpenLoop, type OpenLoopResult } from './open-loop-load.js';

const CORPUS = process.env.LOAD_CORPUS ?? '/work/shared/corpus/dev.jsonl';
const PACK = process.env.LOAD_PACK ?? '/work/shared/packs/dev-pack.json';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const LIVE_RATE = Number(process.env.LOAD_LIVE_RATE ?? 500);
const ENTRIES = Number(process.env.LOAD_BACKTEST_ENTRIES ?? 100_000);
const ADMIN_TOKEN = randomBytes(18).toString('base64url');

interface BacktestAnswer {
  sample: number;
  changed: number;
  replayMillis: number;
  listingsPerSecond: number;
  startMillis: number;
  tookMillis: number;
}

async function backtest(url: string, candidate: string): Promise<BacktestAnswer> {
  const response = await fetch(`${url}/v1/admin/pack/backtest`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: candidate,
  });
  const body = (await response.json()) as BacktestAnswer;
  if (response.status !== 200) throw new Error(`the backtest answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

function describe(result: OpenLoopResult): string {
  const ok = result.answers.filter((a) => a.status === 200);
  const ms = (q: number): string => latencyQuantile(ok, q).toFixed(2);
  return `${ok.length} of ${result.answers.length} answered 200 in ${result.elapsedSeconds.toFixed(1)} s; p50 ${ms(0.5)} ms, p99 ${ms(0.99)} ms, p99.9 ${ms(0.999)} ms`;
}

const describeBacktest = (b: BacktestAnswer): string =>
  `${b.sample} listings in ${(b.replayMillis / 1000).toFixed(1)} s: ${b.listingsPerSecond} a second (${b.changed} changed; thread start ${b.startMillis} ms, ${(b.tookMillis / 1000).toFixed(1)} s with the candidate's build)`;

async function main(): Promise<void> {
  const listings = readFileSync(CORPUS, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { listing: CheckRequest }).listing);
  const bodies = listings.map((listing) => JSON.stringify(listing));
  const pack = JSON.parse(readFileSync(PACK, 'utf8')) as { packVersion: string; indicators: unknown[]; thresholds: { block: number } };
  const candidate = JSON.stringify({
    ...pack,
    packVersion: `${pack.packVersion}-candidate`,
    indicators: [...pack.indicators, { term: '包邮', score: pack.thresholds.block, withBrand: pack.thresholds.block }],
  });
  const dir = mkdtempSync(join(tmpdir(), 'load-backtest-'));
  const password = randomBytes(16).toString('hex');
  const embedded = new EmbeddedRedis({
    dataDir: join(dir, 'redis'),
    keyPrefix: 'gate:',
    extraUsers: [{ name: 'producer', password: `#${createHash('sha256').update(password).digest('hex')}`, rules: ['~gate:{backtest}*', '+@all'] }],
  });
  await embedded.start();
  const redis = new Redis(`redis://producer:${password}@127.0.0.1:${embedded.port}`);
  const port = await freePort();
  const gate = await startProcess(
    repoPath('dist', 'src', 'main.js'),
    { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: embedded.url, GATE_DATA_DIR: join(dir, 'gate'), GATE_ADMIN_TOKEN: ADMIN_TOKEN, GATE_PACK: PACK },
    /listening on/,
    60_000,
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    const live = (): ReturnType<typeof runOpenLoop> =>
      runOpenLoop({ port, path: '/v1/check', rate: LIVE_RATE, seconds: SECONDS, bodies, maxConnections: 64, headers: { 'x-deadline-ms': '1000' } });
    await live().done; // warm-up of the live path
    // Written after the warm-up, whose checks went to the sample too: the sample is these listings.
    const key = redisKeys('gate:').backtestSample;
    await redis.del(key);
    for (let i = 0; i < ENTRIES; i += 1000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(ENTRIES, i + 1000); j++) {
        const listing = listings[j % listings.length] as CheckRequest;
        pipeline.xadd(key, '*', 'id', `${listing.listingId}-${j}`, 'l', packStoredListing(listing));
      }
      await pipeline.exec();
    }
    const bytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0'));
    console.log(`sample: ${ENTRIES} listings, ${bytes} bytes in Redis (${(bytes / ENTRIES).toFixed(0)} a listing)`);

    const alone = await backtest(url, candidate);
    console.log(`backtest alone:      ${describeBacktest(alone)}`);
    const liveAlone = await live().done;
    console.log(`live alone:          ${describe(liveAlone)}`);
    // The thread starts (2-3 s here) before the replay does: live traffic starts with the replay.
    const running = backtest(url, candidate);
    await new Promise((r) => setTimeout(r, alone.startMillis + 500));
    const liveRun = live();
    const withLive = await running;
    liveRun.stop(); // only the time both ran counts for the live p99
    const liveWith = await liveRun.done;
    console.log(`live with backtest:  ${describe(liveWith)}`);
    console.log(`backtest with live:  ${describeBacktest(withLive)}`);
    const p99 = (r: OpenLoopResult): number =>
      latencyQuantile(
        r.answers.filter((a) => a.status === 200),
        0.99,
      );
    console.log(`\n${ENTRIES} listings of ${CORPUS} (${listings.length}), ${PACK}; live ${LIVE_RATE}/s`);
    console.log(`backtest: ${alone.listingsPerSecond} listings/s alone, ${withLive.listingsPerSecond} with live traffic (target: 100,000 in <= 30 s, 3,334/s)`);
    console.log(`live p99: ${p99(liveAlone).toFixed(2)} ms alone, ${p99(liveWith).toFixed(2)} ms with the backtest`);
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
