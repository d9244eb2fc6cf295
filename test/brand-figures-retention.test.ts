// Per-brand figures by day have an end (issue 23): each day's hash and its decision
// times expire GATE_FIGURES_RETENTION_DAYS after their last write, whichever way
// they were written (the publish path's gathered counts, a direct count, a decision time).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BrandFigures, DEFAULT_FIGURES_RETENTION_DAYS } from '../src/enforcement/brand-figures.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { redisSuite } from './helpers/redis-suite.js';
import { silentLog } from '../src/observability/gate-logger.js';

describe('per-brand figures retention', () => {
  const suite = redisSuite();

  it('gives every day key it writes the retention window, counted from the last write', async () => {
    const keys = redisKeys('bf1:');
    const figures = new BrandFigures(suite.client, keys, silentLog, 2);
    figures.countLater(['acme'], 'blockedAtPublish', '2026-03-01T10:00:00Z');
    await figures.flush();
    await figures.count(['acme'], 'complaintsFiled', '2026-03-02T10:00:00Z');
    await figures.decisionTime(['acme'], 42, '2026-03-03T10:00:00Z');
    for (const key of [keys.figures('2026-03-01'), keys.figures('2026-03-02'), keys.decisionTimes('2026-03-03')]) {
      const ttl = await suite.operator.ttl(key);
      assert.ok(ttl > 2 * 86_400 - 60 && ttl <= 2 * 86_400, `${key} expires two days after its last write: ${ttl}`);
    }
    const report = await figures.report('2026-03-01', '2026-03-03', () => true);
    assert.deepEqual(
      report.map((row) => [row.day, row.counts.blockedAtPublish, row.counts.complaintsFiled, row.decisions]),
      [
        ['2026-03-01', 1, 0, 0],
        ['2026-03-02', 0, 1, 0],
        ['2026-03-03', 0, 0, 1],
      ],
    );
  });

  it('keeps a year’s report and more by default', () => {
    assert.ok(DEFAULT_FIGURES_RETENTION_DAYS > 366);
  });
});
