// npm run load:profile: the gate under load, then the CPU time it and its Redis
// spent per request (user + system, from /proc: steadier than a throughput figure
// on a shared 2-core machine) and, with PROFILE_CPU=1, the V8 profile's functions
// by self time. For finding what to speed up. LOAD_PACK=demo (a demo-sized scale
// pack and its mixed listing stream, the default), scale (the scale pack), or
// demo-pack (the repository's demo pack and the one listing that
// `LOAD_PACK=demo npm run load` sends); LOAD_RATE=<req/s> for a fixed arrival
// rate (default: as fast as it goes).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { listingStream, scalePack } from './scale-pack.js';
import { stopProcess } from './child-process.js';
import { DEMO_BODY } from './demo-listing.js';
import { gateProcessEnv } from '../src/config/gate-process-env.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const RATE = process.env.LOAD_RATE ? Number(process.env.LOAD_RATE) : undefined;
const CPU_PROFILE = process.env.PROFILE_CPU === '1';

/** CPU seconds per thread name (libuv workers, V8 helpers and worker threads have names of their own). */
function threadSeconds(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
    const name = /\((.*)\)/.exec(stat)?.[1] ?? '?';
    const fields = stat.replace(/^.*\) /, '').split(' ');
    out.set(`${name}#${task}`, (Number(fields[11]) + Number(fields[12])) / 100);
  }
  return out;
}

/** User + system CPU seconds of a process and of its children still running (the embedded Redis). */
function cpuSeconds(pid: number): { own: number; children: number } {
  const ticks = (p: number): number => {
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8')
      .replace(/^.*\) /, '')
      .split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  let children = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const list = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of list ? list.split(' ') : []) children += ticks(Number(child));
  }
  return { own: ticks(pid) / 100, children: children / 100 };
}
const PACK = process.env.LOAD_PACK ?? 'demo';
const dataDir = mkdtempSync(join(tmpdir(), 'gate-profile-'));
const profileDir = join(dataDir, 'profile');
const port = await freePort();
const redisPort = await freePort();
// Persisted as the gate's embedded Redis is (AOF, fsync on every write), which the load runs use.
const redis = spawn(
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dataDir],
  { stdio: 'ignore' },
);
await new Promise((r) => setTimeout(r, 300));
const redisCli = (...args: string[]): string => execFileSync('redis-cli', ['-p', String(redisPort), ...args], { encoding: 'utf8' });
if (!['demo', 'scale', 'demo-pack'].includes(PACK)) throw new Error(`LOAD_PACK must be demo, scale or demo-pack, got "${PACK}"`);
const data =
  PACK === 'demo-pack'
    ? undefined
    : scalePack(PACK === 'scale' ? undefined : { brands: 2_000, indicators: 1_000, sellers: 10_000, images: 10_000, texts: 1_000 });
const bodies = data ? listingStream(data, 20_000).map((l) => JSON.stringify(l)) : [DEMO_BODY];
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...gateProcessEnv(),
  PORT: String(port),
  HOST: '127.0.0.1',
  GATE_DATA_DIR: dataDir,
  REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  GATE_ADMIN_TOKEN: 'profile-admin-token-0123456789',
};
if (data) {
  const packPath = join(dataDir, 'pack.json');
  writeFileSync(packPath, JSON.stringify(data.pack));
  env.GATE_PACK = packPath;
}
const gate = spawn(process.execPath, [...(CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), repoPath('dist', 'src', 'main.js')], {
  env,
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve) => {
  let out = '';
  gate.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    if (/listening on/.test(out)) resolve();
  });
});
let next = 0;
redisCli('CONFIG', 'RESETSTAT');
const redisCpuBefore = cpuSeconds(redis.pid ?? 0).own;
const before = cpuSeconds(gate.pid ?? 0);
const threadsBefore = threadSeconds(gate.pid ?? 0);
const result = await autocannon({
  ...(RATE ? { overallRate: RATE } : {}),
  url: `http://127.0.0.1:${port}/v1/check`,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-deadline-ms': '1000' },
  connections: 10,
  duration: SECONDS,
  requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] ?? '' }) }],
});
const after = cpuSeconds(gate.pid ?? 0);
const byThread = new Map<string, number>();
for (const [thread, seconds] of threadSeconds(gate.pid ?? 0)) {
  const name = thread;
  byThread.set(name, (byThread.get(name) ?? 0) + seconds - (threadsBefore.get(thread) ?? 0));
}
const requests = result.requests.total;
console.log(`${result.requests.average.toFixed(0)} req/s${CPU_PROFILE ? ' under the profiler' : ''}, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
console.log(
  `CPU per request: gate ${(((after.own - before.own) / requests) * 1e6).toFixed(0)} us, Redis ${(((cpuSeconds(redis.pid ?? 0).own - redisCpuBefore) / requests) * 1e6).toFixed(0)} us`,
);
const commandStats = redisCli('INFO', 'commandstats')
  .split('\n')
  .flatMap((line) => {
    const m = /^cmdstat_(\S+):calls=(\d+)/.exec(line);
    return m ? [`${m[1]} ${(Number(m[2]) / requests).toFixed(2)}`] : [];
  });
console.log(`  Redis commands per request: ${commandStats.join(', ')}`);
// Each write the gate makes to Redis is one read for Redis: how well commands are gathered into writes.
const redisStats = redisCli('INFO', 'stats');
const readsProcessed = Number(/total_reads_processed:(\d+)/.exec(redisStats)?.[1] ?? NaN);
const bytesIn = Number(/total_net_input_bytes:(\d+)/.exec(redisStats)?.[1] ?? NaN);
const bytesOut = Number(/total_net_output_bytes:(\d+)/.exec(redisStats)?.[1] ?? NaN);
console.log(`  Redis socket reads per request (writes from the gate): ${(readsProcessed / requests).toFixed(2)}`);
console.log(`  Redis bytes per request: ${(bytesIn / requests).toFixed(0)} in, ${(bytesOut / requests).toFixed(0)} out`);
console.log(
  `  by thread: ${[...byThread]
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([name, s]) => `${name} ${((s / requests) * 1e6).toFixed(0)} us`)
    .join(', ')}`,
);
const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
console.log(
  metrics
    .split('\n')
    .filter((line) =>
      /^(gate_pool_|gate_list_cache|gate_event_loop|gate_checks_total|gate_degraded|gate_pack_database|gate_fingerprint_index|nodejs_|process_resident)/.test(
        line,
      ),
    )
    .join('\n'),
);
await stopProcess(gate);
redis.kill();
if (!CPU_PROFILE) {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile;
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + (self.get(node.id) ?? 0));
  }
  console.log(`\n${file}: self time, top 25 of ${(total / 1e6).toFixed(1)} s:`);
  for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
  }
}
const keep = process.env.PROFILE_OUT;
if (keep) execFileSync('cp', ['-r', profileDir, keep]);
rmSync(dataDir, { recursive: true, force: true });
