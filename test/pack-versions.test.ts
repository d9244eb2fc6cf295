// Pack versions, rollback, diff and staged rollout (issue 26 point 4) against
// real Redis and two real gates: a rollback is in force on both within a second
// and builds nothing, a diff names what changed by kind and id, a 10% rollout
// judges about 10% of 2,000 sellers with the candidate and the same seller always
// with the same pack, raising it to 100% makes it live, a rollback cancels one,
// and every step is in the audit log.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { admin, startTestGate, type TestGate } from './helpers/test-gate.js';
import { checkAll, corpusAndPack, putPack, until, type CheckAnswer } from './helpers/policy-corpus.js';

const { pack: basePack, name } = corpusAndPack();
const base = basePack as { brands: Array<{ id: string }>; indicators: Array<Record<string, unknown>>; rules: Array<Record<string, unknown>> };
const TERM = 'rollbackprobe';
const v1 = { ...basePack, packVersion: 'v1' };
const v2 = {
  ...basePack,
  packVersion: 'v2',
  brands: base.brands.slice(0, -1),
  indicators: [...base.indicators.map((ind, i) => (i === 0 ? { ...ind, mode: 'shadow' } : ind)), { term: TERM, score: 100, withBrand: 100 }],
  rules: base.rules.map((rule, i) => (i === 0 ? { ...rule, score: Number(rule.score) + 1 } : rule)),
};
const v3 = { ...basePack, packVersion: 'v3', indicators: [...base.indicators, { term: TERM, score: 100, withBrand: 100 }] };
const probe = (sellerId = 's-probe'): Record<string, unknown> => ({ listingId: `L-${sellerId}`, sellerId, title: `plain cotton tee ${TERM}` });

async function json(gate: TestGate, method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(gate.url + path, {
    method,
    headers: { ...admin(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function versionOn(gate: TestGate, sellerId = 's-probe'): Promise<string> {
  return ((await (await gate.post('/v1/check', probe(sellerId))).json()) as CheckAnswer).policyVersion;
}

async function compiledCount(gate: TestGate): Promise<number> {
  const text = await (await gate.get('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith('gate_pack_builds_total{how="compiled"}'));
  return line === undefined ? 0 : Number(line.split(' ').pop());
}

describe(`pack versions, rollback, diff, staged rollout (${name})`, () => {
  let redis: TestRedis;
  let a: TestGate;
  let b: TestGate;
  before(async () => {
    redis = await startTestRedis();
    a = await startTestGate({ redisUrl: redis.url, prefix: 'versions:', pack: v1 });
    b = await startTestGate({ redisUrl: redis.url, prefix: 'versions:', pack: v1 });
    assert.equal((await putPack(a, v2)).status, 200);
    assert.ok((await until(async () => (await versionOn(b)) === 'v2', 5000)) < 5000, 'B did not take v2');
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.stop();
  });

  it('lists the versions made live, newest first, with who and when', async () => {
    const { status, body } = await json(a, 'GET', '/v1/admin/pack/versions');
    assert.equal(status, 200);
    assert.equal(body.live.version, 'v2');
    const versions = body.versions as Array<{ version: string; action: string; who: string; at: string; key: string; patterns: number }>;
    assert.deepEqual(
      versions.map((v) => [v.version, v.action, v.who]),
      [
        ['v2', 'replace', 'admin'],
        ['v1', 'start', 'GATE_PACK'],
      ],
    );
    for (const v of versions) assert.ok(v.key.length > 0 && v.patterns > 0 && !Number.isNaN(Date.parse(v.at)));
  });

  it('says what changed between two versions, by kind and id', async () => {
    const { status, body } = await json(a, 'GET', '/v1/admin/pack/diff?from=v1&to=v2');
    assert.equal(status, 200);
    const first = base.indicators[0]?.term as string;
    assert.deepEqual(body.added, { indicator: [TERM] });
    assert.deepEqual(body.removed, { brand: [base.brands.at(-1)?.id] });
    assert.deepEqual(body.changed, {
      indicator: [{ id: first, fields: [], mode: { from: 'enforce', to: 'shadow' } }],
      rule: [{ id: base.rules[0]?.id, fields: ['score'] }],
    });
    assert.deepEqual(body.settings, []);
    const back = await json(a, 'GET', '/v1/admin/pack/diff?from=v2&to=v1');
    assert.deepEqual(back.body.added, { brand: [base.brands.at(-1)?.id] });
    assert.equal((await json(a, 'GET', '/v1/admin/pack/diff?from=v1&to=nope')).status, 404);
  });

  it('rolls back on both instances within 1 s, building nothing', async (t) => {
    const compiledBefore = [await compiledCount(a), await compiledCount(b)];
    const started = performance.now();
    const rolledBack = json(a, 'POST', '/v1/admin/pack/rollback', { version: 'v1' });
    const [onA, onB] = await Promise.all([a, b].map((gate) => until(async () => (await versionOn(gate)) === 'v1', 3000)));
    const answer = await rolledBack;
    t.diagnostic(
      `rollback answered in ${answer.body.tookMillis} ms (${answer.body.how}); v1 judged checks on A after ${onA?.toFixed(0)} ms, on B after ${onB?.toFixed(0)} ms of the call (${(performance.now() - started).toFixed(0)} ms in all)`,
    );
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.how, 'memory');
    assert.ok((onA ?? Infinity) <= 1000, `A took ${onA} ms`);
    assert.ok((onB ?? Infinity) <= 1000, `B took ${onB} ms`);
    assert.deepEqual([await compiledCount(a), await compiledCount(b)], compiledBefore, 'a rollback compiled a pack');
    const blocked = (await (await b.post('/v1/check', probe())).json()) as CheckAnswer;
    assert.equal(
      blocked.reasons.some((r) => r.ref === TERM),
      false,
      'v2 still judges on B',
    );
  });

  it('judges about 10% of 2,000 sellers with a 10% candidate, each seller always with the same pack; 100% makes it live', async (t) => {
    const staged = await putPack(a, v3, '?rolloutPercent=10');
    assert.equal(staged.status, 200, JSON.stringify(staged.body));
    assert.equal(staged.body.percent, 10);
    assert.ok((await until(async () => (await json(b, 'GET', '/v1/admin/entries?mode=shadow')).status === 200, 1000)) < 1000);
    const sellers = Array.from({ length: 2000 }, (_, i) => probe(`seller-${i}`));
    // Both instances must have heard of the rollout: a seller the candidate judges says so on each.
    const judged = await checkAll(sellers, () => a);
    const candidateSeller = sellers[judged.findIndex((x) => x.policyVersion === 'v3')]?.sellerId as string;
    assert.ok((await until(async () => (await versionOn(b, candidateSeller)) === 'v3', 2000)) < 2000, 'B does not judge with the candidate');
    const first = await checkAll(sellers, (i) => (i % 2 === 0 ? a : b));
    const second = await checkAll(sellers, (i) => (i % 2 === 0 ? b : a));
    const share = first.filter((x) => x.policyVersion === 'v3').length / sellers.length;
    t.diagnostic(`${(share * 100).toFixed(1)}% of 2,000 sellers judged by v3`);
    assert.ok(share >= 0.08 && share <= 0.12, `share ${share}`);
    first.forEach((x, i) => {
      assert.equal(second[i]?.policyVersion, x.policyVersion, `seller-${i} judged by ${x.policyVersion} then ${second[i]?.policyVersion}`);
      // The candidate's indicator blocks only where the candidate judges.
      assert.equal(x.verdict === 'block', x.policyVersion === 'v3', `seller-${i}: ${x.verdict} under ${x.policyVersion}`);
    });
    const raised = await json(a, 'POST', '/v1/admin/pack/rollout', { version: 'v3', percent: 100 });
    assert.equal(raised.status, 200, JSON.stringify(raised.body));
    assert.equal(raised.body.live, 'v3');
    const notCandidate = sellers[first.findIndex((x) => x.policyVersion === 'v1')]?.sellerId as string;
    for (const gate of [a, b]) assert.ok((await until(async () => (await versionOn(gate, notCandidate)) === 'v3', 2000)) < 2000, 'v3 is not live everywhere');
    assert.equal((await json(b, 'GET', '/v1/admin/pack/rollout')).body.version, null);
  });

  it('cancels a rollout with a rollback, and records every step in the audit log', async () => {
    assert.equal((await json(a, 'POST', '/v1/admin/pack/rollout', { version: 'v2', percent: 50 })).status, 200);
    assert.equal((await json(b, 'GET', '/v1/admin/pack/rollout')).body.percent, 50);
    const sellers = Array.from({ length: 200 }, (_, i) => probe(`after-${i}`));
    const candidateSellers = (await checkAll(sellers, () => a)).flatMap((x, i) => (x.policyVersion === 'v2' ? [sellers[i] ?? {}] : []));
    assert.ok(candidateSellers.length > 50, `${candidateSellers.length} of 200 sellers judged by the 50% candidate before the rollback`);
    const rolledBack = await json(b, 'POST', '/v1/admin/pack/rollback', { version: 'v1' });
    assert.equal(rolledBack.body.rolloutCancelled, true);
    assert.equal((await json(a, 'GET', '/v1/admin/pack/rollout')).body.version, null);
    // How soon the rollback is in force is timed on ten of the candidate's sellers, so that a slow round of 200 checks is not counted as propagation.
    for (const gate of [a, b]) {
      const tookMs = await until(async () => (await checkAll(candidateSellers.slice(0, 10), () => gate)).every((x) => x.policyVersion === 'v1'), 2000);
      assert.ok(tookMs < 2000, `the rollback was not in force on ${gate.url} within 2 s`);
      const stillOther = (await checkAll(sellers, () => gate)).flatMap((x, i) =>
        x.policyVersion === 'v1' ? [] : [`${sellers[i]?.sellerId}: ${x.policyVersion}`],
      );
      assert.deepEqual(stillOther, [], `sellers not judged by v1 after the rollback on ${gate.url}`);
    }
    const bad = await json(a, 'POST', '/v1/admin/pack/rollout', { version: 'v2', percent: 101 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, 'percent');
    const records = ((await json(a, 'GET', '/v1/admin/audit?count=1000')).body.records as Array<{ record: { what: string; subject?: string } }>).map(
      (r) => `${r.record.what} ${r.record.subject ?? ''}`,
    );
    for (const step of ['pack:replace v2', 'pack:rollback v1', 'pack:candidate v3', 'pack:rollout v3', 'pack:promote v3', 'pack:rollout v2'])
      assert.ok(records.includes(step), `audit log lacks ${step}: ${records.join(', ')}`);
    assert.equal(records.filter((r) => r === 'pack:rollback v1').length, 2);
  });
});
