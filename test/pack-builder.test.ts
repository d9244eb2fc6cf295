// Packs are built in a process of their own (issue 7: as a thread of the serving
// process, a build's allocations stalled the event loop during a scale-pack swap):
// what comes back is complete, refusals keep their meaning, a build process that
// dies fails its build with a clear error and the next build starts a new one.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PackBuilder } from '../src/pack/pack-builder.js';
import { PackInvalidError } from '../src/pack/pack-invalid-error.js';
import { sharedBytes } from '../src/pack/pack-source.js';
import { repoPath } from '../src/config/repo-root.js';
import { GateError } from '../src/errors/gate-error.js';
import { compilePack } from '../src/pack/compile-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const demoBytes = readFileSync(repoPath('src', 'pack', 'demo-pack.json'));
const source = (bytes: Uint8Array) => ({ bytes: sharedBytes([bytes]), format: 'json' as const });
const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('pack builder (a process of its own)', () => {
  let redis: TestRedis;
  let workRoot: string;
  let builder: PackBuilder;
  before(async () => {
    redis = await startTestRedis();
    workRoot = mkdtempSync(join(tmpdir(), 'gate-pack-builder-test-'));
    builder = new PackBuilder({ redisUrl: redis.url, prefix: 'builder-test:' }, workRoot);
  });
  after(async () => {
    await builder.close();
    await redis.stop();
    rmSync(workRoot, { recursive: true, force: true });
  });

  it('builds the demo pack in another process and gives back its database, tables and brands in shared memory', async () => {
    const demo = JSON.parse(demoBytes.toString('utf8')) as { packVersion: string; brands: Array<{ id: string }> };
    const { compiled } = await builder.build(source(demoBytes));
    assert.equal(compiled.pack.packVersion, demo.packVersion);
    assert.deepEqual(
      compiled.pack.brands.map((b) => b.id),
      demo.brands.map((b) => b.id),
    );
    assert.ok(compiled.databaseBytes.buffer instanceof SharedArrayBuffer);
    assert.ok(compiled.meta.refs.buffer instanceof SharedArrayBuffer);
    assert.equal(compiled.meta.kinds.length, compiled.patternCount);
    // What an in-process compilation of the same pack gives, byte for byte.
    const validation = validatePack(JSON.parse(demoBytes.toString('utf8')));
    assert.ok(validation.ok);
    const here = await compilePack(validation.pack);
    assert.equal(compiled.key, here.key);
    assert.deepEqual(compiled.databaseBytes, here.databaseBytes);
    assert.deepEqual(compiled.meta, here.meta);
    const pid = builder.buildProcessPid;
    assert.ok(pid !== undefined && pid !== process.pid && running(pid));
    assert.ok(builder.lastBuildPeakRssBytes > 10 * 2 ** 20, `the build process's peak is reported (${builder.lastBuildPeakRssBytes})`);
    const folders = readdirSync(workRoot);
    assert.equal(folders.length, 1);
    assert.match(folders[0] ?? '', new RegExp(`^pid-${process.pid}-`));
    assert.deepEqual(readdirSync(join(workRoot, folders[0] ?? '')), [], 'the files of a finished build are removed');
  });

  it('refuses an invalid pack naming the entry, and bytes that are not JSON naming the body', async () => {
    const invalid = Buffer.from(JSON.stringify({ packVersion: 'bad', brands: [{ id: '', names: [] }] }));
    await assert.rejects(
      builder.build(source(invalid)),
      (error: unknown) => error instanceof PackInvalidError && error.issues.some((i) => i.path.startsWith('brands[0]')),
    );
    await assert.rejects(
      builder.build(source(Buffer.from('{not json'))),
      (error: unknown) => error instanceof GateError && error.code === 'GATE_ERR_INVALID_BODY',
    );
  });

  it('fails a build whose process is killed, with the reason, and builds the next one in a new process', async () => {
    // Large enough to take a while to compile, so that the process dies in the middle of it.
    const brands = Array.from({ length: 20_000 }, (_, i) => ({ id: `brand-${i}`, names: [`brandname${i}x`, `other${i}mark`] }));
    const large = Buffer.from(JSON.stringify({ ...JSON.parse(demoBytes.toString('utf8')), packVersion: 'large', brands }));
    const building = builder.build(source(large));
    const folder = (): string => join(workRoot, readdirSync(workRoot)[0] ?? '');
    while (!readdirSync(folder()).some((name) => name.endsWith('.source'))) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 300)); // the source is written and sent: the process is building
    const first = builder.buildProcessPid;
    assert.ok(first !== undefined);
    process.kill(first, 'SIGKILL');
    await assert.rejects(building, /the pack build process exited \(SIGKILL\)/);
    const { compiled } = await builder.build(source(demoBytes));
    assert.ok(compiled.patternCount > 0);
    assert.notEqual(builder.buildProcessPid, first);
  });

  it('removes the folders that gate processes which died left behind, and its own on close', async () => {
    const stale = join(workRoot, 'pid-999999999-abc123');
    mkdirSync(stale);
    const other = new PackBuilder({ redisUrl: redis.url, prefix: 'builder-test:' }, workRoot);
    await other.build(source(demoBytes));
    const pid = other.buildProcessPid;
    assert.equal(existsSync(stale), false);
    await other.close();
    assert.ok(pid !== undefined && !running(pid), 'the build process ends with the builder');
    assert.equal(readdirSync(workRoot).length, 1, "the open builder's folder stays, the closed one's goes");
  });
});
