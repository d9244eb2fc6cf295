// A worker thread for test/thread-cpu.test.ts: names itself (workerData.name),
// says "ready", and on "burn" spends workerData.ms of its own CPU time (read from
// /proc/thread-self/stat, so a busy machine makes it take longer, not less), then
// says "burnt" and waits to be terminated.
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { nameThread } from '../../src/config/name-thread.js';
import { parseStat, TICKS_PER_SECOND } from '../../load/thread-cpu.js';

const { name, ms } = workerData as { name: string; ms: number };
nameThread(name);
const ownTicks = (): number => parseStat(readFileSync('/proc/thread-self/stat', 'utf8')).ticks;

parentPort?.on('message', () => {
  const from = ownTicks();
  const until = Date.now() + 20_000;
  let sink = 0;
  while ((ownTicks() - from) * (1000 / TICKS_PER_SECOND) < ms && Date.now() < until) {
    for (let i = 0; i < 200_000; i++) sink += Math.sqrt(i);
  }
  parentPort?.postMessage({ burnt: sink > 0 });
});
parentPort?.postMessage('ready');
