// A prom-client metric's value for one label set (prom-client reads values asynchronously).
import type { Counter, Gauge } from '../../src/observability/metrics.js';

export async function metricValue(metric: Counter | Gauge, labels: Record<string, string> = {}): Promise<number> {
  const wanted = Object.entries(labels);
  const { values } = await metric.get();
  const found = values.find((v) => Object.keys(v.labels).length === wanted.length && wanted.every(([k, value]) => String(v.labels[k]) === value));
  return found?.value ?? 0;
}
