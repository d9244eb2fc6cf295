// The local spools' figures: what Redis could not take, what was replayed, what a crash tore.
import type { MetricsRegistry } from '../observability/metrics.js';
import type { ReviewSpool } from './review-spool.js';
import type { SpooledChange } from './spooled-change.js';

export function registerReviewSpoolMetrics(
  registry: MetricsRegistry,
  spool: Pick<ReviewSpool, 'spooled' | 'replayed' | 'unreadable' | 'replayInProgress'>,
  changes: Pick<ReviewSpool<SpooledChange>, 'unreadable'>,
): void {
  registry.countedBy('gate_review_spooled_total', 'Review items written to the local spool because Redis could not take them.', () => spool.spooled);
  registry.countedBy('gate_review_spool_replayed_total', 'Spooled review items replayed into the queue.', () => spool.replayed);
  registry.countedBy(
    'gate_spool_unreadable_total',
    'Spooled lines a replay could not read (torn by a crash of the machine), set aside in GATE_DATA_DIR/spool/*.unreadable.jsonl.',
    () => spool.unreadable + changes.unreadable,
  );
  registry.gauge('gate_review_spool_replaying', '1 while the spool is being replayed into Redis (new review items join the spool meanwhile).', () =>
    spool.replayInProgress ? 1 : 0,
  );
}
