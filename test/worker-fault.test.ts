// A matching worker that dies is replaced, and the listings it had in hand still
// get a verdict (review with reason degraded if their matching was lost; never a
// silent allow, never an error).
import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { startTestRedis } from './helpers/test-redis.js';
import { startTestGate } from './helpers/test-gate.js';

it('replaces a killed worker within 1 s and answers every request meanwhile', { timeout: 60_000 }, async () => {
  const redis = await startTestRedis();
  const gate = await startTestGate({ redisUrl: redis.url, env: { GATE_WORKERS: '2', GATE_DEFAULT_DEADLINE_MS: '1000' } });
  try {
    assert.equal(gate.pool.threadCount, 2);
    let stop = false;
    const verdicts = new Map<string, number>();
    let failures = 0;
    const load = async (n: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const response = await gate.post('/v1/check', { listingId: `W${n}-${i}`, sellerId: 's-w', title: `LV 高仿 handbag ${i}` });
        if (response.status !== 200) failures++;
        const body = (await response.json()) as { verdict?: string };
        verdicts.set(body.verdict ?? 'none', (verdicts.get(body.verdict ?? 'none') ?? 0) + 1);
      }
    };
    const running = [load(1), load(2), load(3), load(4)];
    await new Promise((r) => setTimeout(r, 300));
    const victim = gate.pool.workers()[0];
    assert.ok(victim);
    const killedId = victim.threadId;
    await victim.terminate();
    const started = performance.now();
    while (performance.now() - started < 1000) {
      if (gate.pool.threadCount === 2 && !gate.pool.workers().some((w) => w.threadId === killedId)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const back = performance.now() - started;
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(running);
    assert.ok(back < 1000, `pool back to 2 threads after ${back.toFixed(0)} ms`);
    assert.equal(failures, 0, 'every request was answered 200');
    assert.equal(verdicts.get('allow') ?? 0, 0, `no silent allow: ${JSON.stringify([...verdicts])}`);
    assert.ok((verdicts.get('block') ?? 0) > 0);
  } finally {
    await gate.stop();
    await redis.stop();
  }
});
