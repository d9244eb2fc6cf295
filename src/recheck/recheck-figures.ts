// What a re-check job's thread reports to the event loop's metrics: the
// listings of each batch it emitted, and the job it runs.
import type { MetricsRegistry } from '../observability/metrics.js';

export interface EmittedBatch {
  /** Listings decided (in the job's scope). */
  decided: number;
  outOfScope: number;
  /** Changed verdicts by kind: recorded verdict, new verdict, how many. */
  changes: Array<[from: string, to: string, count: number]>;
}

export interface RecheckFigures {
  emitted(batch: EmittedBatch): void;
  /** The job this instance runs now, or undefined. */
  running(jobId: string | undefined): void;
}

export function registerRecheckFigures(registry: MetricsRegistry): RecheckFigures {
  let runningId: string | undefined;
  const listings = registry.counter(
    'gate_recheck_listings_total',
    "Listings re-checked by this instance's jobs (decided; a batch read again after a failover counts once, on the instance that emitted it).",
  );
  const outOfScope = registry.counter(
    'gate_recheck_out_of_scope_total',
    "Listings this instance's jobs scoped to a change skipped without matching: the change cannot move their verdict.",
  );
  const changes = registry.counter(
    'gate_recheck_changed_total',
    'Verdicts re-check jobs of this instance found changed, by the recorded verdict (from) and the new one (to).',
    ['from', 'to'],
  );
  registry.gauge('gate_recheck_jobs_running', 'Re-check jobs this instance is running now (0 or 1).', () => (runningId === undefined ? 0 : 1));
  return {
    emitted(batch) {
      listings.inc(batch.decided);
      outOfScope.inc(batch.outOfScope);
      for (const [from, to, count] of batch.changes) changes.inc({ from, to }, count);
    },
    running(jobId) {
      runningId = jobId;
    },
  };
}
