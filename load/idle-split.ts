// An idle run's figures (load/idle-checks.ts): the caller's latency, the server's
// own tookMicros, and each Server-Timing phase, as medians and 99th percentiles.
import type { IdleSample } from './idle-checks.js';
import { quantile } from './open-loop-load.js';

export interface Quantiles {
  p50: number;
  p99: number;
}

export interface PhaseSplit extends Quantiles {
  name: string;
  /** Answers that named this phase with a duration. */
  seen: number;
}

export interface Spread extends Quantiles {
  p90: number;
  p999: number;
  max: number;
}

export interface IdleSplit {
  checks: number;
  non2xx: number;
  callerMicros: Spread;
  /** Undefined when no answer carried a tookMicros. */
  tookMicros: Quantiles | undefined;
  /** In the order the server sends them; undefined when no answer had a Server-Timing header. */
  phases: PhaseSplit[] | undefined;
}

const quantiles = (values: readonly number[]): Quantiles => ({ p50: quantile(values, 0.5), p99: quantile(values, 0.99) });
const spread = (values: readonly number[]): Spread => ({
  ...quantiles(values),
  p90: quantile(values, 0.9),
  p999: quantile(values, 0.999),
  max: quantile(values, 1),
});

export function idleSplit(samples: readonly IdleSample[]): IdleSplit {
  const took = samples.flatMap((s) => (s.tookMicros === undefined ? [] : [s.tookMicros]));
  const timed = samples.filter((s) => s.phases !== undefined);
  const byPhase = new Map<string, number[]>();
  for (const sample of timed) {
    for (const phase of sample.phases ?? []) {
      const durations = byPhase.get(phase.name) ?? [];
      byPhase.set(phase.name, durations);
      if (phase.durationMs !== undefined) durations.push(phase.durationMs * 1000);
    }
  }
  return {
    checks: samples.length,
    non2xx: samples.filter((s) => s.status < 200 || s.status > 299).length,
    callerMicros: spread(samples.map((s) => s.callerMicros)),
    tookMicros: took.length > 0 ? quantiles(took) : undefined,
    phases: timed.length > 0 ? [...byPhase].map(([name, durations]) => ({ name, seen: durations.length, ...quantiles(durations) })) : undefined,
  };
}
