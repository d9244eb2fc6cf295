// load/thread-cpu.ts: the /proc figures it reads and whom it gives them to. A
// thread that names itself gate-match and spends 300 ms of CPU is counted as a
// named thread, not as the event loop; a child process's CPU as a child's.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { cpuBetween, microsPer, parseStat, readProcessTicks, TICKS_PER_SECOND } from '../load/thread-cpu.js';

const ms = (ticks: number): number => (ticks * 1000) / TICKS_PER_SECOND;

describe('thread cpu', () => {
  it('reads a stat line whose name holds spaces and parentheses', () => {
    const line = '4242 (a (b) c) S 7 4242 4242 0 -1 4194304 100 0 0 0 123 45 6 7 20 0 3 0 1000 0 0';
    assert.deepEqual(parseStat(line), { name: 'a (b) c', ppid: 7, ticks: 168, endedChildTicks: 13 });
    assert.equal(microsPer(100, 1000), 1000);
  });

  it('gives a gate-match thread its CPU, and not the event loop', { timeout: 30_000 }, async () => {
    const worker = new Worker(new URL('./helpers/burn-thread.js', import.meta.url), { workerData: { name: 'gate-match', ms: 300 } });
    try {
      await once(worker, 'message');
      const before = readProcessTicks(process.pid);
      worker.postMessage('burn');
      await once(worker, 'message');
      const split = cpuBetween(before, readProcessTicks(process.pid));
      const burner = split.named.find((t) => t.tid !== process.pid && t.name === 'gate-match');
      assert.ok(burner, `a thread named gate-match among ${JSON.stringify(split.named)}`);
      assert.ok(ms(burner.ticks) >= 200, `the named thread got ${ms(burner.ticks)} ms`);
      assert.ok(ms(split.eventLoop) < 100, `the event loop got ${ms(split.eventLoop)} ms`);
      assert.ok(split.total >= burner.ticks + split.eventLoop + split.other);
    } finally {
      await worker.terminate();
    }
  });

  it('counts a child process apart from the threads', { timeout: 30_000 }, async () => {
    // Spends 200 ms of its own CPU, says so, and stays until its stdin closes.
    const script =
      'const t=()=>{const u=process.cpuUsage();return (u.user+u.system)/1000};let s=0;while(t()<200)s+=Math.sqrt(s+1);process.stdout.write("done");process.stdin.resume()';
    const before = readProcessTicks(process.pid);
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await once(child.stdout, 'data');
      const split = cpuBetween(before, readProcessTicks(process.pid));
      const found = split.children.find((c) => c.pid === child.pid);
      assert.ok(found, `the child among ${JSON.stringify(split.children)}`);
      assert.ok(ms(found.ticks) >= 150, `the child got ${ms(found.ticks)} ms`);
      assert.ok(ms(split.eventLoop) < 150, `the event loop got ${ms(split.eventLoop)} ms`);
    } finally {
      child.stdin.end();
      await once(child, 'exit');
    }
  });
});
