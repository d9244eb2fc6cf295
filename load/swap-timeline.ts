// npm run load:swap-timeline: what happens, moment by moment, while the scale pack
// is swapped under a fixed arrival rate. For finding where the swap's slow answers
// come from; `npm run load` gives the figures against their targets.
// Every 250 ms it prints the requests that fell due then (count, p99, max latency),
// the longest PING of the gate's Redis from here, the gate's event-loop delay, and
// the CPU its threads and its Redis used. LOAD_SWAP_RATE (default 1000),
// LOAD_SWAP_BEFORE_SECONDS (default 10) of load before the upload; LOAD_NODE_ARGS,
// node options for the gate (`--cpu-prof --cpu-prof-dir=<dir>`: a profile per thread).
import { bucketHolding, histogramBuckets, type HistogramBuckets } from './metrics-histogram.js';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { listingStream, scalePack } from './scale-pack.js';
import { startProcess, stopProcess } from './child-process.js';
import { latencyQuantile, runOpenLoop, type OpenLoopAnswer } from './open-loop-load.js';

const RATE = Number(process.env.LOAD_SWAP_RATE ?? 1000);
const BEFORE_SECONDS = Number(process.env.LOAD_SWAP_BEFORE_SECONDS ?? 10);
const BUCKET_MS = 250;
const ADMIN_TOKEN = 'timeline-admin-token-0123456789';
const HEADERS = { 'x-deadline-ms': '1000' };

interface Sample {
  at: number;
  pingMs: number;
  loopDelayMaxMs: number;
  cpu: Map<string, number>;
}

/** CPU seconds by thread (name#tid) of a process, and its children as `child:<name>`. */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  const ticks = (stat: string): number => {
    const fields = stat.replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      out.set(`${/\((.*)\)/.exec(stat)?.[1] ?? '?'}#${task}`, ticks(stat));
      for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean)) {
        const childStat = readFileSync(`/proc/${child}/stat`, 'utf8');
        out.set(`child:${/\((.*)\)/.exec(childStat)?.[1] ?? '?'}`, ticks(childStat));
      }
    } catch {
      // a thread that ended between the listing and the read
    }
  }
  return out;
}

function redisChildPort(pid: number): { port: number } {
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    for (const child of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean)) {
      // Redis sets its process title to "redis-server <host>:<port>".
      const title = /redis-server [^\s:]+:(\d+)/.exec(readFileSync(`/proc/${child}/cmdline`, 'utf8'));
      if (title?.[1]) return { port: Number(title[1]) };
    }
  }
  throw new Error('the gate started no redis-server');
}

const dataDir = mkdtempSync(join(tmpdir(), 'gate-timeline-'));
const swapPath = join(dataDir, 'swap-pack.json');
function writePacks(): { packPath: string; bodies: string[] } {
  const data = scalePack();
  const packPath = join(dataDir, 'scale-pack.json');
  writeFileSync(packPath, JSON.stringify(data.pack));
  const extra = { id: 'swap-brand', names: ['Swapmark'], categories: [], authorizedSellers: [], priceFloor: {} };
  writeFileSync(swapPath, JSON.stringify({ ...data.pack, packVersion: 'scale-2', brands: [...data.pack.brands, extra] }));
  return { packPath, bodies: listingStream(data, 20_000).map((l) => JSON.stringify(l)) };
}
const { packPath, bodies } = writePacks();
const gatePort = await freePort();
const gate = await startProcess(
  repoPath('dist', 'src', 'main.js'),
  { PORT: String(gatePort), HOST: '127.0.0.1', GATE_DATA_DIR: dataDir, REDIS_URL: '', GATE_ADMIN_TOKEN: ADMIN_TOKEN, GATE_PACK: packPath },
  /listening on/,
  300_000,
  (process.env.LOAD_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
);
const gatePid = gate.pid ?? 0;
// The gate (and its Redis) must not outlive a run that fails.
process.on('exit', () => gate.kill('SIGTERM'));
process.on('uncaughtException', (error) => {
  console.error(error);
  process.exit(1);
});
const { port: redisPort } = redisChildPort(gatePid);
const redis = new Redis({
  port: redisPort,
  username: 'gate',
  password: readFileSync(join(dataDir, 'redis', 'gate-user.password'), 'utf8').trim(),
  lazyConnect: true,
});
await redis.connect();

const samples: Sample[] = [];
let pingMs = 0;
const pinger = setInterval(() => {
  const sent = performance.now();
  void redis.ping().then(() => (pingMs = Math.max(pingMs, performance.now() - sent)));
}, 10);
let loopBefore: HistogramBuckets = new Map();
const sampler = setInterval(() => {
  void fetch(`http://127.0.0.1:${gatePort}/metrics`)
    .then((r) => r.text())
    .then((text) => {
      // The smallest bucket holding every delay sample since the previous reading.
      const loopAfter = histogramBuckets(text, 'gate_event_loop_delay_seconds');
      const loop = (bucketHolding(loopBefore, loopAfter, 1) ?? 0) * 1000;
      loopBefore = loopAfter;
      samples.push({ at: performance.timeOrigin + performance.now(), pingMs, loopDelayMaxMs: loop, cpu: threadSeconds(gatePid) });
      pingMs = 0;
    });
}, BUCKET_MS);

const events: Array<{ at: number; what: string }> = [];
const mark = (what: string): void => void events.push({ at: performance.timeOrigin + performance.now(), what });
let uploader: ChildProcess | undefined;
const upload = new Promise<void>((resolve, reject) => {
  uploader = execFile(
    process.execPath,
    [repoPath('dist', 'load', 'upload-pack.js'), `http://127.0.0.1:${gatePort}/v1/admin/pack`, swapPath, '--on-newline'],
    { env: { ...process.env, GATE_ADMIN_TOKEN: ADMIN_TOKEN } },
    (error, stdout, stderr) => {
      mark(`upload answered (${stdout.trim().split('\n').pop() ?? ''})`);
      return error ? reject(new Error(stderr || error.message)) : resolve();
    },
  );
});
await new Promise<void>((resolve) => uploader?.stdout?.once('data', () => resolve()));
const run = runOpenLoop({ port: gatePort, path: '/v1/check', rate: RATE, seconds: 600, bodies, headers: HEADERS, maxConnections: 10 });
await new Promise((r) => setTimeout(r, BEFORE_SECONDS * 1000));
mark('upload started');
uploader?.stdin?.write('go\n');
await upload.catch((error: unknown) => console.error((error as Error).message));
await new Promise((r) => setTimeout(r, 5_000));
run.stop();
const { answers } = await run.done;
clearInterval(pinger);
clearInterval(sampler);
redis.disconnect();
await stopProcess(gate);
rmSync(dataDir, { recursive: true, force: true });

const start = samples[0]?.at ?? 0;
const dueAt = (a: OpenLoopAnswer): number => a.at - a.latencyMs;
const byBucket = new Map<number, OpenLoopAnswer[]>();
for (const answer of answers) {
  const bucket = Math.floor((dueAt(answer) - start) / BUCKET_MS);
  byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), answer]);
}
console.log(`t s | due | p99 ms | max ms | redis ping max ms | event-loop max ms (at most, histogram bucket) | CPU ms in ${BUCKET_MS} ms by thread (>= 20)`);
let previous: Sample | undefined;
for (const [index, sample] of samples.entries()) {
  const bucket = index - 1;
  const inBucket = byBucket.get(bucket) ?? [];
  const cpu: string[] = [];
  if (previous) {
    for (const [thread, seconds] of sample.cpu) {
      const used = (seconds - (previous.cpu.get(thread) ?? 0)) * 1000;
      if (used >= 20) cpu.push(`${thread} ${used.toFixed(0)}`);
    }
  }
  const happened = events.filter((e) => e.at > (previous?.at ?? 0) && e.at <= sample.at).map((e) => ` ← ${e.what}`);
  previous = sample;
  const p99 = inBucket.length ? latencyQuantile(inBucket, 0.99).toFixed(1) : '-';
  const max = inBucket.length ? latencyQuantile(inBucket, 1).toFixed(1) : '-';
  console.log(
    `${((sample.at - start) / 1000).toFixed(2)} | ${inBucket.length} | ${p99} | ${max} | ${sample.pingMs.toFixed(1)} | ${sample.loopDelayMaxMs.toFixed(1)} | ${cpu.join(', ')}${happened.join('')}`,
  );
}
