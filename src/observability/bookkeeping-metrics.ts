// What a check writes after its answer and the parts gave up on: one figure
// across the parts that hold such writes back for Redis.
import type { BacktestSample } from '../backtest/backtest-sample.js';
import type { BrandFigures } from '../enforcement/brand-figures.js';
import type { CauseLedger } from '../enforcement/cause-ledger.js';
import type { ListingVerdicts } from '../review/listing-verdicts.js';
import type { SellerRings } from '../rings/seller-rings.js';
import type { BookkeepingSpool } from '../redis/bookkeeping-spool.js';
import type { MetricsRegistry } from './metrics.js';

export interface BookkeepingParts {
  verdicts: Pick<ListingVerdicts, 'droppedRecords'>;
  figures: Pick<BrandFigures, 'droppedCounts'>;
  causes: Pick<CauseLedger, 'droppedCounts'>;
  rings: Pick<SellerRings, 'droppedLinks'>;
  /** Absent when GATE_BACKTEST_SAMPLE is 0. */
  sample: Pick<BacktestSample, 'dropped'> | undefined;
  /** Where what Redis did not take is kept instead. */
  spool: Pick<BookkeepingSpool, 'spooled' | 'replayed' | 'unreadable'>;
}

export function registerBookkeepingMetrics(registry: MetricsRegistry, parts: BookkeepingParts): void {
  const { verdicts, figures, causes, rings, sample, spool } = parts;
  registry.countedBy(
    'gate_bookkeeping_dropped_total',
    "A check's bookkeeping written after the answer and lost: Redis did not take it in time and the local spool could not keep it either (gate_bookkeeping_spooled_total counts what it kept; the backtest sample is not spooled).",
    () => [
      { labels: { what: 'verdict-record' }, value: verdicts.droppedRecords },
      { labels: { what: 'brand-figure' }, value: figures.droppedCounts },
      { labels: { what: 'block-cause' }, value: causes.droppedCounts },
      { labels: { what: 'ring-link' }, value: rings.droppedLinks },
      { labels: { what: 'backtest-sample' }, value: sample?.dropped ?? 0 },
    ],
    ['what'],
  );
  registry.countedBy(
    'gate_bookkeeping_spooled_total',
    "A check's bookkeeping Redis did not take in time (or left when the gate stopped), kept in GATE_DATA_DIR/spool instead of dropped.",
    () => [...spool.spooled].map(([what, value]) => ({ labels: { what }, value })),
    ['what'],
  );
  registry.countedBy(
    'gate_bookkeeping_spool_replayed_total',
    'Spooled bookkeeping entries written to Redis once it answered.',
    () => [...spool.replayed].map(([what, value]) => ({ labels: { what }, value })),
    ['what'],
  );
  registry.countedBy(
    'gate_bookkeeping_spool_unreadable_total',
    'Spooled bookkeeping lines a replay could not read (torn by a crash of the machine), set aside in GATE_DATA_DIR/spool/bookkeeping-*.unreadable.jsonl.',
    () => spool.unreadable,
  );
}
