// Issue 8: past the bound on listings in the matching pool, checks are shed at
// once: answered `review` with reason degraded (text:shed), or 503 with
// retry-after, as configured; nothing hangs and nothing is silently allowed.
// Past the bound on checks in flight, a check is refused with 503 before its
// body is read, in either mode; so past the adaptive bound, which follows how long
// matching takes (the tests of the fixed bounds turn it off). Per-signal fail
// modes move a degraded verdict as configured.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { startTestRedis } from './helpers/test-redis.js';
import { admin, startTestGate } from './helpers/test-gate.js';

/** These bounds are the event loop's and the matching pool's: with check threads they hold only for the checks the event loop finishes. */
const POOL = { GATE_CHECK_THREADS: '0' };

async function burst(
  url: string,
  count: number,
): Promise<Array<{ status: number; retryAfter: string | null; body: { verdict?: string; reasons?: Array<{ code: string; ref: string }> } }>> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const response = await fetch(`${url}/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ listingId: `OV${i}`, sellerId: `s${i}`, title: `plain cotton tote number ${i}`, description: 'canvas '.repeat(500) }),
      });
      return {
        status: response.status,
        retryAfter: response.headers.get('retry-after'),
        body: (await response.json()) as { verdict?: string; reasons?: Array<{ code: string; ref: string }> },
      };
    }),
  );
}

describe('overload and fail modes', () => {
  it('sheds past the pool bound with review/degraded, never allow', { timeout: 60_000 }, async () => {
    const redis = await startTestRedis();
    const gate = await startTestGate({
      redisUrl: redis.url,
      env: { GATE_MAX_LISTINGS_IN_FLIGHT: '2', GATE_MAX_CHECKS_IN_FLIGHT: '1000', GATE_ADMISSION_TARGET_MS: '0', ...POOL },
    });
    try {
      const answers = await burst(gate.url, 300);
      assert.ok(answers.every((a) => a.status === 200));
      const shed = answers.filter((a) => a.body.reasons?.some((r) => r.ref === 'text:shed'));
      assert.ok(shed.length > 0, 'some checks were shed');
      assert.ok(
        shed.every((a) => a.body.verdict === 'review'),
        'a shed check is never allowed',
      );
      assert.ok(
        answers.some((a) => !a.body.reasons?.some((r) => r.code === 'degraded')),
        'others were matched in full',
      );
      const metrics = await (await fetch(`${gate.url}/metrics`)).text();
      assert.match(metrics, /gate_shed_total\{mode="review"\} [1-9]/);
    } finally {
      await gate.stop();
      await redis.stop();
    }
  });

  it('refuses checks past the bound on checks in flight with 503 and retry-after, in review mode too', { timeout: 60_000 }, async () => {
    const redis = await startTestRedis();
    const gate = await startTestGate({ redisUrl: redis.url, env: { GATE_MAX_CHECKS_IN_FLIGHT: '8', GATE_ADMISSION_TARGET_MS: '0', ...POOL } });
    try {
      const answers = await burst(gate.url, 300);
      const refused = answers.filter((a) => a.status === 503);
      const answered = answers.filter((a) => a.status === 200);
      assert.ok(refused.length > 0, 'some checks were refused');
      assert.ok(answered.length > 0, 'checks within the bound were answered');
      assert.equal(refused.length + answered.length, answers.length, 'every check was answered 200 or refused 503');
      for (const a of refused) {
        assert.equal(a.retryAfter, '1');
        assert.equal((a.body as { error?: { code?: string } }).error?.code, 'GATE_ERR_OVERLOADED');
      }
      const metrics = await (await fetch(`${gate.url}/metrics`)).text();
      assert.match(metrics, /gate_shed_total\{mode="503"\} [1-9]/);
      assert.match(metrics, /gate_checks_in_flight 0/, 'every admitted check was released');
    } finally {
      await gate.stop();
      await redis.stop();
    }
  });

  it('answers 503 with retry-after when configured to', { timeout: 60_000 }, async () => {
    const redis = await startTestRedis();
    const gate = await startTestGate({
      redisUrl: redis.url,
      env: { GATE_MAX_LISTINGS_IN_FLIGHT: '2', GATE_SHED_MODE: '503', GATE_ADMISSION_TARGET_MS: '0', ...POOL },
    });
    try {
      const answers = await burst(gate.url, 300);
      const refused = answers.filter((a) => a.status === 503);
      assert.ok(refused.length > 0);
      assert.ok(refused.every((a) => a.retryAfter === '1'));
      assert.ok(answers.every((a) => a.status === 200 || a.status === 503));
    } finally {
      await gate.stop();
      await redis.stop();
    }
  });

  it('fails open, closed or to review per signal while Redis is frozen', { timeout: 60_000 }, async () => {
    const redis = await startTestRedis();
    const gate = await startTestGate({ redisUrl: redis.url, env: { GATE_FAIL_MODES: 'lists:closed,ring:open' } });
    const redisOpen = await startTestRedis();
    const gateOpen = await startTestGate({ redisUrl: redisOpen.url, env: { GATE_FAIL_MODES: 'lists:open,ring:open' } });
    try {
      for (const g of [gate, gateOpen]) {
        await g.post('/v1/check', { listingId: 'W', sellerId: 'w', title: 'warm' });
        // A listed seller: the in-process table can only say "maybe", so Redis must answer.
        assert.equal((await g.post('/v1/admin/lists/sellers', { values: ['s-fm'] }, admin())).status, 200);
      }
      redis.redis.pause();
      redisOpen.redis.pause();
      const check = async (g: typeof gate) =>
        (await (await g.post('/v1/check', { listingId: 'FM1', sellerId: 's-fm', title: 'plain tote' }, { 'x-deadline-ms': '50' })).json()) as {
          verdict: string;
          reasons: Array<{ code: string; ref: string }>;
        };
      const closed = await check(gate);
      assert.equal(closed.verdict, 'block', 'lists fail closed');
      assert.ok(closed.reasons.some((r) => r.ref === 'lists:deadline'));
      const open = await check(gateOpen);
      assert.equal(open.verdict, 'allow', 'lists and ring fail open');
      assert.ok(
        open.reasons.some((r) => r.ref === 'lists:deadline'),
        'an open failure is still stated, not silent',
      );
    } finally {
      redis.redis.resume();
      redisOpen.redis.resume();
      await gate.stop();
      await gateOpen.stop();
      await redis.stop();
      await redisOpen.stop();
    }
  });

  it('lowers its bound on checks in flight while it is full and matching is slow, refuses the rest with 503, and leaves it alone while only Redis is slow', {
    timeout: 60_000,
  }, async () => {
    const redis = await startTestRedis();
    // A target no check can meet: every window in which the bound fills shrinks it.
    const gate = await startTestGate({
      redisUrl: redis.url,
      env: { GATE_ADMISSION_TARGET_MS: '1', GATE_MAX_CHECKS_IN_FLIGHT: '64', GATE_WORKERS: '1', ...POOL },
    });
    const relaxed = await startTestGate({
      redisUrl: redis.url,
      env: { GATE_ADMISSION_TARGET_MS: '100', GATE_ADMISSION_LOOP_DELAY_MS: '0', GATE_MAX_CHECKS_IN_FLIGHT: '32', ...POOL },
    });
    const gauge = async (g: typeof gate, name: string): Promise<number> =>
      Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(await (await fetch(`${g.url}/metrics`)).text())?.[1]);
    try {
      const seen = new Set<number>();
      for (let round = 0; round < 10 && Math.min(64, ...seen) >= 48; round++) {
        const answers = await burst(gate.url, 200);
        for (const a of answers) {
          assert.ok(a.status === 200 || a.status === 503, `status ${a.status}`);
          if (a.status === 503) {
            assert.equal(a.retryAfter, '1');
            assert.equal((a.body as { error?: { code?: string } }).error?.code, 'GATE_ERR_OVERLOADED');
          }
        }
        seen.add(await gauge(gate, 'gate_admission_limit'));
      }
      assert.ok(Math.min(...seen) < 48, `the bound shrank below the fixed one: ${[...seen].join(', ')}`);
      assert.ok((await gauge(gate, 'gate_admission_limit_decreases_total')) > 0);
      const limitNow = await gauge(gate, 'gate_admission_limit');
      const refusedNow = (await burst(gate.url, 100)).filter((a) => a.status === 503).length;
      assert.ok(refusedNow >= 100 - limitNow - 5, `past the shrunken bound (${limitNow}) checks are refused: ${refusedNow} of 100`);
      assert.equal(await gauge(gate, 'gate_checks_in_flight'), 0, 'every admitted check was released');

      // Redis frozen: checks of a listed seller wait until their deadline for it, which costs no CPU.
      assert.equal((await relaxed.post('/v1/admin/lists/sellers', { values: ['s-slow'] }, admin())).status, 200);
      redis.redis.pause();
      try {
        // Waves of 40 every 100 ms keep the bound full for as long as the slow answers take.
        const waves: Array<Promise<number[]>> = [];
        for (let wave = 0; wave < 6; wave++) {
          waves.push(
            Promise.all(
              Array.from(
                { length: 40 },
                async (_, i) =>
                  (await relaxed.post('/v1/check', { listingId: `SL${wave}-${i}`, sellerId: 's-slow', title: 'plain tote' }, { 'x-deadline-ms': '150' }))
                    .status,
              ),
            ),
          );
          await new Promise((r) => setTimeout(r, 100));
        }
        const slow = (await Promise.all(waves)).flat();
        assert.ok(slow.every((status) => status === 200 || status === 503));
        assert.ok(slow.filter((status) => status === 200).length >= 32 * 3, 'answered review/degraded up to the bound, not refused');
      } finally {
        redis.redis.resume();
      }
      // The bound moves when a matching comes after its window: a few more checks close the slow ones' window.
      for (let i = 0; i < 5; i++) {
        await new Promise((r) => setTimeout(r, 60));
        assert.equal((await relaxed.post('/v1/check', { listingId: `AF${i}`, sellerId: 's-after', title: 'plain tote' })).status, 200);
      }
      assert.equal(await gauge(relaxed, 'gate_admission_limit'), 32, 'waiting on Redis, with the bound full, did not lower it');
    } finally {
      await gate.stop();
      await relaxed.stop();
      await redis.stop();
    }
  });
});
