// Every endpoint against every kind of caller (issue 8): no token, an unknown
// token, and a token of each role. A caller of another role is refused (401 for
// no or an unknown token, 403 for a known token of another role) before anything
// is done, and each refusal is counted; the endpoint's own role gets past the
// check (its answer may still be a 400 for the empty body, a 404 for the made-up
// ids, never a 401 or 403). Admin may act in every role.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const HOLDER_TOKEN = 'matrix-holder-token-0123456789';
type Caller = 'none' | 'unknown' | 'publisher' | 'reviewer' | 'rights_holder' | 'admin';
const TOKENS: Record<Caller, string | undefined> = {
  none: undefined,
  unknown: 'not-a-token-of-this-gate-0123',
  publisher: PUBLISHER_TOKEN,
  reviewer: REVIEWER_TOKEN,
  rights_holder: HOLDER_TOKEN,
  admin: ADMIN_TOKEN,
};
type Role = Exclude<Caller, 'none' | 'unknown'>;

interface Endpoint {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  role: Role;
}

const rh = '/v1/rights-holder';
const ENDPOINTS: Endpoint[] = [
  { method: 'POST', path: '/v1/check', role: 'publisher' },
  { method: 'POST', path: '/v1/check/seller', role: 'publisher' },
  { method: 'POST', path: '/v1/reports', role: 'publisher' },
  { method: 'GET', path: '/v1/listings/L-matrix/verdict', role: 'publisher' },
  { method: 'POST', path: '/v1/listings/L-matrix/appeal', role: 'publisher' },
  { method: 'GET', path: '/v1/appeals/ap-matrix', role: 'publisher' },
  { method: 'GET', path: '/v1/review/next', role: 'reviewer' },
  { method: 'POST', path: '/v1/review/rv-matrix/decision', role: 'reviewer' },
  { method: 'POST', path: '/v1/review/decisions', role: 'reviewer' },
  { method: 'POST', path: '/v1/review/rv-matrix/hold', role: 'reviewer' },
  { method: 'POST', path: '/v1/review/rv-matrix/release', role: 'reviewer' },
  { method: 'POST', path: '/v1/review/rv-matrix/undo', role: 'reviewer' },
  { method: 'GET', path: '/v1/review/stats', role: 'reviewer' },
  { method: 'GET', path: '/v1/review/sellers/s-matrix/history', role: 'reviewer' },
  { method: 'GET', path: `${rh}/brands`, role: 'rights_holder' },
  { method: 'GET', path: `${rh}/brands/b-matrix`, role: 'rights_holder' },
  { method: 'PUT', path: `${rh}/brands/b-matrix`, role: 'rights_holder' },
  { method: 'DELETE', path: `${rh}/brands/b-matrix`, role: 'rights_holder' },
  { method: 'PUT', path: `${rh}/brands/b-matrix/claim`, role: 'rights_holder' },
  { method: 'POST', path: `${rh}/brands/b-matrix/fingerprints/images`, role: 'rights_holder' },
  { method: 'DELETE', path: `${rh}/brands/b-matrix/fingerprints/images`, role: 'rights_holder' },
  { method: 'GET', path: `${rh}/brands/b-matrix/fingerprints/texts`, role: 'rights_holder' },
  { method: 'POST', path: `${rh}/brands/b-matrix/fingerprints/images/sharing`, role: 'rights_holder' },
  { method: 'POST', path: `${rh}/brands/b-matrix/sellers`, role: 'rights_holder' },
  { method: 'DELETE', path: `${rh}/brands/b-matrix/sellers`, role: 'rights_holder' },
  { method: 'GET', path: `${rh}/brands/b-matrix/sellers`, role: 'rights_holder' },
  { method: 'POST', path: `${rh}/complaints`, role: 'rights_holder' },
  { method: 'GET', path: `${rh}/complaints`, role: 'rights_holder' },
  { method: 'GET', path: `${rh}/complaints/c-matrix`, role: 'rights_holder' },
  { method: 'GET', path: `${rh}/trust`, role: 'rights_holder' },
  { method: 'GET', path: `${rh}/figures`, role: 'rights_holder' },
  { method: 'GET', path: '/v1/admin/pack', role: 'admin' },
  { method: 'PUT', path: '/v1/admin/pack', role: 'admin' },
  { method: 'POST', path: '/v1/admin/lists/sellers', role: 'admin' },
  { method: 'DELETE', path: '/v1/admin/lists/sellers', role: 'admin' },
  { method: 'GET', path: '/v1/admin/lists/sellers/s-matrix', role: 'admin' },
  { method: 'POST', path: '/v1/admin/fingerprints/images', role: 'admin' },
  { method: 'DELETE', path: '/v1/admin/fingerprints/images', role: 'admin' },
  { method: 'GET', path: '/v1/admin/fingerprints/texts', role: 'admin' },
  { method: 'GET', path: '/v1/admin/review/dead-letters', role: 'admin' },
  { method: 'GET', path: '/v1/admin/webhooks/dead-letters', role: 'admin' },
  { method: 'POST', path: '/v1/admin/webhooks/dead-letters/1-0/redeliver', role: 'admin' },
  { method: 'DELETE', path: '/v1/admin/webhooks/dead-letters/1-0', role: 'admin' },
  { method: 'GET', path: '/v1/admin/audit', role: 'admin' },
  { method: 'GET', path: '/v1/admin/audit/verify', role: 'admin' },
  { method: 'GET', path: '/v1/admin/claims', role: 'admin' },
  { method: 'POST', path: '/v1/admin/claims/h-matrix/b-matrix', role: 'admin' },
  { method: 'GET', path: '/v1/admin/transparency', role: 'admin' },
  { method: 'GET', path: '/v1/admin/demotions', role: 'admin' },
  { method: 'DELETE', path: '/v1/admin/demotions/rule:matrix', role: 'admin' },
  { method: 'GET', path: '/v1/admin/rings/s-matrix', role: 'admin' },
  { method: 'GET', path: '/v1/admin/rings/s-matrix/clue-package', role: 'admin' },
  { method: 'DELETE', path: '/v1/admin/listings/L-matrix', role: 'admin' },
  { method: 'DELETE', path: '/v1/admin/sellers/s-matrix/data', role: 'admin' },
];

describe('the role matrix', () => {
  let redis: TestRedis;
  let gate: TestGate;
  before(async () => {
    redis = await startTestRedis();
    gate = await startTestGate({
      redisUrl: redis.url,
      publisherTokens: true,
      env: { GATE_RIGHTS_HOLDER_TOKENS: `matrix-holder:${HOLDER_TOKEN}`, GATE_AUTH_FAILURE_LIMIT: '100000' },
    });
  });
  after(async () => {
    await gate.stop();
    await redis.stop();
  });

  const call = (endpoint: Endpoint, caller: Caller): Promise<Response> => {
    const token = TOKENS[caller];
    const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
    if (endpoint.method === 'GET') return fetch(gate.url + endpoint.path, { headers });
    return fetch(gate.url + endpoint.path, { method: endpoint.method, headers: { ...headers, 'content-type': 'application/json' }, body: '{}' });
  };
  const authFailures = async (): Promise<number> => {
    const text = await (await gate.get('/metrics')).text();
    return [...text.matchAll(/^gate_auth_failures_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  };

  it('refuses every caller of another role, on every endpoint, and counts each refusal', async () => {
    const wrong: string[] = [];
    let refusals = 0;
    const countedBefore = await authFailures();
    for (const endpoint of ENDPOINTS) {
      for (const caller of Object.keys(TOKENS) as Caller[]) {
        if (caller === endpoint.role || caller === 'admin') continue;
        const response = await call(endpoint, caller);
        const expected = caller === 'none' || caller === 'unknown' ? 401 : 403;
        refusals++;
        if (response.status !== expected) wrong.push(`${endpoint.method} ${endpoint.path} as ${caller}: ${response.status}, expected ${expected}`);
        else {
          const body = (await response.json()) as { error?: { code?: string } };
          const code = expected === 401 ? 'GATE_ERR_UNAUTHORIZED' : 'GATE_ERR_FORBIDDEN';
          if (body.error?.code !== code) wrong.push(`${endpoint.method} ${endpoint.path} as ${caller}: code ${String(body.error?.code)}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
    assert.equal((await authFailures()) - countedBefore, refusals, 'each refusal counted in gate_auth_failures_total');
  });

  it("lets each endpoint's own role and admin past the role check", async () => {
    const wrong: string[] = [];
    for (const endpoint of ENDPOINTS) {
      // Admin acts in every role, but a rights holder's endpoints are about one holder's own data, which admin has none of.
      const callers: Caller[] = endpoint.role === 'rights_holder' ? ['rights_holder'] : [endpoint.role, 'admin'];
      for (const caller of callers) {
        const response = await call(endpoint, caller);
        if (response.status === 401 || response.status === 403 || response.status >= 500)
          wrong.push(`${endpoint.method} ${endpoint.path} as ${caller}: ${response.status} ${await response.text()}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
