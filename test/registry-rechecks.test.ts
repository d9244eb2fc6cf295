// The once-a-minute look at the brand registry, on a short interval: each turn
// asks again, a failed turn is logged and the next one still runs, and stop()
// ends it. The pack manager is a stand-in that counts calls: the subject is the
// timer; what recheckRegistry does is tested with the rights holders' tests.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { startRegistryRechecks } from '../src/pack/registry-rechecks.js';
import { messageLog } from '../src/observability/gate-logger.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('registry rechecks', () => {
  it('asks every turn, logs a failed turn and goes on, and stops', async () => {
    let calls = 0;
    const logs: string[] = [];
    const packs = {
      recheckRegistry: async (): Promise<void> => {
        calls++;
        if (calls === 2) throw new Error('Redis went away');
      },
    };
    const rechecks = startRegistryRechecks(
      packs,
      messageLog((message) => logs.push(message)),
      20,
    );
    await sleep(150);
    rechecks.stop();
    const stoppedAt = calls;
    assert.ok(stoppedAt >= 3, `${stoppedAt} turns in 150 ms`);
    assert.deepEqual(logs, ['registry recheck: Redis went away']);
    await sleep(80);
    assert.equal(calls, stoppedAt, 'no turn after stop()');
  });
});
