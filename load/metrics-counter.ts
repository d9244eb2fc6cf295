// A Prometheus counter read from /metrics text, and what it counted between two
// readings (a load run's own share of what the gate has counted since it started).

/** Each series of counter `name`, by its label text (`{kind="minor"}`; '' without labels). */
export function counterSeries(metrics: string, name: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const match of metrics.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`, 'gm'))) series.set(match[1] ?? '', Number(match[2]));
  return series;
}

/** What each series counted between two readings, by the value of label `label` (the label text where it has none). */
export function counterDelta(before: Map<string, number>, after: Map<string, number>, label: string): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [labels, value] of after) {
    const key = new RegExp(`${label}="([^"]*)"`).exec(labels)?.[1] ?? labels;
    delta[key] = (delta[key] ?? 0) + value - (before.get(labels) ?? 0);
  }
  return delta;
}
