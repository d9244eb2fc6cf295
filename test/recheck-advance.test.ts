// advance-recheck.lua refuses a batch it cannot emit whole before its first
// write: Redis keeps a script's writes when it fails part-way, so a failure after
// the counters moved would count them twice when the batch is emitted again.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { recheckKeys } from '../src/redis/redis-keys.js';
import { RecheckStore, type RecheckAdvance } from '../src/recheck/recheck-store.js';
import { redisSuite } from './helpers/redis-suite.js';

const SOURCE = 'source';
const LEASE_MS = 60_000;

describe('emitting a re-check batch', () => {
  const suite = redisSuite();

  /** A running job over a three-entry stream, its lease held; returns the store, the job id and the batch that emits it. */
  async function runningJob(prefix: string): Promise<{ store: RecheckStore; batch: RecheckAdvance }> {
    const keys = recheckKeys(prefix);
    const store = new RecheckStore(suite.client, keys, `${prefix}outbox`, { retentionSeconds: 3600, verdictsMaxLen: 1000, webhooks: true });
    const source = `${prefix}${SOURCE}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await suite.client.xadd(source, '*', 'listing', `{"listingId":"l${i}"}`)) as string);
    await store.create('job', source, 'stream', false, undefined);
    assert.equal(await store.takeLease('job', 'token', LEASE_MS), true);
    const records = ids.map((entryId, i) => ({
      entryId,
      listingId: `l${i}`,
      previous: 'allow',
      verdict: 'block',
      changed: true,
      payload: '{"verdict":"block"}',
      event: JSON.stringify({ eventId: `e${i}`, type: 'verdict.changed' }),
    }));
    const batch = {
      id: 'job',
      token: 'token',
      from: '0-0',
      to: ids[2] as string,
      entries: 3,
      rate: 100,
      finished: true,
      counts: new Map([['changed:allow->block', 3]]),
      records,
    };
    return { store, batch };
  }

  async function written(prefix: string): Promise<{ fields: Record<string, string>; verdicts: number; outbox: number }> {
    const keys = recheckKeys(prefix);
    return {
      fields: await suite.operator.hgetall(keys.job('job')),
      verdicts: await suite.operator.xlen(keys.verdicts('job')),
      outbox: (await suite.operator.type(`${prefix}outbox`)) === 'stream' ? await suite.operator.xlen(`${prefix}outbox`) : 0,
    };
  }

  it('a batch whose last webhook event is unreadable writes nothing; emitted again whole, each count is counted once', async () => {
    const { store, batch } = await runningJob('bad-event:');
    const records = batch.records.map((r, i) => (i === 2 ? { ...r, event: '{"eventId":' } : r));
    await assert.rejects(store.advance({ ...batch, records }));
    let now = await written('bad-event:');
    assert.equal(now.fields['changed:allow->block'], undefined);
    assert.equal(now.fields.done, '0');
    assert.equal(now.fields.cursor, '0-0');
    assert.equal(now.verdicts, 0);
    assert.equal(now.outbox, 0);

    assert.equal((await store.advance(batch)).status, 'emitted');
    now = await written('bad-event:');
    assert.equal(now.fields['changed:allow->block'], '3');
    assert.equal(now.fields.done, '3');
    assert.equal(now.fields.state, 'done');
    assert.equal(now.verdicts, 3);
    assert.equal(now.outbox, 3);
  });

  it('an outbox that is not a stream refuses the batch before anything is counted', async () => {
    const { store, batch } = await runningJob('bad-outbox:');
    await suite.operator.set('bad-outbox:outbox', 'not a stream');
    await assert.rejects(store.advance(batch));
    const now = await written('bad-outbox:');
    assert.equal(now.fields['changed:allow->block'], undefined);
    assert.equal(now.fields.done, '0');
    assert.equal(now.verdicts, 0);
  });

  it('a counter that is not an integer refuses the batch before anything is counted or emitted', async () => {
    const { store, batch } = await runningJob('bad-count:');
    await suite.operator.hset(recheckKeys('bad-count:').job('job'), 'unrecorded', 'x');
    await assert.rejects(store.advance({ ...batch, counts: new Map([...batch.counts, ['unrecorded', 1]]) }));
    const now = await written('bad-count:');
    assert.equal(now.fields['changed:allow->block'], undefined);
    assert.equal(now.fields.done, '0');
    assert.equal(now.verdicts, 0);
    assert.equal(now.outbox, 0);
  });
});
