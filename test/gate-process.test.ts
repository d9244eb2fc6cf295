// The README's start command as a newcomer runs it: `node dist/src/main.js` with no
// REDIS_URL starts a redis-server of its own, answers the curl example, and on
// SIGTERM drains, stops its Redis and exits 0.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { repoPath } from '../src/config/repo-root.js';
import { freePort, freePortAvoiding } from '../src/redis/embedded-redis.js';
import { portAccepts } from './helpers/port-accepts.js';

it('starts with an embedded Redis, answers, and drains on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-process-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), GATE_DATA_DIR: dataDir };
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [repoPath('dist', 'src', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    // Generous: with other test files and a busy machine sharing the two cores, the
    // start took 18 s here once (2 s when idle); this waits for readiness, it does not time it.
    const deadline = Date.now() + 60_000;
    let ready = false;
    while (!ready && Date.now() < deadline) {
      ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(ready, `the gate did not become ready:\n${output}`);
    const redisPort = Number(/redis:\/\/(?:[^@/]*@)?127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    assert.ok(redisPort > 0, `the log names the embedded Redis:\n${output}`);

    const response = await fetch(`http://127.0.0.1:${port}/v1/check`, {
      method: 'POST',
      // A generous deadline: other test files share the two cores with this one.
      headers: { 'content-type': 'application/json', 'x-deadline-ms': '5000' },
      body: JSON.stringify({ listingId: 'L1', sellerId: 's-42', title: 'LV 高仿 手提包 包邮', category: 'bags', price: { amount: 199, currency: 'CNY' } }),
    });
    const body = (await response.json()) as { verdict: string; reasons: unknown[] };
    assert.equal(body.verdict, 'block', JSON.stringify(body.reasons));

    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /SIGTERM: draining/);
    assert.equal(await portAccepts(redisPort), false, 'the embedded redis-server stopped with the gate');
    // Every line is a JSON log record (README "Logs"): the start, the threads' own lines, the drain.
    const records = output
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as { level: number; time: string; msg: string; name: string; thread?: number };
        } catch {
          throw new Error(`not a JSON log line: ${line}\n${output}`);
        }
      });
    for (const record of records) {
      assert.equal(typeof record.level, 'number', JSON.stringify(record));
      assert.ok(!Number.isNaN(Date.parse(record.time)), JSON.stringify(record));
      assert.equal(typeof record.msg, 'string', JSON.stringify(record));
      assert.equal(record.name, 'gate', JSON.stringify(record));
    }
    assert.ok(
      records.some((r) => r.level === 30 && /^listening on /.test(r.msg)),
      output,
    );
    assert.ok(
      records.some((r) => r.level === 30 && r.msg === 'SIGTERM: draining'),
      output,
    );
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGTERM'); // lets the gate stop its own redis-server
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('stops a redis-server left running on its data directory before starting its own', async () => {
  const { EmbeddedRedis } = await import('../src/redis/embedded-redis.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-leftover-'));
  const first = new EmbeddedRedis({ dataDir });
  await first.start();
  const leftoverPid = first.pid ?? 0;
  const second = new EmbeddedRedis({ dataDir });
  await second.start();
  try {
    assert.throws(() => process.kill(leftoverPid, 0), 'the leftover redis-server was stopped');
  } finally {
    await second.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it("picks its own Redis a free port other than the gate's, however often the kernel hands that port out", async () => {
  const handedOut = [35219, 35219, 40001];
  const port = await freePortAvoiding([35219], async () => handedOut.shift() ?? 0);
  assert.equal(port, 40001);
});

it('keeps answering when its log pipe closes, and still stops its Redis on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-closed-pipe-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), GATE_DATA_DIR: dataDir };
  delete env.REDIS_URL;
  const child = spawn(process.execPath, [repoPath('dist', 'src', 'main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the gate did not start:\n${output}`)), 60_000); // as above: waits, does not time
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (/listening on/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const redisPort = Number(/redis:\/\/(?:[^@/]*@)?127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    // The reader goes away, as when a supervisor or a `| tee` ends: the gate's next log line meets a closed pipe.
    child.stdout.destroy();
    child.stderr.destroy();
    const check = async (): Promise<number> =>
      (
        await fetch(`http://127.0.0.1:${port}/v1/check`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-deadline-ms': '5000' },
          body: JSON.stringify({ listingId: 'L1', sellerId: 's-1', title: 'plain shirt' }),
        })
      ).status;
    assert.equal(await check(), 200);
    child.kill('SIGTERM'); // logs "SIGTERM: draining" into the closed pipe
    assert.equal(await exited, 0);
    assert.equal(await portAccepts(redisPort), false, 'the embedded redis-server stopped with the gate');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
