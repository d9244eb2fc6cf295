// gatectl (issue 27 point 3) run as an operator runs it, a child process, against
// a real gate on a real Redis: pack validate refuses what the server refuses with
// the very body the server answers, upload/versions/rollback/diff, lists, audit
// verify (by the gate and here with the key, and a broken chain), re-check jobs,
// exit codes (0 done, 1 a failed check, 2 usage) and --json.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { earlierVersion } from '../src/cli/earlier-version.js';
import { CLI_ERRORS } from '../src/cli/cli-errors.js';
import { repoPath } from '../src/config/repo-root.js';
import { admin, ADMIN_TOKEN, AUDIT_KEY, startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const GATECTL = fileURLToPath(new URL('../src/cli/gatectl.js', import.meta.url));
const demo = (): Record<string, unknown> => JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;
const PROBE = 'gatectlprobe';

/** A loopback port nothing listens on (a server's, closed again). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  json(): Record<string, any>;
}

describe('gatectl', () => {
  let redis: TestRedis;
  let gate: TestGate;
  let dir: string;

  const file = (name: string, content: string | Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  const gatectl = (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [GATECTL, ...args], { env: { ...process.env, GATE_URL: gate.url, GATE_ADMIN_TOKEN: ADMIN_TOKEN, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, any> }));
    });

  const livePack = async (): Promise<string> => ((await (await gate.get('/v1/admin/pack', admin())).json()) as { packVersion: string }).packVersion;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatectl-'));
    redis = await startTestRedis();
    // No re-check threads: a job stays running until the test pauses or cancels it.
    gate = await startTestGate({ redisUrl: redis.url, env: { GATE_RECHECK_THREADS: '0', GATE_BACKTEST_SAMPLE_RATE: '1000000' } });
  });
  after(async () => {
    await gate?.stop();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pack validate accepts a good pack: exit 0, and --json says so', async () => {
    const path = file('good.json', JSON.stringify(demo()));
    const json = await gatectl(['pack', 'validate', path, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(json.json().valid, true);
    assert.equal(json.json().packVersion, 'demo-1');
    assert.ok(json.json().patternCount > 0);
    const text = await gatectl(['pack', 'validate', path]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /demo-1 is valid/);
  });

  it('pack validate refuses what PUT /v1/admin/pack refuses, with the same code, field, message and details', async () => {
    const fieldsAndRegex = {
      ...demo(),
      thresholds: { block: 40, review: 100 },
      brands: [{ id: 'x', names: ['...'] }],
      rules: [{ id: 'bad', type: 'regex', pattern: 'a(b', score: 10 }],
    };
    // Valid field by field: only compiling its regex rules finds the problem.
    const regexOnly = {
      ...demo(),
      rules: [
        { id: 'ok', type: 'regex', pattern: 'a+b', score: 10 },
        { id: 'bad', type: 'regex', pattern: '[z', score: 10 },
      ],
    };
    const cases: Array<[string, string]> = [
      ['fields-and-regex.json', JSON.stringify(fieldsAndRegex)],
      ['regex-only.json', JSON.stringify(regexOnly)],
      ['not-json.json', '{"packVersion": '],
    ];
    for (const [name, bytes] of cases) {
      const server = await fetch(`${gate.url}/v1/admin/pack`, { method: 'PUT', headers: { ...admin(), 'content-type': 'application/json' }, body: bytes });
      assert.equal(server.status, 400, name);
      const answer = (await server.json()) as { error: { code: string; field: string } };
      const run = await gatectl(['pack', 'validate', file(name, bytes), '--json']);
      assert.equal(run.code, 1, `${name}: ${run.stderr}`);
      assert.deepEqual(run.json(), answer, name);
      assert.match(run.stderr, new RegExp(answer.error.code), name);
    }
    const [first] = cases;
    const text = await gatectl(['pack', 'validate', join(dir, first?.[0] ?? '')]);
    assert.equal(text.code, 1);
    for (const path of ['thresholds.review', 'brands[0].names[0]', 'rules[0].pattern'])
      assert.ok(text.stderr.includes(`  ${path}: `), `${path} in ${text.stderr}`);
    assert.equal(await livePack(), 'demo-1');
  });

  it('pack diff of two files names what changed by kind and id', async () => {
    const before = file('diff-a.json', JSON.stringify(demo()));
    const changed = demo();
    changed.packVersion = 'diff-b';
    changed.indicators = [...(changed.indicators as unknown[]), { term: PROBE, score: 100 }];
    changed.thresholds = { ...(changed.thresholds as object), block: 999 };
    const after = file('diff-b.json', JSON.stringify(changed));
    const run = await gatectl(['pack', 'diff', before, after, '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.json().added, { indicator: [PROBE] });
    assert.deepEqual(run.json().removed, {});
    assert.deepEqual(
      run.json().settings.map((s: { field: string }) => s.field),
      ['thresholds.block'],
    );
    const text = await gatectl(['pack', 'diff', before, after]);
    assert.match(text.stdout, new RegExp(`^\\+ indicator ${PROBE}$`, 'm'));
    const invalid = await gatectl([
      'pack',
      'diff',
      before,
      file('diff-bad.json', JSON.stringify({ ...changed, thresholds: { block: 40, review: 100 } })),
      '--json',
    ]);
    assert.equal(invalid.code, 1);
    assert.equal(invalid.json().error.code, 'GATE_ERR_INVALID_PACK');
  });

  it('pack backtest of a change against the live pack names the listings it would change', async () => {
    const listingId = 'ctl-backtest-1';
    const checked = await gate.post('/v1/check', { listingId, sellerId: 's-ctl-bt', title: `cotton tee ${PROBE}`, category: 'apparel' });
    assert.equal(checked.status, 200);
    assert.equal(((await checked.json()) as { verdict: string }).verdict, 'allow');
    const change = file('change.json', JSON.stringify({ add: { indicators: [{ term: PROBE, score: 1000, withBrand: 1000 }] } }));
    const run = await gatectl(['pack', 'backtest', change, '--against-live', '--examples', '50', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.json().candidate.version, 'demo-1+change');
    assert.deepEqual(run.json().transitions['allow→block']?.examples, [listingId]);
    const text = await gatectl(['pack', 'backtest', change, '--against-live']);
    assert.match(text.stdout, /^1 of \d+ listings change with demo-1\+change$/m);
    assert.match(text.stdout, new RegExp(`added indicator ${PROBE}: 1 listings`));
    const bad = await gatectl([
      'pack',
      'backtest',
      file('bad-change.json', JSON.stringify({ remove: { rules: ['no-such-rule'] } })),
      '--against-live',
      '--json',
    ]);
    assert.equal(bad.code, 1);
    assert.equal(bad.json().error.field, 'remove.rules[0]');
    assert.equal(await livePack(), 'demo-1', 'a backtest makes nothing live');
  });

  it('pack upload, versions, diff against the gate, rollback to the earlier version and back', async () => {
    const v2 = { ...demo(), packVersion: 'ctl-2', indicators: [...(demo().indicators as unknown[]), { term: PROBE, score: 100 }] };
    const v2File = file('ctl-2.json', JSON.stringify(v2));
    const uploaded = await gatectl(['pack', 'upload', v2File, '--json']);
    assert.equal(uploaded.code, 0, uploaded.stderr);
    assert.equal(uploaded.json().packVersion, 'ctl-2');
    assert.equal(await livePack(), 'ctl-2');

    const versions = await gatectl(['pack', 'versions', '--json']);
    assert.equal(versions.code, 0, versions.stderr);
    assert.equal(versions.json().live.version, 'ctl-2');
    assert.deepEqual(
      versions.json().versions.map((v: { version: string; action: string }) => [v.version, v.action]),
      [
        ['ctl-2', 'replace'],
        ['demo-1', 'start'],
      ],
    );
    assert.match((await gatectl(['pack', 'versions'])).stdout, /^\* ctl-2 {2}replace/m);

    // The gate's diff of the two versions is the offline diff of the two files.
    const served = await gatectl(['pack', 'diff', '--from', 'demo-1', '--to', 'ctl-2', '--json']);
    assert.equal(served.code, 0, served.stderr);
    const offline = await gatectl(['pack', 'diff', file('demo.json', JSON.stringify(demo())), v2File, '--json']);
    assert.deepEqual({ ...served.json(), from: '', to: '' }, { ...offline.json(), from: '', to: '' });
    assert.deepEqual(served.json().added, { indicator: [PROBE] });

    const back = await gatectl(['pack', 'rollback', '--json']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(back.json().packVersion, 'demo-1');
    assert.equal(await livePack(), 'demo-1');
    const further = await gatectl(['pack', 'rollback', '--json']);
    assert.equal(further.code, 1, 'demo-1 was the first version: nothing before it');
    assert.equal(further.json().error.code, 'GATECTL_ERR_NO_EARLIER_VERSION');
    assert.equal(await livePack(), 'demo-1');

    const forth = await gatectl(['pack', 'rollback', '--to', 'ctl-2']);
    assert.equal(forth.code, 0, forth.stderr);
    assert.match(forth.stdout, /ctl-2 is live again/);
    assert.equal(await livePack(), 'ctl-2');
    const unknown = await gatectl(['pack', 'rollback', '--to', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404 GATE_ERR_NOT_FOUND/);
  });

  it('lists add, get, remove', async () => {
    const added = await gatectl(['lists', 'add', 'sellers', 's-ctl-1', 's-ctl-2', '--json']);
    assert.equal(added.code, 0, added.stderr);
    assert.deepEqual(added.json(), { kind: 'sellers', added: 2 });
    const listed = await gatectl(['lists', 'get', 'sellers', 's-ctl-1', '--json']);
    assert.equal(listed.json().listed, true);
    assert.match((await gatectl(['lists', 'get', 'sellers', 's-ctl-2'])).stdout, /s-ctl-2: listed/);

    const removed = await gatectl(['lists', 'remove', 'sellers', '--file', file('values.txt', 's-ctl-1\n\ns-never\n'), '--json']);
    assert.equal(removed.code, 0, removed.stderr);
    assert.deepEqual(removed.json(), { kind: 'sellers', removed: 1 });
    assert.equal((await gatectl(['lists', 'get', 'sellers', 's-ctl-1', '--json'])).json().listed, false);
    assert.equal((await gatectl(['lists', 'get', 'sellers', 's-ctl-2', '--json'])).json().listed, true);

    const kind = await gatectl(['lists', 'add', 'buyers', 'x']);
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /no list "buyers"/);
  });

  it('rechecks start over a file, get, pause, resume, cancel', async () => {
    const lines = [
      { listingId: 'rc-1', sellerId: 's-1', title: 'a plain mug' },
      { listingId: 'rc-2', sellerId: 's-2', title: 'a plain cup' },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n');
    const started = await gatectl(['rechecks', 'start', '--file', file('listings.ndjson', lines), '--only-changed', '--json']);
    assert.equal(started.code, 0, started.stderr);
    const { id, total } = started.json() as { id: string; total: number };
    assert.equal(total, 2);
    assert.equal((await gatectl(['rechecks', 'get', id, '--json'])).json().state, 'running');
    assert.equal((await gatectl(['rechecks', 'pause', id, '--json'])).json().state, 'paused');
    assert.equal((await gatectl(['rechecks', 'resume', id, '--json'])).json().state, 'running');
    const cancelled = await gatectl(['rechecks', 'cancel', id]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    assert.match(cancelled.stdout, new RegExp(`^${id}: cancelled, 0 of 2 checked`));
    const jobs = await gatectl(['rechecks', 'get', '--json']);
    assert.ok((jobs.json().jobs as Array<{ id: string }>).some((job) => job.id === id));
    const again = await gatectl(['rechecks', 'pause', id, '--json']);
    assert.equal(again.code, 1);
    assert.equal(again.json().error.code, 'GATE_ERR_CONFLICT');
  });

  it('usage errors exit 2, name what is wrong and point to --help', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /missing command; one of pack, lists, audit, rechecks/],
      [['packs'], /unknown command "packs"/],
      [['pack'], /gatectl pack: missing subcommand; one of validate, diff/],
      [['pack', 'valid'], /unknown subcommand "valid"/],
      [['pack', 'validate'], /gatectl pack validate: missing argument <file>/],
      [['pack', 'validate', 'a.json', 'b.json'], /unexpected argument "b.json"/],
      [['pack', 'versions', '--frob'], /gatectl pack versions: unknown option --frob/],
      [['pack', 'rollback', '--to'], /--to/],
      [['pack', 'diff', 'a.json', '--from', 'v1'], /not both/],
      [['pack', 'validate', join(tmpdir(), 'no-such-pack.json')], /cannot read .*ENOENT/],
      [['rechecks', 'start'], /one of --stream <key> or --file <path>/],
      [['lists', 'get', 'sellers', 'x', '--token', ''], /no admin token/],
    ];
    // None reaches the gate: run side by side.
    const runs = await Promise.all(cases.map(([args]) => gatectl(args)));
    cases.forEach(([args, message], i) => {
      const run = runs[i] as Run;
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
      assert.match(run.stderr, /--help' for usage/, args.join(' '));
      assert.equal(run.stdout, '', args.join(' '));
    });
    const json = await gatectl(['pack', 'versions', '--frob', '--json']);
    assert.equal(json.code, 2);
    assert.equal(json.json().error.code, 'GATECTL_ERR_USAGE');
    const helps = [['--help'], ['pack', '--help'], ['pack', 'diff', '-h']];
    for (const [i, help] of (await Promise.all(helps.map((args) => gatectl(args)))).entries()) {
      assert.equal(help.code, 0, helps[i]?.join(' '));
      assert.match(help.stdout, /Usage: gatectl/);
    }
  });

  it('a 4xx answer or an unreachable gate is exit 1, with the error on stderr (and its body with --json)', async () => {
    const refused = await gatectl(['pack', 'versions', '--json'], { GATE_ADMIN_TOKEN: 'not-the-token-0123456789' });
    assert.equal(refused.code, 1);
    assert.equal(refused.json().error.code, 'GATE_ERR_UNAUTHORIZED');
    assert.match(refused.stderr, /401 GATE_ERR_UNAUTHORIZED/);
    const port = await closedPort();
    const away = await gatectl(['pack', 'versions'], { GATE_URL: `http://127.0.0.1:${port}` });
    assert.equal(away.code, 1);
    assert.match(away.stderr, new RegExp(`cannot reach the gate at http://127\\.0\\.0\\.1:${port}: ECONNREFUSED`));
  });

  it('audit verify: intact by the gate and here with the key; exit 1 under another key and once a record is deleted', async () => {
    for (const [method, value] of [
      ['POST', 'a'],
      ['DELETE', 'a'],
      ['POST', 'b'],
    ]) {
      const answer = await fetch(`${gate.url}/v1/admin/lists/sellers`, {
        method,
        headers: { ...admin(), 'content-type': 'application/json' },
        body: JSON.stringify({ values: [`s-audit-${value}`] }),
      });
      assert.equal(answer.status, 200);
    }
    const byGate = await gatectl(['audit', 'verify', '--json']);
    assert.equal(byGate.code, 0, byGate.stderr);
    assert.equal(byGate.json().intact, true);
    assert.ok(byGate.json().records >= 3);
    const keyFile = file('audit.key', `${AUDIT_KEY}\n`);
    const here = await gatectl(['audit', 'verify', '--key-file', keyFile, '--json']);
    assert.equal(here.code, 0, here.stderr);
    assert.equal(here.json().intact, true);
    assert.equal(here.json().records, byGate.json().records);
    assert.match((await gatectl(['audit', 'verify', '--key-file', keyFile])).stdout, /^audit chain intact \(here\)/);

    const otherKey = await gatectl(['audit', 'verify', '--key-file', file('other.key', 'another-key-0123456789abcdef0123456789'), '--json']);
    assert.equal(otherKey.code, 1);
    assert.equal(otherKey.json().intact, false);
    assert.match(otherKey.json().reason, /does not match its hash under the gate's audit key/);

    // What someone with Redis access might do: delete a record from the middle.
    const client = new Redis(redis.adminUrl);
    try {
      const stream = redisKeys(gate.prefix).auditLog;
      const rows = await client.xrange(stream, '-', '+');
      const middle = rows[Math.floor(rows.length / 2)]?.[0] ?? '';
      await client.xdel(stream, middle);
    } finally {
      client.disconnect();
    }
    for (const args of [
      ['audit', 'verify'],
      ['audit', 'verify', '--key-file', keyFile],
    ]) {
      const broken = await gatectl(args);
      assert.equal(broken.code, 1, args.join(' '));
      assert.match(broken.stderr, /audit chain broken .*where record \d+ was expected/, args.join(' '));
    }
  });

  it('documents every gatectl error code with its exit code in docs/gatectl.md, and nothing else', () => {
    const doc = readFileSync(repoPath('docs', 'gatectl.md'), 'utf8');
    const documented = [...doc.matchAll(/^\| `(GATECTL_ERR_[A-Z_]+)` \| (\d) \|/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(documented.sort(), Object.entries(CLI_ERRORS).sort());
  });

  it('pack rollback without --to walks back over rollbacks and skips candidates', () => {
    const entry = (version: string, action: 'start' | 'replace' | 'rollback' | 'candidate' | 'promote') => ({ version, action });
    // v3 live, rolled back to v2: the next rollback goes to v1, not back to v3.
    const history = [entry('v2', 'rollback'), entry('v3', 'replace'), entry('v2', 'replace'), entry('v1', 'start')];
    assert.equal(earlierVersion('v2', history), 'v1');
    assert.equal(earlierVersion('v3', history.slice(1)), 'v2');
    assert.equal(earlierVersion('v1', history), undefined);
    assert.equal(earlierVersion('v2', [entry('c', 'candidate'), entry('v2', 'promote'), entry('c2', 'candidate'), entry('v1', 'start')]), 'v1');
    assert.equal(earlierVersion(null, history), undefined);
  });
});
