// /metrics as Prometheus reads it (issue 27, point 4): every family has HELP and
// TYPE once, a counter's name ends in `_total` and a name ending in `_total` is a
// counter, a histogram has its buckets, sum and count, and every sample belongs to
// a declared family. The rules `promtool check metrics` applies to names and types.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { startTestGate, type TestGate } from './helpers/test-gate.js';

interface Family {
  type: string;
  help: boolean;
  samples: string[];
}

function families(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  const family = (name: string): Family => {
    let found = out.get(name);
    if (!found) out.set(name, (found = { type: '', help: false, samples: [] }));
    return found;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP (\S+) \S/.exec(line);
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (help) {
      assert.equal(family(help[1] as string).help, false, `HELP twice for ${help[1]}`);
      family(help[1] as string).help = true;
    } else if (type) {
      assert.equal(family(type[1] as string).type, '', `TYPE twice for ${type[1]}`);
      family(type[1] as string).type = type[2] as string;
    } else {
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
      assert.ok(sample, `not a sample line: ${line}`);
      assert.ok(!Number.isNaN(Number(sample[3])) || sample[3] === 'NaN', `not a number: ${line}`);
      const name = sample[1] as string;
      const base = out.get(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
      assert.ok(out.get(base)?.type, `${line}: its family has no TYPE before it`);
      out.get(base)?.samples.push(line);
    }
  }
  return out;
}

describe('/metrics exposition', () => {
  let redis: TestRedis;
  let gate: TestGate;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({ redisUrl: redis.url });
    await gate.post('/v1/check', { listingId: 'M1', sellerId: 's-m', title: 'kids building blocks' });
  });
  after(async () => {
    await gate?.stop();
    await redis?.stop();
  });

  it('names counters *_total and only counters, declares every family once, and gives histograms their series', async () => {
    const text = await (await gate.get('/metrics')).text();
    const found = families(text);
    assert.ok(found.size > 50, `${found.size} families`);
    for (const [name, family] of found) {
      assert.ok(family.help, `${name} has no HELP`);
      assert.ok(['counter', 'gauge', 'histogram'].includes(family.type), `${name}: type ${family.type}`);
      assert.equal(name.endsWith('_total'), family.type === 'counter', `${name} is a ${family.type}: a counter's name ends in _total, and only a counter's`);
      if (family.type === 'histogram') {
        for (const part of ['_bucket{le="+Inf"}', '_sum', '_count'])
          assert.ok(
            family.samples.some((s) => s.startsWith(name + part)),
            `${name} lacks ${part}`,
          );
      }
    }
  });
});
