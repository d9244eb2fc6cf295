// npm run load:overload-bounds: how many checks an overloaded gate can accept with
// their p99 still within the performance target (the bare echo's p99 at the same
// offered rate + 2 ms), and what it costs in refusals. The gate sheds with 503
// past a fixed bound on checks in flight (the adaptive bound off), one bound after
// another, each in rounds alternating with the echo under the same open-loop load;
// then the gate's own admission settings (`defaults`, `latency-first`) the same way.
//   OB_RATE         offered requests per second (default 12,000: twice the
//                   capacity the 2026-12-05 fault runs found on this 2-core machine)
//   OB_SETTINGS     comma-separated: a number (a fixed bound), `defaults` or
//                   `latency-first` (default 1,2,4,8,16,64,defaults,latency-first)
//   OB_ROUNDS       rounds per setting, each paired with an echo round (default 3)
//   OB_SECONDS      counted seconds per round (default 5)
//   OB_CONNECTIONS  connections at most (default 400)
// Per setting: the share accepted and accepted per second, the accepted answers'
// p99 against the echo's in its paired rounds (medians), in how many rounds it was
// within echo + 2 ms, and, from the gate's /metrics over its rounds, the p99 of a
// check's two waits on other threads and processes (matching in the pool; a review
// item's fsynced write), as the histogram bucket that holds it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { stopProcess } from './child-process.js';
import { faultListingBodies } from './fault-listings.js';
import { histogramBuckets, p99Bucket } from './metrics-histogram.js';
import { LATENCY_FIRST_ADMISSION } from './latency-first-admission.js';
import { gateMain, median, ms, runRound, startSide, warmUp, type RoundFigures, type RoundLoad, type RoundSide } from './gate-rounds.js';

const RATE = Number(process.env.OB_RATE ?? 12_000);
const SETTINGS = (process.env.OB_SETTINGS ?? '1,2,4,8,16,64,defaults,latency-first')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const ROUNDS = Number(process.env.OB_ROUNDS ?? 3);
const SECONDS = Number(process.env.OB_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.OB_CONNECTIONS ?? 400);
const TARGET_GAP_MS = 2;
const FIRST_WARMUP_SECONDS = 3;

/** The gate's environment for one setting. */
function settingEnv(setting: string): Record<string, string> {
  const shedding = { GATE_SHED_MODE: '503' };
  if (setting === 'defaults') return shedding;
  if (setting === 'latency-first') return { ...shedding, ...LATENCY_FIRST_ADMISSION };
  const bound = Number(setting);
  if (!Number.isInteger(bound) || bound < 1) throw new Error(`OB_SETTINGS: "${setting}" is not a bound (a whole number >= 1), defaults or latency-first`);
  return { ...shedding, GATE_MAX_CHECKS_IN_FLIGHT: String(bound), GATE_ADMISSION_TARGET_MS: '0' };
}

async function metricsText(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

interface SettingResult {
  setting: string;
  gate: RoundFigures[];
  echo: RoundFigures[];
  matchingP99: string;
  reviewQueueP99: string;
}

async function main(): Promise<void> {
  const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'ob-redis-')) });
  await redis.start();
  const load: RoundLoad = { rate: RATE, seconds: SECONDS, connections: CONNECTIONS, bodies: faultListingBodies() };
  const echo: RoundSide = { name: 'echo', env: undefined, main: '', port: await freePort() };
  const results: SettingResult[] = [];
  console.log(
    `# Overload bounds: ${RATE} req/s offered, open loop, at most ${CONNECTIONS} connections; ${ROUNDS} rounds of ${SECONDS} s per setting, each paired with one of the bare echo (alternating which goes first)\n`,
  );
  console.log('| setting | round | accepted | accepted p99 ms | echo p99 ms | gap ms | gate-clock p99 ms | steal |\n|---|---:|---:|---:|---:|---:|---:|---:|');
  try {
    await startSide(echo, redis.url);
    await warmUp(echo, load, FIRST_WARMUP_SECONDS);
    for (const [index, setting] of SETTINGS.entries()) {
      const gate: RoundSide = { name: `s${index}`, env: settingEnv(setting), main: gateMain(undefined), port: await freePort() };
      await startSide(gate, redis.url);
      try {
        await warmUp(gate, load, FIRST_WARMUP_SECONDS);
        const before = await metricsText(gate.port);
        const result: SettingResult = { setting, gate: [], echo: [], matchingP99: '-', reviewQueueP99: '-' };
        for (let i = 0; i < ROUNDS; i++) {
          const order: RoundSide[] = i % 2 === 0 ? [gate, echo] : [echo, gate];
          for (const side of order) (side === gate ? result.gate : result.echo).push(await runRound(side, load));
          const g = result.gate[i] as RoundFigures;
          const e = result.echo[i] as RoundFigures;
          console.log(
            `| ${setting} | ${i + 1} | ${(g.acceptedShare * 100).toFixed(1)}% | ${ms(g.acceptedP99)} | ${ms(e.p99)} | ${ms(g.acceptedP99 - e.p99)} | ${ms(g.gateP99)} | ${(g.steal * 100).toFixed(1)}% |`,
          );
        }
        const after = await metricsText(gate.port);
        result.matchingP99 = p99Bucket(histogramBuckets(before, 'gate_check_matching_seconds'), histogramBuckets(after, 'gate_check_matching_seconds'));
        result.reviewQueueP99 = p99Bucket(
          histogramBuckets(before, 'gate_review_queue_wait_seconds'),
          histogramBuckets(after, 'gate_review_queue_wait_seconds'),
        );
        results.push(result);
      } finally {
        if (gate.child) await stopProcess(gate.child);
      }
    }
  } finally {
    if (echo.child) await stopProcess(echo.child);
    await redis.stop();
  }
  console.log(
    `\n| setting | accepted | accepted /s | accepted p99 ms | echo p99 ms | gap ms (target <= ${TARGET_GAP_MS}) | rounds within | matching p99 ms | review write p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|`,
  );
  for (const r of results) {
    const share = median(r.gate.map((g) => g.acceptedShare));
    const acceptedP99 = median(r.gate.map((g) => g.acceptedP99));
    const echoP99 = median(r.echo.map((e) => e.p99));
    const within = r.gate.filter((g, i) => g.acceptedP99 <= (r.echo[i]?.p99 ?? -Infinity) + TARGET_GAP_MS).length;
    console.log(
      `| ${r.setting} | ${(share * 100).toFixed(1)}% | ${Math.round(share * RATE)} | ${ms(acceptedP99)} | ${ms(echoP99)} | ${ms(acceptedP99 - echoP99)} | ${within} of ${r.gate.length} | ${r.matchingP99} | ${r.reviewQueueP99} |`,
    );
  }
}

await main();
