// The gate's metrics on prom-client: one Registry per gate (tests start several
// gates in one process, so never prom-client's global registry), counters and
// histograms with declared label names, figures other parts keep read at scrape
// time through `collect`, and prom-client's default process_* and nodejs_* series.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client';
import { GC_DURATION_BUCKETS, GC_DURATION_SECONDS, observeGcPauses } from './gc-seconds.js';

export { Counter, Gauge, Histogram };

export type Labels = Record<string, string>;
/** What a scrape-time figure reads: one number, or one per label set. */
export type Reading = number | Array<{ labels: Labels; value: number }>;

/** prom-client's default gauges whose names end in _total, which promtool's lint keeps for counters. */
const GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * A counter's children by the value of its one label, each made once: the hot path
 * (a check's verdict, a degraded signal) then costs a Map lookup and prom-client's
 * own increment, not building a labels object per call.
 */
export function childrenOf(counter: Counter): (value: string) => Counter.Internal {
  const children = new Map<string, Counter.Internal>();
  return (value) => {
    let child = children.get(value);
    if (!child) children.set(value, (child = counter.labels(value)));
    return child;
  };
}

/**
 * A histogram whose observations are summarized elsewhere and added in bulk
 * (`add`), such as the event loop's delay from perf_hooks' probe. prom-client's
 * Histogram takes one observation at a time and has no API to add bucket counts,
 * so this is a small collector of its own: it answers `get()` the way prom-client's
 * metrics do, and the Registry renders it like any histogram.
 */
export class SummarizedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    /** Called at each scrape before the figures are read: what brings the observations kept elsewhere in. */
    private readonly beforeScrape?: (histogram: SummarizedHistogram) => void,
  ) {
    this.counts = buckets.map(() => 0);
  }

  /** `atOrBelow[i]` of the `count` observations were at most bucket i's bound; their values add up to `sum`. */
  add(atOrBelow: readonly number[], count: number, sum: number): void {
    this.sum += sum;
    this.count += count;
    for (let i = 0; i < this.buckets.length; i++) this.counts[i] = (this.counts[i] ?? 0) + (atOrBelow[i] ?? 0);
  }

  async get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Array<{ metricName: string; labels: Record<string, string | number>; value: number }>;
  }> {
    this.beforeScrape?.(this);
    const bucket = `${this.name}_bucket`;
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [
        ...this.buckets.map((le, i) => ({ metricName: bucket, labels: { le }, value: this.counts[i] ?? 0 })),
        { metricName: bucket, labels: { le: '+Inf' }, value: this.count },
        { metricName: `${this.name}_sum`, labels: {}, value: this.sum },
        { metricName: `${this.name}_count`, labels: {}, value: this.count },
      ],
    };
  }
}

/** Hands each value of a scrape-time reading to `put`, with no labels for a single number. */
function putReading(reading: Reading, put: (labels: Labels, value: number) => void): void {
  if (typeof reading === 'number') put({}, reading);
  else for (const v of reading) put(v.labels, v.value);
}

export class MetricsRegistry {
  readonly prom = new Registry();

  /**
   * The process's and Node's own series (process_cpu_*, process_resident_memory_bytes,
   * process_open_fds, nodejs_heap_*, nodejs_eventloop_lag_*, nodejs_gc_duration_seconds,
   * ...), less its three gauges named *_total. nodejs_gc_duration_seconds is replaced by one that sees every pause
   * (gc-seconds.ts); prom-client's observer keeps running, into a histogram no
   * registry lists. Returns what stops observing GC.
   */
  collectDefaults(): () => void {
    collectDefaultMetrics({ register: this.prom });
    // Gauges named like counters, which promtool's lint refuses; the same figures by type stay (nodejs_active_handles, ...).
    for (const name of GAUGES_NAMED_TOTAL) this.prom.removeSingleMetric(name);
    this.prom.removeSingleMetric(GC_DURATION_SECONDS);
    const gc = this.histogram(GC_DURATION_SECONDS, 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.', GC_DURATION_BUCKETS, [
      'kind',
    ]);
    return observeGcPauses(gc);
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return new Counter({ name, help, labelNames: [...labelNames], registers: [this.prom] });
  }

  /** A value read at scrape time. */
  gauge(name: string, help: string, read: () => Reading, labelNames: readonly string[] = []): Gauge {
    return new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.prom],
      collect() {
        this.reset();
        putReading(read(), (labels, value) => this.set(labels, value));
      },
    });
  }

  /**
   * A counter some part keeps itself (it only grows), read at scrape time: the
   * counter is reset and set to the part's figures at each scrape (prom-client's
   * Counter has no `set`; `reset` then `inc` by the figure is what its API allows).
   */
  countedBy(name: string, help: string, read: () => Reading, labelNames: readonly string[] = []): Counter {
    return new Counter({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.prom],
      collect() {
        this.reset();
        putReading(read(), (labels, value) => this.inc(labels, value));
      },
    });
  }

  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    return new Histogram({ name, help, buckets: [...buckets], labelNames: [...labelNames], registers: [this.prom] });
  }

  /** A histogram of observations summarized elsewhere (SummarizedHistogram). */
  summarizedHistogram(name: string, help: string, buckets: readonly number[], beforeScrape?: (histogram: SummarizedHistogram) => void): SummarizedHistogram {
    const histogram = new SummarizedHistogram(name, help, buckets, beforeScrape);
    // The Registry takes any object with a name and get(); its type lists prom-client's own classes only.
    this.prom.registerMetric(histogram as unknown as Metric);
    return histogram;
  }

  get contentType(): string {
    return this.prom.contentType;
  }

  /** The exposition text, in registration order. */
  metrics(): Promise<string> {
    return this.prom.metrics();
  }
}
