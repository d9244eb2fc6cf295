// The cost view's rounds reduced to one figure each: the median of the rounds
// (of three, the middle one), figure by figure.
import type { CostFigures, CpuMicros } from './cost-results.js';

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function medianOf<T>(items: readonly T[], read: (item: T) => number): number {
  return median(items.map(read));
}

/** Each key's median (a round without the key counts as 0). */
function medianRecord(records: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((key) => [key, median(records.map((r) => r[key] ?? 0))]));
}

function medianCpu(cpus: readonly CpuMicros[]): CpuMicros {
  // Named threads by rank: the busiest of each round together, and so on.
  const ranks = Math.max(0, ...cpus.map((c) => c.named.length));
  const gc = cpus.flatMap((c) => (c.eventLoopGc === undefined ? [] : [c.eventLoopGc]));
  return {
    total: medianOf(cpus, (c) => c.total),
    eventLoop: medianOf(cpus, (c) => c.eventLoop),
    eventLoopGc: gc.length > 0 ? median(gc) : undefined,
    named: Array.from({ length: ranks }, (_, i) => ({
      name: cpus.find((c) => c.named[i])?.named[i]?.name ?? '?',
      micros: median(cpus.flatMap((c) => (c.named[i] ? [c.named[i].micros] : []))),
    })),
    other: medianOf(cpus, (c) => c.other),
    redis: medianOf(cpus, (c) => c.redis),
    otherChildren: medianOf(cpus, (c) => c.otherChildren),
  };
}

export function medianFigures(rounds: readonly CostFigures[]): CostFigures {
  const gates = rounds.flatMap((r) => (r.gate ? [r.gate] : []));
  return {
    answered: medianOf(rounds, (r) => r.answered),
    non2xx: medianOf(rounds, (r) => r.non2xx),
    errors: medianOf(rounds, (r) => r.errors),
    latencyMs: {
      p50: medianOf(rounds, (r) => r.latencyMs.p50),
      p90: medianOf(rounds, (r) => r.latencyMs.p90),
      p99: medianOf(rounds, (r) => r.latencyMs.p99),
      p999: medianOf(rounds, (r) => r.latencyMs.p999),
      max: medianOf(rounds, (r) => r.latencyMs.max),
    },
    cpu: medianCpu(rounds.map((r) => r.cpu)),
    generator: {
      cpuShareOfCore: medianOf(rounds, (r) => r.generator.cpuShareOfCore),
      microsPerCheck: medianOf(rounds, (r) => r.generator.microsPerCheck),
      loopDelayP99Ms: medianOf(rounds, (r) => r.generator.loopDelayP99Ms),
      machineSteal: medianOf(rounds, (r) => r.generator.machineSteal),
    },
    gate:
      gates.length > 0
        ? {
            verdicts: medianRecord(gates.map((g) => g.verdicts)),
            degradedSignals: medianOf(gates, (g) => g.degradedSignals),
            gcMicrosByKind: medianRecord(gates.map((g) => g.gcMicrosByKind)),
          }
        : undefined,
  };
}
