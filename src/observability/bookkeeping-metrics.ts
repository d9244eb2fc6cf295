// What a check writes after its answer and the parts gave up on: one figure
// across the parts that hold such writes back for Redis.
import type { BacktestSample } from '../backtest/backtest-sample.js';
import type { BrandFigures } from '../enforcement/brand-figures.js';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import type { SellerRings } from '../rings/seller-rings.js';
import type { MetricsRegistry } from './metrics.js';

export interface BookkeepingParts {
  verdicts: Pick<ListingVerdicts, 'droppedRecords'>;
  figures: Pick<BrandFigures, 'droppedCounts'>;
  causes: Pick<CauseLedger, 'droppedCounts'>;
  rings: Pick<SellerRings, 'droppedLinks'>;
  /** Absent when GATE_BACKTEST_SAMPLE is 0. */
  sample: Pick<BacktestSample, 'dropped'> | undefined;
}

export function registerBookkeepingMetrics(registry: MetricsRegistry, parts: BookkeepingParts): void {
  const { verdicts, figures, causes, rings, sample } = parts;
  registry.gauge('gate_bookkeeping_dropped_total', "A check's bookkeeping written after the answer and given up on because Redis did not take it in time (verdict records; brand figures, block causes and ring links are kept and retried while they fit).", () => [
    { labels: { what: 'verdict-record' }, value: verdicts.droppedRecords },
    { labels: { what: 'brand-figure' }, value: figures.droppedCounts },
    { labels: { what: 'block-cause' }, value: causes.droppedCounts },
    { labels: { what: 'ring-link' }, value: rings.droppedLinks },
    { labels: { what: 'backtest-sample' }, value: sample?.dropped ?? 0 },
  ]);
}
