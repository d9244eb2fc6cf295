// A Prometheus histogram read from /metrics text, and the bucket that holds the
// 99th percentile of what it observed between two readings (a load run's own
// observations, the gate having counted since it started).

/** Cumulative bucket counts of a Prometheus histogram in /metrics text, by upper bound (s). */
export function histogramBuckets(metrics: string, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const match of metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/** The smallest bucket bound, in ms, holding 99% of what was observed between two readings; '-' when nothing was. */
export function p99Bucket(before: Map<number, number>, after: Map<number, number>): string {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return '-';
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) < total * 0.99) continue;
    if (bound !== Infinity) return `<= ${+(bound * 1000).toPrecision(6)}`;
    const largestFinite = bounds.filter((b) => b !== Infinity).pop();
    return largestFinite === undefined ? '-' : `> ${+(largestFinite * 1000).toPrecision(6)}`;
  }
  return '-';
}
