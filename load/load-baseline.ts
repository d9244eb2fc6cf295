// A load run's results, and the comparison with a saved baseline: a regression is
// maximum throughput more than 5% below the baseline's, or a p99 more than 10%
// above it at the same arrival rate (gate runs only; the echo is the machine's).
export interface Run {
  target: string;
  rate: number | 'max';
  requestsPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  non2xx: number;
  errors: number;
}

export interface LoadResults {
  at: string;
  pack: string;
  connections: number;
  duration: number;
  gateStartSeconds: number;
  runs: Run[];
  swap?: { rate: number; seconds: number; before: Run; during: Run; p99Ratio: number } | undefined;
  /** The gate's process; `buildPeakRssMiB`: the process that built the swap's pack. */
  memory: { rssMiB: number; peakRssMiB: number; buildPeakRssMiB?: number };
}

export const MAX_THROUGHPUT_DROP = 0.05;
export const MAX_P99_RISE = 0.1;

/** `compared`: the measures both runs have; none means the baseline says nothing about this run (a failure, not "no regressions"). */
export function compareWithBaseline(current: LoadResults, baseline: LoadResults): { regressions: number; compared: number; lines: string[] } {
  const lines: string[] = ['| measure | baseline | now | change | verdict |', '|---|---:|---:|---:|---|'];
  let regressions = 0;
  let compared = 0;
  if (baseline.pack !== current.pack) lines.unshift(`(the baseline used the ${baseline.pack} pack, this run the ${current.pack} pack)`);
  for (const run of current.runs.filter((r) => r.target === 'gate')) {
    const before = baseline.runs.find((r) => r.target === 'gate' && r.rate === run.rate);
    if (!before) continue;
    compared++;
    if (run.rate === 'max') {
      const change = run.requestsPerSecond / before.requestsPerSecond - 1;
      const bad = change < -MAX_THROUGHPUT_DROP;
      regressions += bad ? 1 : 0;
      lines.push(
        `| max throughput req/s | ${before.requestsPerSecond.toFixed(0)} | ${run.requestsPerSecond.toFixed(0)} | ${(change * 100).toFixed(1)}% | ${bad ? 'REGRESSION (> 5% lower)' : 'ok'} |`,
      );
    }
    const change = run.p99 / Math.max(before.p99, 1e-9) - 1;
    const bad = change > MAX_P99_RISE;
    regressions += bad ? 1 : 0;
    lines.push(`| p99 ms at ${run.rate} | ${before.p99} | ${run.p99} | ${(change * 100).toFixed(1)}% | ${bad ? 'REGRESSION (> 10% higher)' : 'ok'} |`);
  }
  if (compared === 0) {
    lines.push(
      '',
      `nothing compared: the baseline has no gate run at this run's rates (${current.runs
        .filter((r) => r.target === 'gate')
        .map((r) => r.rate)
        .join(', ')})`,
    );
  } else lines.push('', regressions === 0 ? `no regressions in ${compared} runs compared` : `${regressions} regression(s)`);
  return { regressions, compared, lines };
}
