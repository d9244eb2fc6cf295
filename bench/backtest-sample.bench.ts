// What keeping the backtest sample adds to a check (issue 26 point 3).
// 1. A check thread's batch of 40 allowed checks as it goes to the event loop
//    (thread-allows.ts) and is read there, against the same with the listings
//    packed by the thread (at the batch's flush), cloned along, and gathered on
//    the event loop for the sample's write (a WriteBehind, as backtest-sample.ts).
// 2. The sample's writes themselves, against an embedded Redis (AOF, appendfsync
//    always): the event loop's CPU (process.cpuUsage) and Redis's (INFO cpu) per
//    listing, in batches of 250 (250 ms of 1,000 checks a second).
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { report } from './bench-report.js';
import { startBenchRedis } from './bench-redis.js';
import { BacktestSample } from '../src/backtest/backtest-sample.js';
import { forEachThreadAllow, pushThreadAllow } from '../src/check-thread/thread-allows.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { WriteBehind } from '../src/redis/write-behind.js';
import { packAllowRecordAt } from '../src/review/allow-record.js';
import { packStoredListing } from '../src/review/stored-listing.js';
import { silentLog } from '../src/observability/gate-logger.js';

const BATCH = 40;
const CORPUS = '/work/shared/corpus/dev.jsonl';
const WRITE_BATCH = 250;
const WRITES = 10_000;
/** Rounds of each kind, alternating; the median is reported. */
const ROUNDS = 5;

function corpus(): CheckRequest[] {
  try {
    return readFileSync(CORPUS, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => (JSON.parse(line) as { listing: CheckRequest }).listing);
  } catch {
    return [
      {
        listingId: 'B1',
        sellerId: 's-bench',
        title: '2024新款女装韩版宽松显瘦连衣裙中长款气质法式桔梗裙子夏季',
        description: 'Soft cotton, machine washable',
        category: 'general',
        price: { amount: 99, currency: 'CNY' },
        attributes: { shipFrom: 'CN' },
      },
    ];
  }
}

function handOver(requests: readonly CheckRequest[], sampled: boolean, gathered: WriteBehind<string>): number {
  const allows: string[] = [];
  const kept: CheckRequest[] = [];
  for (const request of requests) {
    pushThreadAllow(allows, {
      listingId: request.listingId,
      sellerId: request.sellerId,
      packedRecord: packAllowRecordAt(Date.now(), 'ck_0f8fad5b-d9cb-469f-a165-70867728950e', [], 'dev-1', request.sellerId),
      ringNodes: [],
      region: request.attributes?.shipFrom ?? '',
      tookMicros: 41,
      matchMicros: 12,
      late: false,
    });
    if (sampled) kept.push(request);
  }
  const samples: string[] = [];
  for (const request of kept) samples.push(request.listingId, packStoredListing(request));
  const message = structuredClone({ type: 'outcomes', allows, samples });
  let read = 0;
  forEachThreadAllow(message.allows, () => read++);
  for (let at = 0; at + 1 < message.samples.length; at += 2) gathered.add(message.samples[at] as string, message.samples[at + 1] as string);
  return read;
}

interface WriteCost {
  /** The event loop's CPU a listing: gathered and written, and packed too (a check it finished itself). */
  packedMicros: number;
  ownMicros: number;
  redisMicros: number;
  bytes: number;
}

async function writeCost(listings: readonly CheckRequest[]): Promise<WriteCost> {
  // A user of its own for MEMORY USAGE, which the gate's may not run.
  const bench = await startBenchRedis('sample');
  const { redis } = bench;
  const key = redisKeys('bench:').backtestSample;
  // Every listing drawn: the bench times the writes, not the share.
  const sample = new BacktestSample(redis, { key, size: 100_000, maxAgeMs: 30 * 86_400_000, perSecond: 1_000_000, log: silentLog });
  const redisCpu = async (): Promise<number> => {
    const info = await redis.info('cpu');
    return ['used_cpu_sys', 'used_cpu_user'].reduce((sum, field) => sum + Number(new RegExp(`^${field}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0), 0);
  };
  // Each listing with an id of its own, made before the clock starts.
  const requests = Array.from({ length: 2 * ROUNDS * WRITES + 2_000 }, (_, j) => ({ ...(listings[j % listings.length] as CheckRequest), listingId: `L-${j}` }));
  const packed = requests.flatMap((request) => [request.listingId, packStoredListing(request)]);
  try {
    /** CPU µs a listing of the event loop, and of Redis. */
    const write = async (from: number, count: number, own: boolean): Promise<[number, number]> => {
      const redisBefore = await redisCpu();
      const before = process.cpuUsage();
      for (let i = from; i < from + count; i += WRITE_BATCH) {
        if (own) for (let j = i; j < i + WRITE_BATCH; j++) sample.add(requests[j] as CheckRequest);
        else sample.addPacked(packed.slice(2 * i, 2 * (i + WRITE_BATCH)), WRITE_BATCH);
        await sample.flush();
      }
      const used = process.cpuUsage(before);
      return [(used.user + used.system) / count, (((await redisCpu()) - redisBefore) * 1e6) / count];
    };
    await write(0, 2_000, true); // warm-up: the script loaded, the stream made
    const packedRounds: Array<[number, number]> = [];
    const ownRounds: Array<[number, number]> = [];
    for (let round = 0; round < ROUNDS; round++) {
      packedRounds.push(await write(2_000 + 2 * round * WRITES, WRITES, false));
      ownRounds.push(await write(2_000 + (2 * round + 1) * WRITES, WRITES, true));
    }
    const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
    const bytes = Number(await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) / (await redis.xlen(key));
    return {
      packedMicros: median(packedRounds.map(([loop]) => loop)),
      ownMicros: median(ownRounds.map(([loop]) => loop)),
      redisMicros: median([...packedRounds, ...ownRounds].map(([, redisCpu]) => redisCpu)),
      bytes,
    };
  } finally {
    await sample.close();
    await bench.stop();
  }
}

export async function runBacktestSampleBench(): Promise<void> {
  const listings = corpus();
  const batches = Array.from({ length: 50 }, (_, b) => Array.from({ length: BATCH }, (_, i) => listings[(b * BATCH + i) % listings.length] as CheckRequest));
  const gathered = new WriteBehind<string>({
    name: 'bench',
    delayMs: 100,
    retry: false,
    merge: (_older, newer) => newer,
    write: async () => undefined,
    log: silentLog,
  });
  let round = 0;
  const bench = new Bench({ time: 1000 });
  bench
    .add(`thread allows, ${BATCH} a batch: pack, clone, read`, () => handOver(batches[round++ % batches.length] ?? [], false, gathered))
    .add(`the same with the sample: listings packed, cloned, gathered`, () => handOver(batches[round++ % batches.length] ?? [], true, gathered));
  await bench.run();
  report('handing a batch of allowed checks to the event loop, without and with the backtest sample', bench, { label: 'check', perOp: BATCH });
  const cost = await writeCost(listings);
  console.log(
    `\n## writing the backtest sample (batches of ${WRITE_BATCH}, median of ${ROUNDS} rounds of ${WRITES} listings each way, embedded Redis with appendfsync always)\n`,
  );
  console.log(`| event loop CPU µs/listing, packed by a check thread | the same, packed on the event loop | Redis CPU µs/listing | bytes in Redis/listing |`);
  console.log('|---:|---:|---:|---:|');
  console.log(`| ${cost.packedMicros.toFixed(2)} | ${cost.ownMicros.toFixed(2)} | ${cost.redisMicros.toFixed(2)} | ${cost.bytes.toFixed(0)} |`);
}
