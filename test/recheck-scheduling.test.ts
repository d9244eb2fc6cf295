// How a re-check job's threads yield to live traffic (GATE_RECHECK_SCHEDULING):
// under SCHED_IDLE by default, by nice value alone on request; the setting refuses
// another value naming the variable, and the native call changes only the thread
// that makes it.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { loadConfig } from '../src/config/gate-config.js';
import { SCHED_IDLE, SCHED_OTHER, type ThreadPriority, threadPriorityOf } from './helpers/thread-priority.js';

function threadState(path: string): ThreadPriority {
  return threadPriorityOf(readFileSync(path, 'utf8'));
}

/** Runs runInBackground on a thread of its own and reads what the thread became. */
async function onAThread(priority: { nice: number; idle: boolean }): Promise<ThreadPriority & { ran: string }> {
  const backgroundPriority = new URL('../src/config/background-priority.js', import.meta.url).href;
  const worker = new Worker(
    `import { parentPort, workerData } from 'node:worker_threads';
     import { readFileSync } from 'node:fs';
     const { runInBackground } = await import(workerData.module);
     const ran = runInBackground(workerData.priority);
     parentPort.postMessage({ ran, stat: readFileSync('/proc/thread-self/stat', 'utf8') });`,
    { eval: true, workerData: { module: backgroundPriority, priority } },
  );
  try {
    const { ran, stat } = await new Promise<{ ran: string; stat: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return { ran, ...threadPriorityOf(stat) };
  } finally {
    await worker.terminate();
  }
}

describe('re-check scheduling', () => {
  it('is idle by default, nice on request, and refuses another value naming GATE_RECHECK_SCHEDULING', () => {
    assert.equal(loadConfig({}).recheck.scheduling, 'idle');
    assert.equal(loadConfig({ GATE_RECHECK_SCHEDULING: 'nice' }).recheck.scheduling, 'nice');
    for (const bad of ['IDLE', 'batch', '19']) {
      assert.throws(
        () => loadConfig({ GATE_RECHECK_SCHEDULING: bad }),
        (error: Error) => error.message.includes(`GATE_RECHECK_SCHEDULING must be one of idle, nice, got "${bad}"`),
        bad,
      );
    }
  });

  it('puts the calling thread under SCHED_IDLE at its nice value, and leaves the others as they were', {
    skip: process.platform !== 'linux' && 'SCHED_IDLE is Linux',
  }, async () => {
    const before = threadState('/proc/thread-self/stat');
    assert.deepEqual(await onAThread({ nice: 11, idle: true }), { ran: 'idle', nice: 11, policy: SCHED_IDLE });
    assert.deepEqual(await onAThread({ nice: 9, idle: false }), { ran: 'nice', nice: 9, policy: SCHED_OTHER });
    assert.deepEqual(threadState('/proc/thread-self/stat'), before, 'the thread that started them is unchanged');
    assert.deepEqual(threadState(`/proc/self/task/${process.pid}/stat`), { nice: 0, policy: SCHED_OTHER }, 'the process main thread is unchanged');
  });
});
