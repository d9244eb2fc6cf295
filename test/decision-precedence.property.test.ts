// Issue 29's property: for random interleavings of checks, reviewers' decisions
// on complaints and appeals, undos and restarts about one listing, the final
// verdict is the one a person decided last (the gate's, if no person decided),
// on every instance, in the verdict record, and in the last webhook event a
// receiver accepted (by sequence). Real Redis, two real gates, a real receiver.
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { verifyWebhook } from '../src/webhook/standard-webhook.js';
import { callGate } from './helpers/gate-calls.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';

const HOLDER = 'acme-property-token-0123456789';
const SECRET = 'webhook-property-secret-0123';
const CLAIM = {
  registrationNumber: 'TM-8',
  jurisdiction: 'CN',
  classes: [18],
  evidence: ['docs://cert.pdf'],
  validFrom: '2020-01-01',
  validUntil: '2099-12-31',
};
const prefix = 'precedence:';

type Decision = 'allow' | 'block';
type Step =
  | { kind: 'check'; gate: 0 | 1 }
  | { kind: 'complaint'; decision: Decision }
  | { kind: 'appeal'; decision: Decision }
  | { kind: 'redecide'; decision: Decision }
  | { kind: 'restart'; gate: 0 | 1 };

let redis: TestRedis;
const gates: TestGate[] = [];
let env: Record<string, string>;
let receiver: Server;
/** The receiver's view: per listing, the accepted event with the highest sequence. */
const latest = new Map<string, { sequence: number; verdict: string }>();
const seen = new Set<string>();

const call = callGate;

async function decide(gate: TestGate, reviewId: string, decision: Decision): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const items = (await call(gate, 'GET', '/v1/review/next?count=50', REVIEWER_TOKEN)).body.items as Array<{ reviewId: string }>;
    for (const other of items) if (other.reviewId !== reviewId) await call(gate, 'POST', `/v1/review/${other.reviewId}/release`, REVIEWER_TOKEN, {});
    if (items.some((i) => i.reviewId === reviewId)) {
      const result = await call(gate, 'POST', `/v1/review/${reviewId}/decision`, REVIEWER_TOKEN, { decision });
      assert.equal(result.status, 200, JSON.stringify(result.body));
      return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`item ${reviewId} never came up`);
}

describe('decision precedence (property)', () => {
  before(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const check = verifyWebhook(SECRET, req.headers, body, { seen });
        if (!check.ok) {
          res.writeHead(check.why === 'replayed' ? 200 : 400).end(check.why);
          return;
        }
        const event = JSON.parse(body) as { listingId: string; verdict: string; sequence?: number };
        const sequence = event.sequence ?? 0;
        if ((latest.get(event.listingId)?.sequence ?? -1) < sequence) latest.set(event.listingId, { sequence, verdict: event.verdict });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    env = {
      GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER}`,
      GATE_WEBHOOK_URL: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      GATE_WEBHOOK_SECRET: SECRET,
      GATE_TRUST_MIN_DECIDED: '1000000', // never trusted with takedowns: every complaint goes through a reviewer
    };
    redis = await startTestRedis();
    for (let i = 0; i < 2; i++) gates.push(await startTestGate({ redisUrl: redis.url, prefix, publisherTokens: true, env }));
    const a = gates[0] as TestGate;
    assert.equal((await call(a, 'PUT', '/v1/rights-holder/brands/quillmark', HOLDER, { names: ['Quillmark'], categories: ['bags'] })).status, 200);
    assert.equal((await call(a, 'PUT', '/v1/rights-holder/brands/quillmark/claim', HOLDER, CLAIM)).status, 200);
    assert.equal((await call(a, 'POST', '/v1/admin/claims/acme/quillmark', ADMIN_TOKEN, { decision: 'verify' })).status, 200);
  });
  after(async () => {
    for (const gate of gates) await gate.stop();
    await redis?.stop();
    receiver?.close();
  });

  it('ends on the verdict a person decided last, everywhere', async () => {
    const decision = fc.constantFrom<Decision>('allow', 'block');
    const gate = fc.constantFrom<0 | 1>(0, 1);
    const step: fc.Arbitrary<Step> = fc.oneof(
      { weight: 3, arbitrary: gate.map((g) => ({ kind: 'check', gate: g }) as Step) },
      { weight: 2, arbitrary: decision.map((d) => ({ kind: 'complaint', decision: d }) as Step) },
      { weight: 2, arbitrary: decision.map((d) => ({ kind: 'appeal', decision: d }) as Step) },
      { weight: 1, arbitrary: decision.map((d) => ({ kind: 'redecide', decision: d }) as Step) },
      { weight: 1, arbitrary: gate.map((g) => ({ kind: 'restart', gate: g }) as Step) },
    );
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 7 }), async (steps) => {
        const listingId = `PP-${++run}-${Date.now()}`;
        const listing = { listingId, sellerId: 's-prop', title: 'LV 高仿 手提包' };
        const GATE_VERDICT = 'block';
        let lastPerson: Decision | undefined;
        /** The review item a person decided last, and who may undo it. */
        let lastItem: string | undefined;
        const any = (): TestGate => gates[0] as TestGate;
        assert.equal((await call(any(), 'POST', '/v1/check', PUBLISHER_TOKEN, listing)).body.verdict, GATE_VERDICT);
        for (const s of steps) {
          if (s.kind === 'check') {
            const answer = (await call(gates[s.gate] as TestGate, 'POST', '/v1/check', PUBLISHER_TOKEN, listing)).body;
            assert.equal(answer.verdict, lastPerson ?? GATE_VERDICT, `a check after ${JSON.stringify(steps)}`);
          } else if (s.kind === 'complaint') {
            const filed = await call(any(), 'POST', '/v1/rights-holder/complaints', HOLDER, { brandId: 'quillmark', reason: 'fake', listingIds: [listingId] });
            const reviewId = filed.body.results[0].complaint.reviewId as string;
            await decide(gates[1] as TestGate, reviewId, s.decision);
            lastPerson = s.decision;
            lastItem = reviewId;
          } else if (s.kind === 'appeal') {
            const record = (await call(any(), 'GET', `/v1/listings/${listingId}/verdict`, PUBLISHER_TOKEN)).body;
            if (record.verdict !== 'block') continue; // only a blocked listing can be appealed
            const appealed = await call(any(), 'POST', `/v1/listings/${listingId}/appeal`, PUBLISHER_TOKEN, { sellerId: 's-prop', reason: 'genuine' });
            assert.equal(appealed.status, 200, JSON.stringify(appealed.body));
            if (appealed.body.appeal.status !== 'pending') continue;
            await decide(gates[0] as TestGate, appealed.body.appeal.reviewId, s.decision);
            lastPerson = s.decision;
            lastItem = appealed.body.appeal.reviewId;
          } else if (s.kind === 'redecide') {
            if (!lastItem) continue;
            // The reviewer takes the last decision back and decides again.
            assert.equal((await call(any(), 'POST', `/v1/review/${lastItem}/undo`, REVIEWER_TOKEN, {})).status, 200);
            await decide(gates[1] as TestGate, lastItem, s.decision);
            lastPerson = s.decision;
          } else {
            await (gates[s.gate] as TestGate).stop();
            gates[s.gate] = await startTestGate({ redisUrl: redis.url, prefix, publisherTokens: true, env });
          }
        }
        const expected = lastPerson ?? GATE_VERDICT;
        for (const g of gates) {
          assert.equal((await call(g, 'POST', '/v1/check', PUBLISHER_TOKEN, listing)).body.verdict, expected, `checked after ${JSON.stringify(steps)}`);
          await new Promise((r) => setTimeout(r, 20)); // the check's own record is written behind
          assert.equal(
            (await call(g, 'GET', `/v1/listings/${listingId}/verdict`, PUBLISHER_TOKEN)).body.verdict,
            expected,
            `recorded after ${JSON.stringify(steps)}`,
          );
        }
        if (lastPerson !== undefined) {
          const until = Date.now() + 10_000;
          while (latest.get(listingId)?.verdict !== expected && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
          assert.equal(latest.get(listingId)?.verdict, expected, `the receiver's last event after ${JSON.stringify(steps)}`);
        }
      }),
      { numRuns: 12, endOnFailure: true },
    );
  });
});
