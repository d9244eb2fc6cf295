// What one Redis round trip costs the event loop that makes it: the reason the
// gate's bookkeeping gathers a check's writes with others' (write-behind.ts)
// instead of one call each. A small script call against an embedded Redis (AOF,
// appendfsync always, as the gate's own), this process's CPU (process.cpuUsage)
// per call: back to back, and paced as a write-behind's calls are (one every few
// milliseconds, the loop asleep between), less the same run of bare timers, the
// comparator.
import { startBenchRedis } from './bench-redis.js';

const CALLS = 1_000;
const PACE_MS = 2;
const ROUNDS = 3;
const SCRIPT = "for i = 1, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end return 1";

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function cpuMicros(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return used.user + used.system;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function runRedisRoundTripBench(): Promise<void> {
  const bench = await startBenchRedis('round-trip');
  const { redis } = bench;
  try {
    const sha = (await redis.script('LOAD', SCRIPT)) as string;
    const rows: string[] = [];
    for (const increments of [1, 40]) {
      const args = Array.from({ length: increments }, (_, i) => [`field-${i}`, 1]).flat();
      const call = (): Promise<unknown> => redis.evalsha(sha, 1, 'bench:counters', ...args);
      for (let i = 0; i < CALLS; i++) await call(); // warm-up
      const backToBack: number[] = [];
      const paced: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        let since = process.cpuUsage();
        for (let i = 0; i < CALLS; i++) await call();
        backToBack.push(cpuMicros(since) / CALLS);
        since = process.cpuUsage();
        for (let i = 0; i < CALLS; i++) {
          await call();
          await sleep(PACE_MS);
        }
        const withCalls = cpuMicros(since);
        since = process.cpuUsage();
        for (let i = 0; i < CALLS; i++) await sleep(PACE_MS);
        paced.push((withCalls - cpuMicros(since)) / CALLS);
      }
      rows.push(`| ${increments} | ${median(backToBack).toFixed(1)} | ${median(paced).toFixed(1)} |`);
    }
    console.log(`\n## a Redis round trip's CPU on the calling event loop (a script call, median of ${ROUNDS} rounds of ${CALLS} calls)\n`);
    console.log(`| increments a call | back to back, µs a call | one every ${PACE_MS} ms, µs a call (bare timers subtracted) |`);
    console.log('|---:|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    await bench.stop();
  }
}
