// Issue 8: the supervisor `npm start` runs brings the gate back after a crash that
// takes the whole process (a native abort, a kill), and passes SIGTERM on so the
// gate drains and everything exits 0.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';

async function healthPid(port: number, timeoutMs: number, not?: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      const { pid } = (await response.json()) as { pid: number };
      if (pid !== not) return pid;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no gate answered on ${port} within ${timeoutMs} ms`);
}

it('restarts the gate after it aborts or is killed, and drains on SIGTERM', { timeout: 120_000 }, async () => {
  const port = await freePort();
  const supervisor = spawn(process.execPath, [repoPath('dist', 'src', 'supervisor.js')], {
    env: {
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'MALLOC_ARENA_MAX')),
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: '',
      GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gate-supervised-')),
      GATE_WORKERS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  supervisor.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  supervisor.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const first = await healthPid(port, 30_000);
    // The environment the C library reads at start (src/config/gate-process-env.ts).
    const environ = readFileSync(`/proc/${first}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes('MALLOC_ARENA_MAX=2'), 'the gate is started with MALLOC_ARENA_MAX=2');
    process.kill(first, 'SIGABRT'); // what abort() in native code does
    const second = await healthPid(port, 30_000, first);
    assert.notEqual(second, first);
    const check = await fetch(`http://127.0.0.1:${port}/v1/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ listingId: 'SUP1', sellerId: 's', title: 'super copy bag' }),
    });
    assert.equal(((await check.json()) as { verdict: string }).verdict, 'review');
    process.kill(second, 'SIGKILL');
    const third = await healthPid(port, 30_000, second);
    assert.ok(third !== second);
    assert.match(output, /gate died \(SIGABRT\)/);
    assert.match(output, /gate died \(SIGKILL\)/);

    const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
    supervisor.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /SIGTERM: draining/);
  } finally {
    if (supervisor.exitCode === null) supervisor.kill('SIGKILL');
  }
});
