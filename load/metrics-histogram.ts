// A Prometheus histogram read from /metrics text, and the bucket that holds a
// share of what it observed between two readings (a load run's own observations,
// the gate having counted since it started).

/** Cumulative bucket counts by upper bound in seconds (+Inf as Infinity). */
export type HistogramBuckets = Map<number, number>;

/** The buckets of histogram `name` in /metrics text; empty when it is not there. */
export function histogramBuckets(metrics: string, name: string): HistogramBuckets {
  const buckets: HistogramBuckets = new Map();
  for (const match of metrics.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))) {
    buckets.set(match[1] === '+Inf' ? Infinity : Number(match[1]), Number(match[2]));
  }
  return buckets;
}

/**
 * The smallest bucket bound (s) holding `share` (0..1] of what was observed
 * between two readings: Infinity past the last finite bucket, undefined when
 * nothing was observed.
 */
export function bucketHolding(before: HistogramBuckets, after: HistogramBuckets, share: number): number | undefined {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total === 0) return undefined;
  const bounds = [...after.keys()].sort((a, b) => a - b);
  return bounds.find((bound) => (after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= total * share);
}

/** The bucket holding the p99 of what was observed between two readings, in ms, as text: `<= 2.5`, `> 50`, or `-` when nothing was. */
export function p99Bucket(before: HistogramBuckets, after: HistogramBuckets): string {
  const bound = bucketHolding(before, after, 0.99);
  if (bound === undefined) return '-';
  if (bound !== Infinity) return `<= ${+(bound * 1000).toPrecision(6)}`;
  const largestFinite = [...after.keys()]
    .filter((b) => b !== Infinity)
    .sort((a, b) => a - b)
    .pop();
  return largestFinite === undefined ? '-' : `> ${+(largestFinite * 1000).toPrecision(6)}`;
}
