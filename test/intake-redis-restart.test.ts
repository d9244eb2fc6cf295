// The intake across a crash of its Redis (issue 25 point 2, "nothing lost"): a
// gate reading GATE_INTAKE_STREAM while its Redis is killed mid-stream and
// started again waits, resumes, and gives every entry exactly one verdict.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { it } from 'node:test';
import { startTestRedis } from './helpers/test-redis.js';
import { startTestGate } from './helpers/test-gate.js';
import { eventually } from './helpers/gate-calls.js';
import { addEntries, pendingCount, readStream } from './helpers/intake-streams.js';
import { intakeKeys } from '../src/redis/redis-keys.js';

const ENTRIES = 3_000;

it(`gives each of ${ENTRIES.toLocaleString('en')} intake entries one verdict through a kill -9 and a restart of Redis`, { timeout: 120_000 }, async () => {
  const redis = await startTestRedis();
  const prefix = `t${randomUUID().slice(0, 8)}:`;
  const stream = `${prefix}{intake}`;
  const gate = await startTestGate({ redisUrl: redis.url, prefix, env: { GATE_INTAKE_STREAM: stream, GATE_INTAKE_CLAIM_IDLE_MS: '2000' } });
  let admin = new Redis(redis.adminUrl, { maxRetriesPerRequest: null });
  try {
    const listing = (i: number): string =>
      JSON.stringify({ listingId: `IR-${i}`, sellerId: `s-ir${i % 50}`, title: i % 7 === 0 ? `super copy handbag no.${i}` : `plain cotton t-shirt no.${i}` });
    const ids = await addEntries(
      admin,
      stream,
      Array.from({ length: ENTRIES }, (_, i) => ({ listing: listing(i) })),
    );
    const verdictsKey = intakeKeys(stream).verdicts;
    // Kill Redis once the intake is part-way through, then bring it back a second later.
    await eventually('some verdicts written', async () => ((await admin.xlen(verdictsKey)) > 0 ? true : undefined), 30_000);
    assert.ok((await admin.xlen(verdictsKey)) < ENTRIES, 'Redis is killed before the intake is through');
    admin.disconnect();
    await redis.redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await redis.redis.start();
    admin = new Redis(redis.adminUrl, { maxRetriesPerRequest: null });
    const written = await eventually(
      `a verdict for each of ${ENTRIES} entries`,
      async () => {
        const records = await readStream(admin, verdictsKey);
        return records.length >= ENTRIES && (await pendingCount(admin, stream)) === 0 ? records : undefined;
      },
      60_000,
    );
    const byEntry = new Map<string, number>();
    for (const record of written) byEntry.set(String(record.fields.entryId), (byEntry.get(String(record.fields.entryId)) ?? 0) + 1);
    assert.deepEqual(
      ids.filter((id) => byEntry.get(id) !== 1),
      [],
      'every entry has exactly one verdict',
    );
    assert.equal(written.length, ENTRIES);
  } finally {
    admin.disconnect();
    await gate.stop();
    await redis.stop();
  }
});
