// npm run load:ab: two gate configurations against each other under the same
// fixed-rate load, in alternating rounds of a few seconds (A B B A A B ...), so
// that the slow drifts of a shared machine (steal time, a neighbour's burst) fall
// on both sides alike. One run of each, minutes apart, is not a comparison here:
// on this 2-core VM the gate's capacity measured 2,500 and 7,630 req/s in two
// overload runs half an hour apart.
//   AB_A / AB_B   the gate's extra environment for each side, `NAME=value` pairs
//                 separated by spaces (default A: nothing, B: nothing); `echo` for
//                 the bare uWS echo server instead of a gate (the machine's floor)
//   AB_A_ROOT / AB_B_ROOT  a checkout (built, with its node_modules) whose gate runs
//                 on that side, to compare two builds (default: this one)
//   AB_RATE       requests per second, open loop (default 2000)
//   AB_SECONDS    counted seconds per round, after a second of warm-up (default 5)
//   AB_ROUNDS     rounds per side (default 6)
//   AB_WARMUP     seconds of load on each side before the first round, not counted
//                 (default 5: a gate's first seconds under load are its JIT's)
//   AB_CONNECTIONS  connections at most (default 50; an overload wants a few hundred)
//   AB_NODE_ARGS  node options for both gates (`--trace-gc`, which NODE_OPTIONS refuses;
//                 LOAD_GATE_LOG=<file> keeps the gates' output)
// Both gates run on one embedded Redis (AOF, appendfsync always, as `npm start`
// runs it), each under a key prefix of its own; only one is loaded at a time. The
// listings are the fault runs' (a third go to review, a tenth from a listed seller).
// Reports each round's p50, p99 and p99.9 at the caller, p99 by the gate's own
// clock and the machine's steal time (/proc/stat), then each side's median of them and B's share of rounds with the lower p99.
// When a gate refuses some (GATE_SHED_MODE=503 past its admission bound), the
// share it accepted and the accepted answers' p99 too: an overload's figures.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { repoPath } from '../src/config/repo-root.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';
import { faultListingBodies } from './fault-listings.js';
import { quantile, runOpenLoop } from './open-loop-load.js';
import { startGeneratorMeter, type GeneratorMeter } from './generator-meter.js';

const RATE = Number(process.env.AB_RATE ?? 2000);
const SECONDS = Number(process.env.AB_SECONDS ?? 5);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const WARMUP_SECONDS = 1;
const FIRST_WARMUP_SECONDS = Number(process.env.AB_WARMUP ?? 5);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 50);

interface Side {
  name: 'A' | 'B';
  /** Undefined: the echo server. */
  env: Record<string, string> | undefined;
  /** The gate's entry point (a checkout's dist/src/main.js). */
  main: string;
  port: number;
  child?: ChildProcess;
  rounds: RoundFigures[];
}

interface RoundFigures {
  p50: number;
  p99: number;
  p999: number;
  /** p99 of the gate's own tookMicros, in ms. */
  gateP99: number;
  non2xx: number;
  /** Answers with status 200, as a share of the round's. */
  acceptedShare: number;
  /** p99 of the answers with status 200, ms. */
  acceptedP99: number;
  /** The machine's steal time over the counted seconds, 0..1. */
  steal: number;
  /** This process's (the generator's) event-loop delay p99 over the counted seconds, ms: it is in the latencies it measured. */
  generatorLoopP99Ms: number;
}

function parseEnv(text: string | undefined, name: string): Record<string, string> | undefined {
  if (text?.trim() === 'echo') return undefined;
  const env: Record<string, string> = {};
  for (const pair of (text ?? '').split(' ').filter((p) => p !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`${name}: "${pair}" is not NAME=value`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

function gateMain(root: string | undefined): string {
  if (root === undefined) return repoPath('dist', 'src', 'main.js');
  const main = join(resolve(root), 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist: build that checkout first (npm run build)`);
  return main;
}

async function startSide(side: Side, redisUrl: string): Promise<void> {
  if (side.env === undefined) {
    side.child = await startProcess(repoPath('dist', 'load', 'echo-server.js'), { PORT: String(side.port) }, /echo listening/);
    return;
  }
  const env = {
    PORT: String(side.port),
    HOST: '127.0.0.1',
    REDIS_URL: redisUrl,
    GATE_REDIS_PREFIX: `ab-${side.name}:`,
    GATE_ADMIN_TOKEN: 'ab-admin-token-0123456789',
    GATE_DATA_DIR: mkdtempSync(join(tmpdir(), `gate-ab-${side.name}-`)),
    ...side.env,
  };
  const nodeArgs = (process.env.AB_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  side.child = await startProcess(side.main, env, /listening on/, 30_000, nodeArgs);
}

async function round(side: Side, bodies: string[]): Promise<RoundFigures> {
  const start = performance.timeOrigin + performance.now();
  let meter: Promise<GeneratorMeter> | undefined;
  const counting = setTimeout(() => (meter = startGeneratorMeter()), WARMUP_SECONDS * 1000);
  const result = await runOpenLoop({ port: side.port, path: '/v1/check', rate: RATE, seconds: WARMUP_SECONDS + SECONDS, bodies, maxConnections: CONNECTIONS, keepBodies: true, timeoutMs: 5000 }).done;
  clearTimeout(counting);
  const generator = meter ? await (await meter).stop() : undefined;
  // Answers to requests that fell due after the warm-up.
  const counted = result.answers.filter((a) => a.at - a.latencyMs >= start + WARMUP_SECONDS * 1000);
  const latencies = counted.map((a) => a.latencyMs);
  const accepted = counted.filter((a) => a.status === 200);
  const took: number[] = [];
  for (const answer of counted) {
    const match = /"tookMicros":(\d+)/.exec(answer.body ?? '');
    if (match) took.push(Number(match[1]) / 1000);
  }
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    p999: quantile(latencies, 0.999),
    gateP99: quantile(took, 0.99),
    non2xx: counted.filter((a) => a.status < 200 || a.status >= 300).length,
    acceptedShare: accepted.length / Math.max(1, counted.length),
    acceptedP99: quantile(accepted.map((a) => a.latencyMs), 0.99),
    steal: generator?.machineSteal ?? NaN,
    generatorLoopP99Ms: generator?.loopDelayP99Ms ?? NaN,
  };
}

const median = (values: number[]): number => quantile(values, 0.5);
const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '-');

async function main(): Promise<void> {
  const sides: Side[] = [
    { name: 'A', env: parseEnv(process.env.AB_A, 'AB_A'), main: gateMain(process.env.AB_A_ROOT), port: await freePort(), rounds: [] },
    { name: 'B', env: parseEnv(process.env.AB_B, 'AB_B'), main: gateMain(process.env.AB_B_ROOT), port: await freePort(), rounds: [] },
  ];
  const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'ab-redis-')) });
  await redis.start();
  const bodies = faultListingBodies();
  try {
    for (const side of sides) await startSide(side, redis.url);
    for (const side of sides) await runOpenLoop({ port: side.port, path: '/v1/check', rate: RATE, seconds: FIRST_WARMUP_SECONDS, bodies, maxConnections: CONNECTIONS }).done;
    console.log(`# A/B, ${RATE} req/s open loop, ${ROUNDS} rounds of ${SECONDS} s per side (after ${WARMUP_SECONDS} s of warm-up each, and ${FIRST_WARMUP_SECONDS} s per side before the first)`);
    console.log(`A: ${process.env.AB_A ?? '(defaults)'}${process.env.AB_A_ROOT ? ` (${process.env.AB_A_ROOT})` : ''}\nB: ${process.env.AB_B ?? '(defaults)'}${process.env.AB_B_ROOT ? ` (${process.env.AB_B_ROOT})` : ''}\n`);
    console.log('| round | side | p50 ms | p99 ms | p99.9 ms | gate-clock p99 ms | non-2xx | accepted | accepted p99 ms | steal | generator loop p99 ms |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (let i = 0; i < ROUNDS; i++) {
      // A B, then B A: a drift over the run weighs on both sides alike.
      const order = i % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const figures = await round(side, bodies);
        side.rounds.push(figures);
        console.log(`| ${i + 1} | ${side.name} | ${ms(figures.p50)} | ${ms(figures.p99)} | ${ms(figures.p999)} | ${ms(figures.gateP99)} | ${figures.non2xx} | ${(figures.acceptedShare * 100).toFixed(1)}% | ${ms(figures.acceptedP99)} | ${(figures.steal * 100).toFixed(1)}% | ${ms(figures.generatorLoopP99Ms)} |`);
      }
    }
    const [a, b] = sides as [Side, Side];
    console.log('');
    for (const side of sides) {
      const r = side.rounds;
      console.log(`${side.name} medians: p50 ${ms(median(r.map((x) => x.p50)))}, p99 ${ms(median(r.map((x) => x.p99)))}, p99.9 ${ms(median(r.map((x) => x.p999)))}, gate-clock p99 ${ms(median(r.map((x) => x.gateP99)))} ms; accepted ${(median(r.map((x) => x.acceptedShare)) * 100).toFixed(1)}%, their p99 ${ms(median(r.map((x) => x.acceptedP99)))} ms`);
    }
    const bLower = b.rounds.filter((x, i) => x.p99 < (a.rounds[i]?.p99 ?? Infinity)).length;
    const ratio = median(b.rounds.map((x) => x.p99)) / median(a.rounds.map((x) => x.p99));
    console.log(`B / A median p99: ${ratio.toFixed(2)}; B's p99 lower in ${bLower} of ${ROUNDS} rounds`);
  } finally {
    for (const side of sides) if (side.child) await stopProcess(side.child);
    await redis.stop();
  }
}

await main();
