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
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { stopProcess } from './child-process.js';
import { faultListingBodies } from './fault-listings.js';
import {
  ROUND_WARMUP_SECONDS,
  gateMain,
  median,
  ms,
  parseSideEnv,
  runRound,
  startSide,
  warmUp,
  type RoundFigures,
  type RoundLoad,
  type RoundSide,
} from './gate-rounds.js';

const RATE = Number(process.env.AB_RATE ?? 2000);
const SECONDS = Number(process.env.AB_SECONDS ?? 5);
const ROUNDS = Number(process.env.AB_ROUNDS ?? 6);
const FIRST_WARMUP_SECONDS = Number(process.env.AB_WARMUP ?? 5);
const CONNECTIONS = Number(process.env.AB_CONNECTIONS ?? 50);

interface Side extends RoundSide {
  name: 'A' | 'B';
  rounds: RoundFigures[];
}

async function main(): Promise<void> {
  const sides: Side[] = [
    { name: 'A', env: parseSideEnv(process.env.AB_A, 'AB_A'), main: gateMain(process.env.AB_A_ROOT), port: await freePort(), rounds: [] },
    { name: 'B', env: parseSideEnv(process.env.AB_B, 'AB_B'), main: gateMain(process.env.AB_B_ROOT), port: await freePort(), rounds: [] },
  ];
  const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'ab-redis-')) });
  await redis.start();
  const load: RoundLoad = { rate: RATE, seconds: SECONDS, connections: CONNECTIONS, bodies: faultListingBodies() };
  const nodeArgs = (process.env.AB_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== '');
  try {
    for (const side of sides) await startSide(side, redis.url, nodeArgs);
    for (const side of sides) await warmUp(side, load, FIRST_WARMUP_SECONDS);
    console.log(
      `# A/B, ${RATE} req/s open loop, ${ROUNDS} rounds of ${SECONDS} s per side (after ${ROUND_WARMUP_SECONDS} s of warm-up each, and ${FIRST_WARMUP_SECONDS} s per side before the first)`,
    );
    console.log(
      `A: ${process.env.AB_A ?? '(defaults)'}${process.env.AB_A_ROOT ? ` (${process.env.AB_A_ROOT})` : ''}\nB: ${process.env.AB_B ?? '(defaults)'}${process.env.AB_B_ROOT ? ` (${process.env.AB_B_ROOT})` : ''}\n`,
    );
    console.log(
      '| round | side | p50 ms | p99 ms | p99.9 ms | gate-clock p99 ms | non-2xx | accepted | accepted p99 ms | steal | generator loop p99 ms |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (let i = 0; i < ROUNDS; i++) {
      // A B, then B A: a drift over the run weighs on both sides alike.
      const order = i % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        const figures = await runRound(side, load);
        side.rounds.push(figures);
        console.log(
          `| ${i + 1} | ${side.name} | ${ms(figures.p50)} | ${ms(figures.p99)} | ${ms(figures.p999)} | ${ms(figures.gateP99)} | ${figures.non2xx} | ${(figures.acceptedShare * 100).toFixed(1)}% | ${ms(figures.acceptedP99)} | ${(figures.steal * 100).toFixed(1)}% | ${ms(figures.generatorLoopP99Ms)} |`,
        );
      }
    }
    const [a, b] = sides as [Side, Side];
    console.log('');
    for (const side of sides) {
      const r = side.rounds;
      console.log(
        `${side.name} medians: p50 ${ms(median(r.map((x) => x.p50)))}, p99 ${ms(median(r.map((x) => x.p99)))}, p99.9 ${ms(median(r.map((x) => x.p999)))}, gate-clock p99 ${ms(median(r.map((x) => x.gateP99)))} ms; accepted ${(median(r.map((x) => x.acceptedShare)) * 100).toFixed(1)}%, their p99 ${ms(median(r.map((x) => x.acceptedP99)))} ms`,
      );
    }
    const bLower = b.rounds.filter((x, i) => x.p99 < (a.rounds[i]?.p99 ?? Infinity)).length;
    const ratio = median(b.rounds.map((x) => x.p99)) / median(a.rounds.map((x) => x.p99));
    console.log(`B / A median p99: ${ratio.toFixed(2)}; B's p99 lower in ${bLower} of ${ROUNDS} rounds`);
    if ([...a.rounds, ...b.rounds].some((x) => x.acceptedShare < 1)) {
      const bAcceptedLower = b.rounds.filter((x, i) => x.acceptedP99 < (a.rounds[i]?.acceptedP99 ?? Infinity)).length;
      const acceptedRatio = median(b.rounds.map((x) => x.acceptedP99)) / median(a.rounds.map((x) => x.acceptedP99));
      console.log(`B / A median p99 of accepted answers: ${acceptedRatio.toFixed(2)}; B's lower in ${bAcceptedLower} of ${ROUNDS} rounds`);
    }
  } finally {
    for (const side of sides) if (side.child) await stopProcess(side.child);
    await redis.stop();
  }
}

await main();
