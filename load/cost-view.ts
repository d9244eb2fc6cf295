// The SRE's cost view (npm run load:cost, and the last part of npm run load): CPU
// microseconds per check by process and thread (event loop and its GC, each
// matching thread, other threads, Redis) at a fixed rate, and an idle check's
// latency split into the server's phases, for the gate beside the thread-app
// comparator and the bare echo, in the same run. Results go to load-results/ as
// cost.json, cost.md and cost.svg.
//   LOAD_PACK           demo (default), scale, or a pack file's path (load/cost-inputs.ts)
//   LOAD_COST_RATE      checks per second of the CPU runs (2000)
//   LOAD_COST_SECONDS   each CPU run's measured span, after a 3 s warm-up (15)
//   LOAD_COST_ROUNDS    rounds; each figure is their median (3)
//   LOAD_COST_IDLE      idle checks per server and round, one at a time, 2 ms apart (300)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../src/config/repo-root.js';
import { costInputs } from './cost-inputs.js';
import { medianFigures } from './cost-median.js';
import { costChartSvg, costMarkdown } from './cost-report.js';
import type { CostResults, CostRound, TargetCost } from './cost-results.js';
import { measureRound } from './cost-round.js';
import { startCostTargets, stopCostTargets } from './cost-targets.js';
import type { IdleSample } from './idle-checks.js';
import { idleSplit } from './idle-split.js';

export interface CostViewOptions {
  pack: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  idleChecks: number;
  idleGapMs: number;
  connections: number;
}

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

/** The options from the environment, each checked and named when wrong. */
export function costViewOptions(env: NodeJS.ProcessEnv = process.env): CostViewOptions {
  return Object.freeze({
    pack: env.LOAD_PACK || 'demo',
    rate: whole(env, 'LOAD_COST_RATE', 2000, 1, 100_000),
    seconds: whole(env, 'LOAD_COST_SECONDS', 15, 1, 3600),
    warmupSeconds: 3,
    rounds: whole(env, 'LOAD_COST_ROUNDS', 3, 1, 99),
    idleChecks: whole(env, 'LOAD_COST_IDLE', 300, 1, 100_000),
    idleGapMs: 2,
    connections: 10,
  });
}

export async function runCostView(options: CostViewOptions = costViewOptions()): Promise<CostResults> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-cost-'));
  try {
    const inputs = costInputs(options.pack, dataDir);
    const targets = await startCostTargets(dataDir, inputs.packPath);
    const rounds = new Map<string, CostRound[]>(targets.map((t) => [t.name, []]));
    const idle = new Map<string, IdleSample[]>(targets.map((t) => [t.name, []]));
    try {
      for (let round = 1; round <= options.rounds; round++) {
        for (const target of targets) {
          const measured = await measureRound(target, round, { ...options, bodies: inputs.bodies });
          rounds.get(target.name)?.push(measured.figures);
          idle.get(target.name)?.push(...measured.idle);
          console.log(
            `cost round ${round}/${options.rounds} ${target.name}: ${measured.figures.cpu.total.toFixed(0)} us CPU per check, ${measured.figures.answered} answered, p99 ${measured.figures.latencyMs.p99.toFixed(2)} ms`,
          );
        }
      }
    } finally {
      await stopCostTargets(targets);
    }
    const results: CostResults = {
      at: new Date().toISOString(),
      pack: inputs.pack,
      corpus: inputs.corpus,
      rate: options.rate,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      rounds: options.rounds,
      idle: { checksPerRound: options.idleChecks, gapMs: options.idleGapMs },
      targets: targets.map((t): TargetCost => {
        const measured = rounds.get(t.name) ?? [];
        return { target: t.name, rounds: measured, median: medianFigures(measured), idle: idleSplit(idle.get(t.name) ?? []) };
      }),
    };
    mkdirSync(repoPath('load-results'), { recursive: true });
    const report = costMarkdown(results, 'cost.svg');
    writeFileSync(repoPath('load-results', 'cost.json'), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(repoPath('load-results', 'cost.md'), `${report}\n`);
    writeFileSync(repoPath('load-results', 'cost.svg'), costChartSvg(results));
    console.log(report);
    return results;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
