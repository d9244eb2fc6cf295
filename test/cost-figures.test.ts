// The cost view's arithmetic: a counter's growth between two /metrics readings,
// by label (load/metrics-counter.ts), and rounds reduced to their medians, the
// busiest named thread of each round with the busiest of the others (load/cost-median.ts).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { counterDelta, counterSeries } from '../load/metrics-counter.js';
import { median, medianFigures } from '../load/cost-median.js';
import type { CostFigures } from '../load/cost-results.js';

describe('cost figures', () => {
  it('reads what a counter counted between two readings, by label', () => {
    const reading = (minor: number, major?: number): string =>
      [
        '# TYPE nodejs_gc_duration_seconds histogram',
        `nodejs_gc_duration_seconds_sum{kind="minor"} ${minor}`,
        ...(major === undefined ? [] : [`nodejs_gc_duration_seconds_sum{kind="major"} ${major}`]),
        'nodejs_gc_duration_seconds_sum_other 9',
        'gate_checks_total 5',
      ].join('\n');
    const delta = counterDelta(
      counterSeries(reading(0.5), 'nodejs_gc_duration_seconds_sum'),
      counterSeries(reading(0.75, 0.125), 'nodejs_gc_duration_seconds_sum'),
      'kind',
    );
    assert.deepEqual(delta, { minor: 0.25, major: 0.125 });
    assert.deepEqual(counterDelta(counterSeries(reading(0), 'gate_checks_total'), counterSeries(reading(0), 'gate_checks_total'), 'verdict'), { '': 0 });
  });

  it('takes each figure median of the rounds, named threads by rank', () => {
    const round = (total: number, threads: number[], gc: number | undefined): CostFigures => ({
      answered: 100,
      non2xx: 0,
      errors: 0,
      latencyMs: { p50: total / 100, p90: 1, p99: 2, p999: 3, max: 4 },
      cpu: {
        total,
        eventLoop: total / 2,
        eventLoopGc: gc,
        named: threads.map((micros) => ({ name: 'gate-match', micros })),
        other: 1,
        redis: 2,
        otherChildren: 0,
      },
      generator: { cpuShareOfCore: 0.1, microsPerCheck: 40, loopDelayP99Ms: 1, machineSteal: 0 },
      gate: gc === undefined ? undefined : { verdicts: { allow: total }, degradedSignals: 0, gcMicrosByKind: { minor: gc } },
    });
    const m = medianFigures([round(300, [60, 20], 3), round(200, [50, 10], 2), round(400, [70], 9)]);
    assert.equal(m.cpu.total, 300);
    assert.deepEqual(m.cpu.named, [
      { name: 'gate-match', micros: 60 },
      { name: 'gate-match', micros: 15 },
    ]);
    assert.equal(m.cpu.eventLoopGc, 3);
    assert.deepEqual(m.gate?.verdicts, { allow: 300 });
    assert.equal(medianFigures([round(10, [], undefined)]).gate, undefined);
    assert.ok(Number.isNaN(median([])));
  });
});
