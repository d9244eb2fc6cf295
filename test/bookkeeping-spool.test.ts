// A check's bookkeeping that Redis does not take (down while the gate answers, or
// when it stops) is kept on local disk and written once Redis answers, by the next
// gate on the same GATE_DATA_DIR: a blocked listing's record, its evidence, is not
// lost to an outage.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { connectRedis } from '../src/redis/connect-redis.js';
import { BookkeepingSpool } from '../src/redis/bookkeeping-spool.js';
import { HashCounters } from '../src/redis/hash-counters.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { ListingVerdicts, type ListingVerdict } from '../src/review/listing-verdicts.js';
import { callGate, eventually } from './helpers/gate-calls.js';
import { admin, REVIEWER_TOKEN, startTestGate } from './helpers/test-gate.js';
import { startTestRedis } from './helpers/test-redis.js';
import { silentLog } from '../src/observability/gate-logger.js';

const blocked: ListingVerdict = {
  listingId: 'BK1',
  verdict: 'block' as const,
  decidedBy: 'gate',
  decidedAt: new Date().toISOString(),
  reasons: [{ code: 'blocklist_seller', ref: 's-bk' }],
};

describe('bookkeeping Redis did not take', () => {
  it('keeps verdict records and counts on disk when Redis is down at close, and writes them once it answers', { timeout: 60_000 }, async () => {
    const redis = await startTestRedis();
    const dir = mkdtempSync(join(tmpdir(), 'gate-bookkeeping-'));
    const keys = redisKeys('bk:');
    const client = await connectRedis(redis.url, 'bookkeeping-test');
    try {
      const spool = new BookkeepingSpool(dir);
      const verdicts = new ListingVerdicts(client, keys, { spool });
      const counters = new HashCounters(client, 'test counters', silentLog, 60_000, undefined, spool);
      await redis.redis.stop();
      verdicts.recordLater(blocked, { listingId: 'BK1', sellerId: 's-bk', title: 'a listed seller' });
      for (let i = 0; i < 3; i++) counters.add('bk:counts', 'blocked');
      await verdicts.close();
      await counters.close();
      await spool.close();
      assert.equal(verdicts.droppedRecords, 0, 'nothing dropped');
      assert.deepEqual(
        [...spool.spooled],
        [
          ['verdict-record', 1],
          ['test-counter', 1],
        ],
      );
      assert.ok(readdirSync(dir).includes('bookkeeping-verdict-record.jsonl'), readdirSync(dir).join(', '));

      await redis.redis.start();
      // The next process on the same folder: its own spool and writers.
      const next = await connectRedis(redis.url, 'bookkeeping-test-next');
      try {
        const spoolAgain = new BookkeepingSpool(dir);
        const verdictsAgain = new ListingVerdicts(next, keys, { spool: spoolAgain });
        new HashCounters(next, 'test counters', silentLog, 60_000, undefined, spoolAgain);
        assert.equal(await spoolAgain.pending(), true);
        assert.equal(await spoolAgain.replay(), 2);
        assert.equal(await spoolAgain.pending(), false, 'the spool is emptied once written');
        const record = await verdictsAgain.getStored('BK1');
        assert.equal(record?.verdict, 'block');
        assert.equal(record?.listing?.title, 'a listed seller', 'the evidence came with it');
        const direct = new Redis(redis.adminUrl);
        assert.equal(await direct.hget('bk:counts', 'blocked'), '3');
        direct.disconnect();
        await spoolAgain.close();
      } finally {
        next.disconnect();
      }
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it("answers a blocked listing's verdict after the gate that blocked it stopped with Redis down", { timeout: 120_000 }, async () => {
    const redis = await startTestRedis();
    const dataDir = mkdtempSync(join(tmpdir(), 'gate-data-'));
    const prefix = 'bkgate:';
    const env = { GATE_DATA_DIR: dataDir };
    let gate = await startTestGate({ redisUrl: redis.url, prefix, env });
    try {
      assert.equal((await gate.post('/v1/admin/lists/sellers', { values: ['s-bk'] }, admin())).status, 200);
      await eventually('the listed seller to be blocked', async () => {
        const body = (await (await gate.post('/v1/check', { listingId: 'BK-warm', sellerId: 's-bk', title: 'kids building blocks' })).json()) as {
          verdict: string;
        };
        return body.verdict === 'block' ? true : undefined;
      });
      await redis.redis.stop();
      const answer = (await (await gate.post('/v1/check', { listingId: 'BK-out', sellerId: 's-bk', title: 'kids building blocks' })).json()) as {
        verdict: string;
        checkId: string;
      };
      assert.equal(answer.verdict, 'block', JSON.stringify(answer));
      await gate.stop();
      assert.ok(
        readdirSync(join(dataDir, 'spool')).some((name) => name.startsWith('bookkeeping-verdict-record')),
        'the record was spooled',
      );

      await redis.redis.start();
      gate = await startTestGate({ redisUrl: redis.url, prefix, env });
      const verdict = await eventually(
        'the spooled record to be written',
        async () => {
          const read = await callGate(gate, 'GET', '/v1/listings/BK-out/verdict', REVIEWER_TOKEN);
          return read.status === 200 ? (read.body as { verdict: string; checkId: string }) : undefined;
        },
        15_000,
      );
      assert.equal(verdict.verdict, 'block');
      assert.equal(verdict.checkId, answer.checkId, 'the record of that check');
    } finally {
      await gate.stop();
      await redis.stop();
    }
  });
});
