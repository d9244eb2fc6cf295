// The machine-readable API (issue 27 point 1) against a real gate: GET
// /openapi.json is a structurally sound OpenAPI 3.1 document naming exactly the
// routes the gate registered (its route table, not a list kept here), each with
// the tokens the gate really asks for; POST /v1/check's schemas agree with the
// gate on sample requests and answers; /docs/ renders every route under the
// reviewer page's headers.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import type { OpenApiDocument, Operation, Schema } from '../src/openapi/openapi-types.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { HTTP_METHODS } from '../src/openapi/openapi-types.js';
import { schemaProblems } from './helpers/json-schema-check.js';
import { structuralProblems } from './helpers/openapi-structure.js';
import { ADMIN_TOKEN, PUBLISHER_TOKEN, REVIEWER_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const METRICS_TOKEN = 'test-metrics-token-0123456789';
const HOLDER_TOKEN = 'test-holder-token-0123456789';
const TOKENS = { publisher: PUBLISHER_TOKEN, reviewer: REVIEWER_TOKEN, rightsHolder: HOLDER_TOKEN, metrics: METRICS_TOKEN, admin: ADMIN_TOKEN } as const;

let redis: TestRedis;
let gate: TestGate;
let document: OpenApiDocument;

before(async () => {
  redis = await startTestRedis();
  gate = await startTestGate({
    redisUrl: redis.url,
    publisherTokens: true,
    // Every role configured, so every route asks for its token; the security test sends hundreds of calls without one.
    env: { GATE_METRICS_TOKEN: METRICS_TOKEN, GATE_RIGHTS_HOLDER_TOKENS: `acme:${HOLDER_TOKEN}`, GATE_AUTH_FAILURE_LIMIT: '1000000' },
  });
  document = (await (await gate.get('/openapi.json')).json()) as OpenApiDocument;
});
after(async () => {
  await gate?.stop();
  await redis?.stop();
});

function operations(doc: OpenApiDocument): Array<{ method: string; path: string; op: Operation }> {
  return Object.entries(doc.paths).flatMap(([path, item]) => HTTP_METHODS.flatMap((method) => (item[method] ? [{ method, path, op: item[method] }] : [])));
}

/** A path of the document with each parameter filled in. */
function concrete(path: string): string {
  return path.replace(/\{[^}]+\}/g, 'x');
}

describe('GET /openapi.json', () => {
  it('answers an OpenAPI 3.1 document as JSON, without a token', async () => {
    const response = await gate.get('/openapi.json');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json');
    const body = (await response.json()) as { openapi?: unknown; info?: { version?: unknown } };
    assert.match(String(body.openapi), /^3\.1\.\d+$/);
    assert.equal(typeof body.info?.version, 'string');
  });

  it('is structurally valid: responses everywhere, every $ref resolves, path parameters declared', () => {
    assert.deepEqual(structuralProblems(document), []);
  });

  it('names every route the gate registers (event loop and check threads), and no other', () => {
    assert.ok(gate.routes.length > 50, `the gate reports ${gate.routes.length} routes`);
    if (gate.checkThreads) assert.ok(gate.checkThreads.routes.length > 0, 'the check threads reported their routes');
    const registered = new Set(gate.routes.map((r) => `${r.method} ${r.pattern.replace(/:([^/]+)/g, '{$1}')}`));
    const documented = new Set(operations(document).map(({ method, path }) => `${method.toUpperCase()} ${path}`));
    assert.deepEqual(
      { missingFromDocument: [...registered].filter((r) => !documented.has(r)), notRegistered: [...documented].filter((d) => !registered.has(d)) },
      { missingFromDocument: [], notRegistered: [] },
    );
  });

  it('declares the tokens the gate asks for on each route', async () => {
    const wrong: string[] = [];
    for (const { method, path, op } of operations(document)) {
      const roles = op.security.flatMap((requirement) => Object.keys(requirement));
      const open = op.security.length === 0;
      const call = (token?: string) =>
        fetch(gate.url + concrete(path), { method: method.toUpperCase(), headers: token ? { authorization: `Bearer ${token}` } : {} });
      const anonymous = (await call()).status;
      if (open ? [401, 403].includes(anonymous) : anonymous !== 401) wrong.push(`${method.toUpperCase()} ${path} without a token: ${anonymous}`);
      for (const [role, token] of Object.entries(TOKENS)) {
        const status = (await call(token)).status;
        const refused = status === 401 || status === 403;
        const declared = open || roles.includes(role);
        if (declared === refused) wrong.push(`${method.toUpperCase()} ${path} with a ${role} token: ${status}, ${declared ? 'declared' : 'not declared'}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe('405 and 404 from the route table', () => {
  it('answers 405 on every documented path for a method it does not take, and 404 off them', async () => {
    const wrong: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of HTTP_METHODS.filter((m) => !item[m])) {
        const response = await fetch(gate.url + concrete(path), { method: method.toUpperCase(), headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        const body = (await response.json()) as { error?: { code?: string } };
        if (response.status !== 405 || body.error?.code !== 'GATE_ERR_METHOD_NOT_ALLOWED') wrong.push(`${method.toUpperCase()} ${path}: ${response.status}`);
      }
    }
    for (const path of ['/nope', '/v1/review/x', '/v1/admin/lists/x/y/z', '/v1/admin/audit/verify/x']) {
      const response = await gate.get(path);
      await response.arrayBuffer();
      if (response.status !== 404) wrong.push(`GET ${path}: ${response.status}`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe("POST /v1/check's schemas", () => {
  const schema = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
  const base = { listingId: 'oa-1', sellerId: 's-oa', title: 'Plain cotton t-shirt' };
  const samples: Array<[string, unknown]> = [
    ['the three required fields', base],
    [
      'every field',
      {
        ...base,
        shopId: 'shop-1',
        description: 'soft',
        brand: 'none',
        category: 'tops',
        price: { amount: 0, currency: 'USD' },
        images: [{ url: 'https://example.com/a.png', phash: '0123456789ABCDEF' }, {}],
        seller: { phoneHash: 'p', deviceId: 'd', paymentAccountHash: 'a', addressHash: 'h' },
        attributes: { material: 'cotton' },
      },
    ],
    ['a field the contract does not name', { ...base, colour: 'white' }],
    ['a title of 512 characters', { ...base, title: 't'.repeat(512) }],
    ['50 attributes', { ...base, attributes: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) }],
    ['20 images', { ...base, images: Array.from({ length: 20 }, () => ({ phash: 'ffffffffffffffff' })) }],
    ['no listingId', { sellerId: 's', title: 't' }],
    ['no sellerId', { listingId: 'l', title: 't' }],
    ['no title', { listingId: 'l', sellerId: 's' }],
    ['a title that is a number', { ...base, title: 42 }],
    ['an empty title', { ...base, title: '' }],
    ['a title of 513 characters', { ...base, title: 't'.repeat(513) }],
    ['a listingId of 129 characters', { ...base, listingId: 'l'.repeat(129) }],
    ['a null sellerId', { ...base, sellerId: null }],
    ['an empty shopId', { ...base, shopId: '' }],
    ['a description of 20,001 characters', { ...base, description: 'd'.repeat(20_001) }],
    ['a brand of 513 characters', { ...base, brand: 'b'.repeat(513) }],
    ['a category of 129 characters', { ...base, category: 'c'.repeat(129) }],
    ['a price without currency', { ...base, price: { amount: 10 } }],
    ['a negative price', { ...base, price: { amount: -1, currency: 'CNY' } }],
    ['a price amount as a string', { ...base, price: { amount: '10', currency: 'CNY' } }],
    ['a lower-case currency', { ...base, price: { amount: 10, currency: 'cny' } }],
    ['a price that is a string', { ...base, price: '10 CNY' }],
    ['images that are an object', { ...base, images: { phash: 'ffffffffffffffff' } }],
    ['21 images', { ...base, images: Array.from({ length: 21 }, () => ({})) }],
    ['a phash that is not 16 hex digits', { ...base, images: [{ phash: 'xyz' }] }],
    ['a null image', { ...base, images: [null] }],
    ['an empty image url', { ...base, images: [{ url: '' }] }],
    ['a seller that is an array', { ...base, seller: ['p'] }],
    ['an empty phone hash', { ...base, seller: { phoneHash: '' } }],
    ['a device id that is a number', { ...base, seller: { deviceId: 7 } }],
    ['51 attributes', { ...base, attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) }],
    ['an attribute that is a number', { ...base, attributes: { size: 42 } }],
    ['an attribute of 2,001 characters', { ...base, attributes: { note: 'n'.repeat(2001) } }],
    ['an attribute key of 129 characters', { ...base, attributes: { ['k'.repeat(129)]: 'v' } }],
    ['a body that is an array', [base]],
    ['a body that is a string', 'a listing'],
  ];

  it('agrees with the gate on which sample requests are valid', async () => {
    const disagreements: string[] = [];
    let accepted = 0;
    for (const [name, sample] of samples) {
      const problems = schemaProblems(document, schema('CheckRequest'), sample);
      const response = await gate.post('/v1/check', JSON.stringify(sample), { authorization: `Bearer ${PUBLISHER_TOKEN}` });
      await response.arrayBuffer();
      if (response.status !== 200 && response.status !== 400) disagreements.push(`${name}: the gate answered ${response.status}`);
      else if ((response.status === 200) !== (problems.length === 0))
        disagreements.push(`${name}: the gate answered ${response.status}, the schema says ${problems.length === 0 ? 'valid' : problems.join('; ')}`);
      if (response.status === 200) accepted++;
    }
    assert.deepEqual(disagreements, []);
    assert.ok(accepted > 0 && accepted < samples.length, `${accepted} of ${samples.length} accepted: the samples must hold both`);
  });

  it('describes the answer and the error body the gate sends', async () => {
    const listing = { listingId: 'oa-answer', sellerId: 's-oa', title: 'super copy 高仿 handbag', images: [{ phash: '0123456789abcdef' }] };
    const ok = await gate.post('/v1/check', listing, { authorization: `Bearer ${PUBLISHER_TOKEN}` });
    assert.equal(ok.status, 200);
    const answer: unknown = await ok.json();
    assert.deepEqual(schemaProblems(document, schema('CheckResponse'), answer), []);
    assert.ok(
      schemaProblems(document, schema('CheckResponse'), { ...(answer as object), surprise: 1 }).length > 0,
      'a field the schema does not name is refused',
    );

    const bad = await gate.post('/v1/check', { ...listing, title: 42 }, { authorization: `Bearer ${PUBLISHER_TOKEN}` });
    assert.equal(bad.status, 400);
    const badRequest = document.components.responses.BadRequest?.content?.['application/json']?.schema;
    assert.ok(badRequest);
    assert.deepEqual(schemaProblems(document, badRequest, await bad.json()), []);
  });
});

describe("the pack's JSON Schema", () => {
  const demo = (): Record<string, unknown> => JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;
  const change = (edit: (pack: Record<string, any>) => void): Record<string, unknown> => {
    const pack = demo();
    edit(pack);
    return pack;
  };
  // Shapes only: what needs the gate's code (normalization, duplicates, review above block) is not the schema's.
  const samples: Array<[string, unknown]> = [
    ['the demo pack', demo()],
    [
      'a shadow list entry, rule and banked image',
      change((p) => {
        p.lists = { sellers: ['s-1', { value: 's-2', mode: 'shadow' }] };
        p.rules.push({ id: 'shadowed', type: 'literal', pattern: 'copy', score: 10, mode: 'shadow' });
        p.fingerprints.images.push({ ref: 'i-9', phash: 'ABCDEF0123456789', mode: 'shadow' });
      }),
    ],
    [
      'a ring score',
      change((p) => {
        p.ring = { score: 30 };
      }),
    ],
    [
      'an unknown top-level key',
      change((p) => {
        p.extra = true;
      }),
    ],
    [
      'no thresholds',
      change((p) => {
        delete p.thresholds;
      }),
    ],
    [
      'a threshold that is not an integer',
      change((p) => {
        p.thresholds.block = 99.5;
      }),
    ],
    [
      'an indicator score that is a string',
      change((p) => {
        p.indicators[0].score = 'high';
      }),
    ],
    [
      'an indicator without a term',
      change((p) => {
        delete p.indicators[0].term;
      }),
    ],
    [
      'a brand with an unknown key',
      change((p) => {
        p.brands[0].colour = 'brown';
      }),
    ],
    [
      'a brand without names',
      change((p) => {
        p.brands[0].names = [];
      }),
    ],
    [
      'a price floor keyed by cny',
      change((p) => {
        p.brands[0].priceFloor = { cny: 10 };
      }),
    ],
    [
      'a rule of type glob',
      change((p) => {
        p.rules.push({ id: 'g', type: 'glob', pattern: 'x', score: 1 });
      }),
    ],
    [
      'a rule on the price field',
      change((p) => {
        p.rules.push({ id: 'f', type: 'literal', pattern: 'copy', score: 1, fields: ['price'] });
      }),
    ],
    [
      'a mode of maybe',
      change((p) => {
        p.indicators[0].mode = 'maybe';
      }),
    ],
    [
      'a list of unknown kind',
      change((p) => {
        p.lists = { emails: [] };
      }),
    ],
    [
      'a list value of 129 characters',
      change((p) => {
        p.lists = { sellers: ['s'.repeat(129)] };
      }),
    ],
    [
      'a banked image without phash',
      change((p) => {
        p.fingerprints.images.push({ ref: 'i-x' });
      }),
    ],
    [
      'a banked image with a bad phash',
      change((p) => {
        p.fingerprints.images.push({ ref: 'i-y', phash: 'xyz' });
      }),
    ],
    [
      'brands that are an object',
      change((p) => {
        p.brands = {};
      }),
    ],
  ];

  it('agrees with the gate on which packs have the right shape', () => {
    const schema = { $ref: '#/components/schemas/PolicyPack' };
    const disagreements = samples.flatMap(([name, pack]) => {
      const problems = schemaProblems(document, schema, pack);
      const gate = validatePack(pack);
      return gate.ok === (problems.length === 0)
        ? []
        : [`${name}: the gate says ${gate.ok ? 'valid' : JSON.stringify(gate.issues)}, the schema ${problems.length === 0 ? 'valid' : problems.join('; ')}`];
    });
    assert.deepEqual(disagreements, []);
    const valid = samples.filter(([, pack]) => validatePack(pack).ok).length;
    assert.ok(valid > 0 && valid < samples.length, `${valid} of ${samples.length} valid: the samples must hold both`);
  });

  it('is served whole at /pack.schema.json, and is the body of PUT /v1/admin/pack', async () => {
    const response = await gate.get('/pack.schema.json');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/schema+json');
    const served = (await response.json()) as Record<string, unknown>;
    assert.equal(served.$schema, 'https://json-schema.org/draft/2020-12/schema');
    const { $schema: _dialect, ...rest } = served;
    assert.deepEqual(rest, document.components.schemas.PolicyPack);
    const body = document.paths['/v1/admin/pack']?.put?.requestBody;
    assert.deepEqual(body && 'content' in body ? body.content['application/json']?.schema : undefined, { $ref: '#/components/schemas/PolicyPack' });
  });
});

describe('GET /docs/', () => {
  it("answers HTML naming every route, under the reviewer page's security headers", async () => {
    const security = ['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-content-type-options', 'cache-control'];
    const reviewPage = await gate.get('/review/');
    await reviewPage.arrayBuffer();
    for (const path of ['/docs/', '/docs']) {
      const response = await gate.get(path);
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8', path);
      for (const header of security) assert.equal(response.headers.get(header), reviewPage.headers.get(header), `${path} ${header}`);
      const html = await response.text();
      assert.deepEqual(
        html.match(/<script\b|\sstyle=|<style\b|\son[a-z]+=|javascript:|(?:src|href)="(?![/#])/gi),
        null,
        'no script, inline style or outside resource',
      );
      const missing = operations(document)
        .filter(({ op }) => !html.includes(`id="op-${op.operationId}"`))
        .map(({ method, path: p }) => `${method.toUpperCase()} ${p}`);
      assert.deepEqual(missing, []);
    }
    const css = await gate.get('/docs/docs.css');
    assert.equal(css.status, 200);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    assert.equal(css.headers.get('content-security-policy'), reviewPage.headers.get('content-security-policy'));
  });
});
