// One round of the cost view for one server: a warm-up, then a fixed-rate
// open-loop run during which the server's CPU is read from /proc by thread and
// child process (load/thread-cpu.ts), divided by the checks answered; the gate's
// GC, verdicts and degraded signals from its /metrics over the same span. Then,
// once it has settled, idle checks one at a time.
import type { CostTarget } from './cost-targets.js';
import type { CostRound, CpuMicros } from './cost-results.js';
import { startGeneratorMeter } from './generator-meter.js';
import { runIdleChecks, type IdleSample } from './idle-checks.js';
import { counterDelta, counterSeries } from './metrics-counter.js';
import { latencyQuantile, runOpenLoop } from './open-loop-load.js';
import { cpuBetween, microsPer, readProcessTicks, type CpuSplit } from './thread-cpu.js';

export interface RoundOptions {
  rate: number;
  seconds: number;
  warmupSeconds: number;
  connections: number;
  bodies: readonly string[];
  idleChecks: number;
  idleGapMs: number;
}

/** What every check carries, as in npm run load: a deadline the fixed rate never reaches, so no answer is a degraded one. */
const HEADERS = { 'x-deadline-ms': '1000' };
const PATH = '/v1/check';

async function scrape(target: CostTarget): Promise<string | undefined> {
  return target.metrics ? (await fetch(`http://127.0.0.1:${target.port}/metrics`)).text() : undefined;
}

/** Resolves once the gate has no check in flight (at most 30 s), and `restMs` more. */
async function settle(target: CostTarget, restMs: number): Promise<void> {
  const until = Date.now() + 30_000;
  while (target.metrics && Date.now() < until) {
    const inFlight = Number(/^gate_checks_in_flight (\d+)/m.exec((await scrape(target)) ?? '')?.[1] ?? 0);
    if (inFlight === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, restMs));
}

function cpuMicros(split: CpuSplit, answered: number, gcSeconds: number | undefined): CpuMicros {
  const per = (ticks: number): number => microsPer(ticks, answered);
  const redis = split.children.filter((c) => c.name === 'redis-server').reduce((sum, c) => sum + c.ticks, 0);
  const otherChildren = split.children.filter((c) => c.name !== 'redis-server').reduce((sum, c) => sum + c.ticks, 0);
  return {
    total: per(split.total),
    eventLoop: per(split.eventLoop),
    eventLoopGc: gcSeconds === undefined ? undefined : (gcSeconds * 1e6) / answered,
    named: split.named.map((t) => ({ name: t.name, micros: per(t.ticks) })),
    other: per(split.other),
    redis: per(redis),
    otherChildren: per(otherChildren),
  };
}

export async function measureRound(target: CostTarget, round: number, options: RoundOptions): Promise<{ figures: CostRound; idle: IdleSample[] }> {
  const load = (seconds: number) =>
    runOpenLoop({ port: target.port, path: PATH, rate: options.rate, seconds, bodies: options.bodies, headers: HEADERS, maxConnections: options.connections })
      .done;
  await load(options.warmupSeconds);
  const metricsBefore = await scrape(target);
  const meter = await startGeneratorMeter();
  const generatorBefore = process.cpuUsage();
  const before = readProcessTicks(target.pid);
  const result = await load(options.seconds);
  const after = readProcessTicks(target.pid);
  const generatorUsed = process.cpuUsage(generatorBefore);
  const generator = await meter.stop();
  const metricsAfter = await scrape(target);

  const { answers } = result;
  const answered = answers.filter((a) => a.status >= 200 && a.status <= 299).length;
  let gate: CostRound['gate'];
  let gcSeconds: number | undefined;
  if (metricsBefore !== undefined && metricsAfter !== undefined) {
    const delta = (name: string, label: string): Record<string, number> =>
      counterDelta(counterSeries(metricsBefore, name), counterSeries(metricsAfter, name), label);
    const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((total, n) => total + n, 0);
    const gc = delta('nodejs_gc_duration_seconds_sum', 'kind');
    gcSeconds = sum(gc);
    gate = {
      verdicts: delta('gate_checks_total', 'verdict'),
      degradedSignals: sum(delta('gate_degraded_total', 'signal')),
      gcMicrosByKind: Object.fromEntries(Object.entries(gc).map(([kind, seconds]) => [kind, (seconds * 1e6) / answered])),
    };
  }
  const figures: CostRound = {
    round,
    answered,
    non2xx: answers.filter((a) => a.status !== 0 && (a.status < 200 || a.status > 299)).length,
    errors: answers.filter((a) => a.status === 0).length,
    latencyMs: {
      p50: latencyQuantile(answers, 0.5),
      p90: latencyQuantile(answers, 0.9),
      p99: latencyQuantile(answers, 0.99),
      p999: latencyQuantile(answers, 0.999),
      max: latencyQuantile(answers, 1),
    },
    cpu: cpuMicros(cpuBetween(before, after), answered, gcSeconds),
    generator: {
      cpuShareOfCore: generator.cpuShareOfCore,
      microsPerCheck: answered > 0 ? (generatorUsed.user + generatorUsed.system) / answered : NaN,
      loopDelayP99Ms: generator.loopDelayP99Ms,
      machineSteal: generator.machineSteal,
    },
    gate,
  };
  await settle(target, 1000);
  const idle = await runIdleChecks({
    port: target.port,
    path: PATH,
    bodies: options.bodies,
    count: options.idleChecks,
    gapMs: options.idleGapMs,
    idPrefix: `idle-${round}`,
    headers: { ...HEADERS, 'x-gate-timing': '1' },
  });
  return { figures, idle };
}
