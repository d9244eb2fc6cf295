// npm run load: the gate against a bare uWS echo server (the ceiling of this
// machine and load generator), in the same run, each in a process of its own:
//   1. maximum throughput (10 connections), gate/echo ratio;
//   2. fixed arrival rates (autocannon -R, which corrects coordinated omission):
//      p50, p99, p99.9, max and non-2xx for each.
// Results go to load-results/ as JSON and a markdown table.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';

const DURATION = Number(process.env.LOAD_SECONDS ?? 10);
const RATES = (process.env.LOAD_RATES ?? '1000,5000,10000').split(',').map(Number);
const CONNECTIONS = 10;
const BODY = JSON.stringify({
  listingId: 'LOAD-1',
  sellerId: 's-load',
  title: 'AAA+ quality copy Ｌｏｕｉｓ Ｖｕｉｔｔｏｎ tote bag',
  description: 'Comes with box and dust bag. Free shipping nationwide. Contact us for wholesale.',
  category: 'bags',
  price: { amount: 199, currency: 'CNY' },
});

interface Run {
  target: string;
  rate: number | 'max';
  requestsPerSecond: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
  non2xx: number;
  errors: number;
}

async function startProcess(script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${output}`)), 30_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${output}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function hit(target: string, url: string, rate: number | 'max'): Promise<Run> {
  const options: autocannon.Options = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-deadline-ms': '1000' },
    body: BODY,
    connections: CONNECTIONS,
    duration: DURATION,
  };
  if (rate !== 'max') options.overallRate = rate;
  const result = await autocannon(options);
  const latency = result.latency as unknown as Record<string, number>;
  return {
    target,
    rate,
    requestsPerSecond: result.requests.average,
    p50: latency.p50 ?? NaN,
    p99: latency.p99 ?? NaN,
    p999: latency.p99_9 ?? NaN,
    max: latency.max ?? NaN,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const dataDir = mkdtempSync(join(tmpdir(), 'gate-load-'));
const gatePort = await freePort();
const echoPort = await freePort();
const gate = await startProcess(repoPath('dist', 'src', 'main.js'), { PORT: String(gatePort), HOST: '127.0.0.1', GATE_DATA_DIR: dataDir, REDIS_URL: '' }, /listening on/);
const echo = await startProcess(repoPath('dist', 'load', 'echo-server.js'), { PORT: String(echoPort) }, /echo listening/);
const runs: Run[] = [];
try {
  const gateUrl = `http://127.0.0.1:${gatePort}/v1/check`;
  const echoUrl = `http://127.0.0.1:${echoPort}/v1/check`;
  await hit('gate', gateUrl, 'max'); // warm-up, not reported
  for (const rate of ['max' as const, ...RATES]) {
    runs.push(await hit('echo', echoUrl, rate));
    runs.push(await hit('gate', gateUrl, rate));
  }
} finally {
  await stop(gate);
  await stop(echo);
  rmSync(dataDir, { recursive: true, force: true });
}

const maxGate = runs.find((r) => r.target === 'gate' && r.rate === 'max');
const maxEcho = runs.find((r) => r.target === 'echo' && r.rate === 'max');
const lines = [
  `# Load run, ${new Date().toISOString()} (${CONNECTIONS} connections, ${DURATION} s per run, demo pack, embedded Redis, load generator on the same machine)`,
  '',
  '| target | rate | req/s | p50 ms | p99 ms | p99.9 ms | max ms | non-2xx | errors |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...runs.map((r) => `| ${r.target} | ${r.rate} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.p999} | ${r.max} | ${r.non2xx} | ${r.errors} |`),
  '',
  `gate / echo maximum throughput: ${maxGate && maxEcho ? ((maxGate.requestsPerSecond / maxEcho.requestsPerSecond) * 100).toFixed(0) : '?'}%`,
];
for (const rate of RATES) {
  const g = runs.find((r) => r.target === 'gate' && r.rate === rate);
  const e = runs.find((r) => r.target === 'echo' && r.rate === rate);
  if (g && e) lines.push(`at ${rate} req/s: gate p99 ${g.p99} ms vs echo ${e.p99} ms (+${(g.p99 - e.p99).toFixed(1)}), p99.9 ${g.p999} vs ${e.p999} ms (+${(g.p999 - e.p999).toFixed(1)})`);
}
const report = lines.join('\n');
console.log(report);
mkdirSync(repoPath('load-results'), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(repoPath('load-results', `load-${stamp}.json`), JSON.stringify({ connections: CONNECTIONS, duration: DURATION, runs }, null, 2));
writeFileSync(repoPath('load-results', `load-${stamp}.md`), `${report}\n`);
