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
      assert.throws(() => loadConfig({ GATE_ALLOW_RETENTION_DAYS: bad }), (error: Error) => error.message.includes('GATE_ALLOW_RETENTION_DAYS must be a number of days'), bad);
    }
  });
});
