// A small Prometheus text-format registry: counters, gauges read at scrape time,
// and histograms with fixed buckets. Label values are escaped per the format.
type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key);
    if (entry) entry.value += by;
    else this.values.set(key, { labels, value: by });
  }

  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const { labels, value } of this.values.values()) lines.push(`${this.name}${labelText(labels)} ${value}`);
    return lines.join('\n');
  }
}

/** A value read at scrape time: a gauge, or a counter some part keeps itself (`type: 'counter'`). */
export class Gauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly read: () => number | Array<{ labels: Labels; value: number }>,
    private readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    const value = this.read();
    if (typeof value === 'number') lines.push(`${this.name} ${value}`);
    else for (const v of value) lines.push(`${this.name}${labelText(v.labels)} ${v.value}`);
    return lines.join('\n');
  }
}

export class Histogram implements Metric {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    /** Called before each render: what brings observations kept elsewhere in. */
    private readonly beforeRender?: (histogram: Histogram) => void,
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= (this.buckets[i] ?? Infinity)) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  /** Observations summarized elsewhere: `atOrBelow[i]` of the `count` were at most bucket i's bound; their values add up to `sum`. */
  add(atOrBelow: readonly number[], count: number, sum: number): void {
    this.sum += sum;
    this.count += count;
    for (let i = 0; i < this.buckets.length; i++) this.counts[i] = (this.counts[i] ?? 0) + (atOrBelow[i] ?? 0);
  }

  render(): string {
    this.beforeRender?.(this);
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i] ?? 0}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join('\n');
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];

  counter(name: string, help: string): Counter {
    const c = new Counter(name, help);
    this.metrics.push(c);
    return c;
  }

  gauge(name: string, help: string, read: () => number | Array<{ labels: Labels; value: number }>): Gauge {
    const g = new Gauge(name, help, read);
    this.metrics.push(g);
    return g;
  }

  /** A counter some part keeps (it only grows), read at scrape time. */
  countedBy(name: string, help: string, read: () => number | Array<{ labels: Labels; value: number }>): Gauge {
    const c = new Gauge(name, help, read, 'counter');
    this.metrics.push(c);
    return c;
  }

  histogram(name: string, help: string, buckets: readonly number[], beforeRender?: (histogram: Histogram) => void): Histogram {
    const h = new Histogram(name, help, buckets, beforeRender);
    this.metrics.push(h);
    return h;
  }

  render(): string {
    return `${this.metrics.map((m) => m.render()).join('\n')}\n`;
  }
}
