// Retention windows are days, fractions allowed down to about a minute (the state
// soak runs windows of minutes); a bad value is refused naming the variable.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config/gate-config.js';

describe('retention windows', () => {
  it('takes fractional days and refuses what is not a window, naming the variable', () => {
    const config = loadConfig({ GATE_ALLOW_RETENTION_DAYS: '0.0014', GATE_RETENTION_DAYS: '7.5' });
    assert.equal(config.allowRetentionDays, 0.0014);
    assert.equal(config.retentionDays, 7.5);
    assert.equal(loadConfig({}).allowRetentionDays, 30);
    for (const bad of ['0', '-1', 'a week', '4000', '0.0001']) {
      assert.throws(
        () => loadConfig({ GATE_ALLOW_RETENTION_DAYS: bad }),
        (error: Error) => error.message.includes('GATE_ALLOW_RETENTION_DAYS must be a number of days'),
        bad,
      );
    }
    // How long a dead review item waits for an admin before it lapses (issue 23).
    assert.equal(loadConfig({}).reviewDeadLapseDays, 30);
    assert.equal(loadConfig({ GATE_REVIEW_DEAD_LAPSE_DAYS: '0.5' }).reviewDeadLapseDays, 0.5);
    for (const bad of ['0', '-3', 'a month', '4000']) {
      assert.throws(
        () => loadConfig({ GATE_REVIEW_DEAD_LAPSE_DAYS: bad }),
        (error: Error) => error.message.includes(`GATE_REVIEW_DEAD_LAPSE_DAYS must be a number of days from 0.0007 (about a minute) to 3650, got "${bad}"`),
        bad,
      );
    }
  });
});
