// One side of a round-based comparison (a gate with some settings, or the bare
// echo) and one round of fixed-rate load against it: what `load:ab` and
// `load:overload-bounds` share. Gates run on a Redis the caller starts, each under
// a key prefix of its own; the listings are the fault runs' (a third go to review).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { repoPath } from '../src/config/repo-root.js';
import { startProcess } from './child-process.js';
import { quantile, runOpenLoop } from './open-loop-load.js';
import { startGeneratorMeter, type GeneratorMeter } from './generator-meter.js';

export interface RoundSide {
  /** Names the side in reports and in its Redis key prefix. */
  name: string;
  /** The gate's extra environment; undefined: the echo server. */
  env: Record<string, string> | undefined;
  /** The gate's entry point (a checkout's dist/src/main.js). */
  main: string;
  port: number;
  child?: ChildProcess;
}

export interface RoundLoad {
  rate: number;
  /** Counted seconds, after a second of warm-up. */
  seconds: number;
  connections: number;
  bodies: string[];
}

export interface RoundFigures {
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

/** Seconds of load at the start of every round that are not counted. */
export const ROUND_WARMUP_SECONDS = 1;

/** `NAME=value` pairs separated by spaces; `echo` (undefined) for the echo server. */
export function parseSideEnv(text: string | undefined, name: string): Record<string, string> | undefined {
  if (text?.trim() === 'echo') return undefined;
  const env: Record<string, string> = {};
  for (const pair of (text ?? '').split(' ').filter((p) => p !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`${name}: "${pair}" is not NAME=value`);
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}

/** The gate of a checkout (built), or of this one. */
export function gateMain(root: string | undefined): string {
  if (root === undefined) return repoPath('dist', 'src', 'main.js');
  const main = join(resolve(root), 'dist', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} does not exist: build that checkout first (npm run build)`);
  return main;
}

export async function startSide(side: RoundSide, redisUrl: string, nodeArgs: readonly string[] = []): Promise<void> {
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
  side.child = await startProcess(side.main, env, /listening on/, 30_000, nodeArgs);
}

/** Uncounted load, to warm a side up (a gate's first seconds under load are its JIT's). */
export async function warmUp(side: RoundSide, load: RoundLoad, seconds: number): Promise<void> {
  await runOpenLoop({ port: side.port, path: '/v1/check', rate: load.rate, seconds, bodies: load.bodies, maxConnections: load.connections }).done;
}

export async function runRound(side: RoundSide, load: RoundLoad): Promise<RoundFigures> {
  const start = performance.timeOrigin + performance.now();
  let meter: Promise<GeneratorMeter> | undefined;
  const counting = setTimeout(() => (meter = startGeneratorMeter()), ROUND_WARMUP_SECONDS * 1000);
  const result = await runOpenLoop({
    port: side.port,
    path: '/v1/check',
    rate: load.rate,
    seconds: ROUND_WARMUP_SECONDS + load.seconds,
    bodies: load.bodies,
    maxConnections: load.connections,
    keepBodies: true,
    timeoutMs: 5000,
  }).done;
  clearTimeout(counting);
  const generator = meter ? await (await meter).stop() : undefined;
  // Answers to requests that fell due after the warm-up.
  const counted = result.answers.filter((a) => a.at - a.latencyMs >= start + ROUND_WARMUP_SECONDS * 1000);
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
    acceptedP99: quantile(
      accepted.map((a) => a.latencyMs),
      0.99,
    ),
    steal: generator?.machineSteal ?? NaN,
    generatorLoopP99Ms: generator?.loopDelayP99Ms ?? NaN,
  };
}

export const median = (values: number[]): number => quantile(values, 0.5);
export const ms = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '-');
