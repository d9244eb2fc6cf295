// /metrics as Prometheus reads it (issue 27, point 4): every family has HELP and
// TYPE once, a counter's name ends in `_total` and a name ending in `_total` is a
// counter, a histogram has, for each label set, its buckets with increasing `le`
// ending in +Inf, its sum and its count, and every sample belongs to a declared
// family, with valid names and no series twice. The rules `promtool check metrics`
// applies to names and types, checked on a running gate's answer.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { startTestGate, type TestGate } from './helpers/test-gate.js';

interface Sample {
  name: string;
  labels: Map<string, string>;
  value: number;
  line: string;
}

interface Family {
  type: string;
  help: boolean;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SAMPLE = /^([^\s{]+)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([^=,\s]+)="((?:[^"\\]|\\.)*)"(,|$)/y;

function labelsOf(text: string, line: string): Map<string, string> {
  const labels = new Map<string, string>();
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const found = LABEL.exec(text);
    assert.ok(found, `labels not in the text format: ${line}`);
    const [, name, value] = found as unknown as [string, string, string];
    assert.match(name, LABEL_NAME, `label name ${name}: ${line}`);
    assert.ok(!name.startsWith('__'), `label name ${name} is reserved: ${line}`);
    assert.ok(!labels.has(name), `label ${name} twice: ${line}`);
    labels.set(name, value);
  }
  return labels;
}

function numberOf(text: string, line: string): number {
  if (/^nan$/i.test(text)) return Number.NaN;
  if (/^[+-]inf$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  const value = Number(text);
  assert.ok(!Number.isNaN(value), `not a number: ${line}`);
  return value;
}

/** The exposition text's families, asserting the format's rules line by line. */
export function families(text: string): Map<string, Family> {
  const out = new Map<string, Family>();
  const family = (name: string): Family => {
    assert.match(name, METRIC_NAME, `metric name ${name}`);
    let found = out.get(name);
    if (!found) out.set(name, (found = { type: '', help: false, samples: [] }));
    return found;
  };
  const seen = new Set<string>();
  let current = '';
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const help = /^# HELP (\S+) \S/.exec(line);
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (help) {
      const name = help[1] as string;
      assert.equal(family(name).help, false, `HELP twice for ${name}`);
      family(name).help = true;
      current = name;
    } else if (type) {
      const name = type[1] as string;
      assert.equal(family(name).type, '', `TYPE twice for ${name}`);
      assert.equal(family(name).samples.length, 0, `TYPE of ${name} after its samples`);
      family(name).type = type[2] as string;
      current = name;
    } else {
      assert.ok(!line.startsWith('#'), `a comment that is neither HELP nor TYPE: ${line}`);
      const sample = SAMPLE.exec(line);
      assert.ok(sample, `not a sample line: ${line}`);
      const name = sample[1] as string;
      assert.match(name, METRIC_NAME, `metric name: ${line}`);
      const labels = labelsOf(sample[2] ?? '', line);
      const base = out.get(name)?.type === 'histogram' ? name : out.get(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
      assert.ok(out.get(base)?.type, `${line}: its family has no TYPE before it`);
      assert.equal(base, current, `${line}: not in its family's group (the family ${current} is open)`);
      if (out.get(base)?.type !== 'histogram') assert.equal(name, base, `${line}: a _bucket/_sum/_count sample in a ${out.get(base)?.type}`);
      const key = `${name}{${[...labels].sort().join()}}`;
      assert.ok(!seen.has(key), `series twice: ${line}`);
      seen.add(key);
      out.get(base)?.samples.push({ name, labels, value: numberOf(sample[3] as string, line), line });
    }
  }
  return out;
}

/** A histogram's samples by label set (le left out): buckets with increasing bounds ending in +Inf, then _sum and _count. */
function checkHistogram(name: string, samples: Sample[]): void {
  const sets = new Map<string, { buckets: Array<[number, number]>; sum?: number; count?: number }>();
  for (const s of samples) {
    const rest = [...s.labels].filter(([k]) => k !== 'le');
    const key = JSON.stringify(rest.sort());
    let set = sets.get(key);
    if (!set) sets.set(key, (set = { buckets: [] }));
    if (s.name === `${name}_bucket`) {
      const le = s.labels.get('le');
      assert.ok(le !== undefined, `${s.line}: a bucket without le`);
      set.buckets.push([numberOf(le, s.line), s.value]);
    } else if (s.name === `${name}_sum`) set.sum = s.value;
    else if (s.name === `${name}_count`) set.count = s.value;
    else assert.fail(`${s.line}: neither _bucket, _sum nor _count of ${name}`);
  }
  assert.ok(sets.size > 0, `${name} has no samples`);
  for (const [key, set] of sets) {
    const where = `${name}${key}`;
    assert.ok(set.buckets.length > 0, `${where}: no buckets`);
    for (let i = 1; i < set.buckets.length; i++) {
      const [le, count] = set.buckets[i] as [number, number];
      const [lowerLe, lowerCount] = set.buckets[i - 1] as [number, number];
      assert.ok(le > lowerLe, `${where}: le ${le} after ${lowerLe}`);
      assert.ok(count >= lowerCount, `${where}: bucket ${le} counts ${count}, less than bucket ${lowerLe}'s ${lowerCount}`);
    }
    const [lastLe, lastCount] = set.buckets.at(-1) as [number, number];
    assert.equal(lastLe, Infinity, `${where}: the last bucket is not +Inf`);
    assert.ok(set.sum !== undefined, `${where}: no _sum`);
    assert.equal(set.count, lastCount, `${where}: _count is the +Inf bucket's`);
  }
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
    const response = await gate.get('/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.ok(text.endsWith('\n'), 'the text ends with a line feed');
    const found = families(text);
    assert.ok(found.size > 50, `${found.size} families`);
    for (const [name, family] of found) {
      assert.ok(family.help, `${name} has no HELP`);
      assert.ok(['counter', 'gauge', 'histogram'].includes(family.type), `${name}: type ${family.type}`);
      assert.equal(name.endsWith('_total'), family.type === 'counter', `${name} is a ${family.type}: a counter's name ends in _total, and only a counter's`);
      if (family.type === 'histogram') checkHistogram(name, family.samples);
      if (family.type === 'counter') for (const s of family.samples) assert.ok(!(s.value < 0), `${s.line}: a negative counter`);
    }
  });

  it("has prom-client's process and Node series, and counts the check it answered", async () => {
    const found = families(await (await gate.get('/metrics')).text());
    for (const [name, type] of [
      ['process_cpu_user_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['process_open_fds', 'gauge'],
      ['nodejs_heap_size_used_bytes', 'gauge'],
      ['nodejs_external_memory_bytes', 'gauge'],
      ['nodejs_gc_duration_seconds', 'histogram'],
      ['gate_event_loop_delay_seconds', 'histogram'],
      ['gate_check_duration_seconds', 'histogram'],
      ['gate_checks_total', 'counter'],
    ] as const)
      assert.equal(found.get(name)?.type, type, `${name} is a ${type}`);
    const checks = found.get('gate_checks_total')?.samples ?? [];
    assert.equal(
      checks.reduce((n, s) => n + s.value, 0),
      1,
      checks.map((s) => s.line).join('\n'),
    );
    assert.ok(
      checks.every((s) => s.labels.has('verdict')),
      'by verdict',
    );
    const count = found.get('gate_check_duration_seconds')?.samples.find((s) => s.name === 'gate_check_duration_seconds_count');
    assert.equal(count?.value, 1, 'the check is in the duration histogram');
  });
});
