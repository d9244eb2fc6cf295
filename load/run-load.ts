// npm run load: the gate against a bare uWS echo server (the ceiling of this
// machine and load generator), in the same run, each in a process of its own:
//   1. maximum throughput (10 connections), gate/echo ratio; also against a
//      pool echo (load/pool-echo-server.ts: uWS + JSON + the batched piscina round
//      trip the gate's matching makes, no work), which shows how much of the gap to
//      the echo is the chosen parts' own cost and how much is the gate's work (the
//      pool echo runs at the fixed rates too);
//   2. fixed arrival rates, open loop (load/open-loop-load.ts: evenly spaced, each
//      latency counted from when the request fell due, at most 10 connections):
//      p50, p99, p99.9, max and non-2xx for each. Not autocannon's overallRate,
//      which sends each connection's quota back to back at the top of every second;
//   3. a pack swap (the scale pack recompiled) in the middle of a fixed-rate run:
//      p99 during the swap against p99 just before it;
//   4. the gate's resident memory with the scale pack;
//   5. the cost view (load/cost-view.ts, npm run load:cost): CPU per check by
//      thread and an idle check's waits, gate, thread-app and echo (its own
//      LOAD_PACK default is demo; LOAD_COST=0 leaves it out).
// LOAD_PACK=scale (default: 100k brands, 1M sellers, 1M images, 100k texts and a
// mixed listing stream) or demo. Results go to load-results/ as JSON, markdown
// and an SVG chart. LOAD_BASELINE=<json> fails the run (exit 1) when throughput
// drops more than 5% or a p99 rises more than 10% against it; LOAD_SAVE_BASELINE=<path>
// saves this run as one.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { listingStream, scalePack } from './scale-pack.js';
import { lineChartSvg } from './svg-chart.js';
import { startProcess, stopProcess } from './child-process.js';
import { compareWithBaseline, type LoadResults, type Run } from './load-baseline.js';
import { latencyQuantile, runOpenLoop, type OpenLoopResult } from './open-loop-load.js';
import { DEMO_BODY } from './demo-listing.js';
import { runCostView } from './cost-view.js';

const DURATION = Number(process.env.LOAD_SECONDS ?? 10);
const RATES = (process.env.LOAD_RATES ?? '1000,5000,10000').split(',').map(Number);
const PACK = process.env.LOAD_PACK ?? 'scale';
const SWAP_RATE = Number(process.env.LOAD_SWAP_RATE ?? 1000);
/**
 * The swap's "before" lasts about as long as a scale-pack swap (45-60 s), not one
 * run's 10 s: at 1k req/s the gate has a slow quarter-second (a full collection, a
 * slow fsync in Redis) every 10-20 s without any swap (3 with a p99 over 20 ms in
 * the 40 s before one, load:swap-timeline), so a 10 s window may hold none of what
 * the swap's window holds several of, and the ratio would count them against the swap.
 */
const SWAP_BEFORE_SECONDS = Number(process.env.LOAD_SWAP_BEFORE_SECONDS ?? (PACK === 'scale' ? 40 : DURATION));
const CONNECTIONS = 10;
const ADMIN_TOKEN = 'load-admin-token-0123456789';

function memoryOf(pid: number | undefined): { rssMiB: number; peakRssMiB: number } {
  const status = pid === undefined ? '' : readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

const HEADERS = { 'x-deadline-ms': '1000' };

/** As fast as the connections go (closed loop): maximum throughput. */
function options(url: string, bodies: string[], duration: number): autocannon.Options {
  let next = 0;
  const opts: autocannon.Options = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...HEADERS },
    body: bodies[0] ?? '',
    connections: CONNECTIONS,
    duration,
  };
  if (bodies.length > 1) opts.requests = [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] ?? '' }) }];
  return opts;
}

function fromOpenLoop(target: string, rate: number, result: OpenLoopResult): Run {
  const { answers } = result;
  return {
    target,
    rate,
    requestsPerSecond: answers.length / Math.max(1e-9, result.elapsedSeconds),
    p50: latencyQuantile(answers, 0.5),
    p99: latencyQuantile(answers, 0.99),
    p999: latencyQuantile(answers, 0.999),
    max: latencyQuantile(answers, 1),
    non2xx: answers.filter((a) => a.status !== 0 && (a.status < 200 || a.status > 299)).length,
    errors: answers.filter((a) => a.status === 0).length,
  };
}

function toRun(target: string, rate: number | 'max', result: autocannon.Result): Run {
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

async function hit(target: string, port: number, bodies: string[], rate: number | 'max', duration = DURATION): Promise<Run> {
  if (rate === 'max') return toRun(target, rate, await autocannon(options(`http://127.0.0.1:${port}/v1/check`, bodies, duration)));
  return fromOpenLoop(
    target,
    rate,
    await runOpenLoop({ port, path: '/v1/check', rate, seconds: duration, bodies, headers: HEADERS, maxConnections: CONNECTIONS }).done,
  );
}

/** Resolves once the gate has no check in flight (at most 60 s), and 2 s more. */
async function settled(port: number): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    if (Number(/^gate_checks_in_flight (\d+)/m.exec(metrics)?.[1] ?? 0) === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2000));
}

/** A fixed-rate run that lasts exactly as long as `during` takes (at least 1 s). */
async function hitWhile(target: string, port: number, bodies: string[], rate: number, during: Promise<unknown>): Promise<Run> {
  const run = runOpenLoop({ port, path: '/v1/check', rate, seconds: 600, bodies, headers: HEADERS, maxConnections: CONNECTIONS });
  const started = Date.now();
  void during.finally(() => setTimeout(() => run.stop(), Math.max(0, 1000 - (Date.now() - started))));
  return fromOpenLoop(target, rate, await run.done);
}

const dataDir = mkdtempSync(join(tmpdir(), 'gate-load-'));
const gatePort = await freePort();
const echoPort = await freePort();
const poolEchoPort = await freePort();
const swapPath = join(dataDir, 'swap-pack.json');

/**
 * Writes the pack and the swap pack to files and returns the listing stream. The
 * packs are not kept: this process is the load generator, and a scale pack held in
 * its heap made each of its full collections a pause of ~0.3 s, counted (open
 * loop) as the latency of every request due meanwhile, the echo's as much as the
 * gate's. (A function of its own: a variable of the module's top level stays alive
 * in its suspended frame for as long as the run.)
 */
function writePacks(): { packPath: string | undefined; bodies: string[] } {
  if (PACK === 'demo') {
    // The demo pack swaps to itself plus one brand, for the same reason as the scale pack.
    const demo = JSON.parse(readFileSync(repoPath('src', 'pack', 'demo-pack.json'), 'utf8')) as { packVersion: string; brands: unknown[] };
    writeFileSync(swapPath, JSON.stringify({ ...demo, packVersion: 'demo-swap', brands: [...demo.brands, { id: 'swap-brand', names: ['Swapmark'] }] }));
    return { packPath: undefined, bodies: [DEMO_BODY] };
  }
  if (PACK !== 'scale') throw new Error(`LOAD_PACK must be "scale" or "demo", got "${PACK}"`);
  const started = performance.now();
  const data = scalePack();
  const packPath = join(dataDir, 'scale-pack.json');
  writeFileSync(packPath, JSON.stringify(data.pack));
  // One more brand, so that the swap recompiles every pattern (the same pattern set would come from the database cache).
  const extra = { id: 'swap-brand', names: ['Swapmark'], categories: [], authorizedSellers: [], priceFloor: {} };
  writeFileSync(swapPath, JSON.stringify({ ...data.pack, packVersion: 'scale-2', brands: [...data.pack.brands, extra] }));
  console.log(
    `scale pack generated in ${((performance.now() - started) / 1000).toFixed(1)} s (${(statSync(packPath).size / 2 ** 20).toFixed(0)} MiB of JSON); starting the gate with it`,
  );
  return { packPath, bodies: listingStream(data, 20_000).map((l) => JSON.stringify(l)) };
}
const { packPath, bodies } = writePacks();

const startedGate = performance.now();
const gate = await startProcess(
  repoPath('dist', 'src', 'main.js'),
  {
    PORT: String(gatePort),
    HOST: '127.0.0.1',
    GATE_DATA_DIR: dataDir,
    REDIS_URL: '',
    GATE_ADMIN_TOKEN: ADMIN_TOKEN,
    ...(packPath ? { GATE_PACK: packPath } : {}),
  },
  /listening on/,
  300_000,
);
const startSeconds = (performance.now() - startedGate) / 1000;
const echo = await startProcess(repoPath('dist', 'load', 'echo-server.js'), { PORT: String(echoPort) }, /echo listening/);
const poolEcho = await startProcess(repoPath('dist', 'load', 'pool-echo-server.js'), { PORT: String(poolEchoPort) }, /pool echo listening/);
const runs: Run[] = [];
let swap: LoadResults['swap'];
let memory: LoadResults['memory'] = { rssMiB: NaN, peakRssMiB: NaN };
try {
  await hit('gate', gatePort, bodies, 'max', Math.min(DURATION, 5)); // warm-up, not reported
  for (const rate of ['max' as const, ...RATES]) {
    runs.push(await hit('echo', echoPort, bodies, rate));
    // At the fixed rates too: the latency of uWS + JSON + the pool round trip alone is the floor the gate's own work adds to.
    runs.push(await hit('pool-echo', poolEchoPort, bodies, rate));
    runs.push(await hit('gate', gatePort, bodies, rate));
  }
  memory = { ...memoryOf(gate.pid) };
  // The highest rate may have left the gate a backlog (answers no one waits for any more):
  // the swap's "before" starts once it is worked off, so that it measures the gate at rest.
  await settled(gatePort);
  // The swap: the same pack under a new version, uploaded while checks arrive at a fixed rate,
  // from a process of its own (sending 100 MB here would stall this process's load
  // generator) started ahead, so that its start-up does not fall into the swap.
  let swapStarted = 0;
  let uploader: ChildProcess | undefined;
  const upload = new Promise<number>((resolve, reject) => {
    uploader = execFile(
      process.execPath,
      [repoPath('dist', 'load', 'upload-pack.js'), `http://127.0.0.1:${gatePort}/v1/admin/pack`, swapPath, '--on-newline'],
      { env: { ...process.env, GATE_ADMIN_TOKEN: ADMIN_TOKEN } },
      (error, _stdout, stderr) =>
        error ? reject(new Error(`the swap upload failed: ${stderr || error.message}`)) : resolve((performance.now() - swapStarted) / 1000),
    );
  });
  upload.catch(() => undefined); // handled below; a failure before then must not end the run
  await new Promise<void>((resolve) => {
    let printed = '';
    const onData = (chunk: Buffer): void => {
      printed += chunk.toString();
      if (!printed.includes('ready')) return;
      uploader?.stdout?.off('data', onData);
      resolve();
    };
    uploader?.stdout?.on('data', onData);
    void upload.catch(() => resolve());
  });
  const before = await hit('gate', gatePort, bodies, SWAP_RATE, SWAP_BEFORE_SECONDS);
  swapStarted = performance.now();
  uploader?.stdin?.write('go\n');
  const during = await hitWhile(
    'gate',
    gatePort,
    bodies,
    SWAP_RATE,
    upload.catch(() => undefined),
  );
  const seconds = await upload.catch((error: unknown) => {
    console.error((error as Error).message);
    return NaN;
  });
  swap = { rate: SWAP_RATE, seconds, before, during, p99Ratio: during.p99 / Math.max(1, before.p99) };
  const after = memoryOf(gate.pid);
  const metrics = await (await fetch(`http://127.0.0.1:${gatePort}/metrics`)).text();
  const buildPeak = Number(/^gate_pack_build_peak_resident_bytes (\S+)/m.exec(metrics)?.[1] ?? NaN) / 2 ** 20;
  memory = { rssMiB: Math.max(memory.rssMiB, after.rssMiB), peakRssMiB: after.peakRssMiB, buildPeakRssMiB: buildPeak };
} finally {
  await stopProcess(gate);
  await stopProcess(echo);
  await stopProcess(poolEcho);
  rmSync(dataDir, { recursive: true, force: true });
}

const results: LoadResults = {
  at: new Date().toISOString(),
  pack: PACK,
  connections: CONNECTIONS,
  duration: DURATION,
  gateStartSeconds: startSeconds,
  runs,
  swap,
  memory,
};
const maxGate = runs.find((r) => r.target === 'gate' && r.rate === 'max');
const maxEcho = runs.find((r) => r.target === 'echo' && r.rate === 'max');
const maxPoolEcho = runs.find((r) => r.target === 'pool-echo' && r.rate === 'max');
const percentOf = (part: Run | undefined, whole: Run | undefined): string =>
  part && whole ? ((part.requestsPerSecond / whole.requestsPerSecond) * 100).toFixed(0) : '?';
/** A latency in ms as printed (autocannon's are whole ms, the open loop's are not). */
const ms = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(2));
const lines = [
  `# Load run, ${results.at} (${CONNECTIONS} connections, ${DURATION} s per run, ${PACK} pack, embedded Redis, load generator on the same machine; fixed rates open loop, latency from when each request fell due)`,
  '',
  `gate ready in ${startSeconds.toFixed(1)} s with the ${PACK} pack`,
  '',
  '| target | rate | req/s | p50 ms | p99 ms | p99.9 ms | max ms | non-2xx | errors |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...runs.map(
    (r) =>
      `| ${r.target} | ${r.rate} | ${r.requestsPerSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.p999)} | ${ms(r.max)} | ${r.non2xx} | ${r.errors} |`,
  ),
  '',
  `gate / echo maximum throughput: ${percentOf(maxGate, maxEcho)}% (target >= 60%)`,
  `pool echo / echo: ${percentOf(maxPoolEcho, maxEcho)}% (the ceiling of uWS + JSON + one batched pool round trip, no work); gate / pool echo: ${percentOf(maxGate, maxPoolEcho)}%`,
];
for (const rate of RATES) {
  const g = runs.find((r) => r.target === 'gate' && r.rate === rate);
  const e = runs.find((r) => r.target === 'echo' && r.rate === rate);
  const p = runs.find((r) => r.target === 'pool-echo' && r.rate === rate);
  const floor = p ? `; pool echo p99 ${ms(p.p99)}, p99.9 ${ms(p.p999)} ms` : '';
  if (g && e)
    lines.push(
      `at ${rate} req/s: gate p99 ${ms(g.p99)} ms vs echo ${ms(e.p99)} ms (+${(g.p99 - e.p99).toFixed(1)}, target +2), p99.9 ${ms(g.p999)} vs ${ms(e.p999)} ms (+${(g.p999 - e.p999).toFixed(1)}, target +5), gate non-2xx ${g.non2xx}${floor}`,
    );
}
if (swap) {
  lines.push(
    `pack swap at ${swap.rate} req/s: upload to live in ${swap.seconds.toFixed(1)} s; p99 before (${SWAP_BEFORE_SECONDS} s) ${ms(swap.before.p99)} ms, during ${ms(swap.during.p99)} ms (${swap.p99Ratio.toFixed(2)}×, target <= 2×), max during ${ms(swap.during.max)} ms, non-2xx during ${swap.during.non2xx}`,
  );
}
lines.push(
  `gate resident memory: ${memory.rssMiB.toFixed(0)} MiB after the runs, peak ${memory.peakRssMiB.toFixed(0)} MiB (target <= 2048 MiB)` +
    (memory.buildPeakRssMiB === undefined
      ? ''
      : `; the swap's pack-build process (a process of its own, for the length of the build): peak ${memory.buildPeakRssMiB.toFixed(0)} MiB`),
);

mkdirSync(repoPath('load-results'), { recursive: true });
const stamp = results.at.replace(/[:.]/g, '-');
const chartPath = repoPath('load-results', `load-${stamp}.svg`);
const rates = ['max', ...RATES.map(String)];
const series = (target: string, key: 'p50' | 'p99' | 'p999', label: string) => ({
  name: `${target} ${label}`,
  values: rates.map((rate) => runs.find((r) => r.target === target && String(r.rate) === rate)?.[key] ?? null),
  dashed: target !== 'gate',
});
writeFileSync(
  chartPath,
  lineChartSvg({
    title: `Latency by arrival rate, gate vs bare uWS echo (${PACK} pack)`,
    xLabel: 'arrival rate (req/s; max = as fast as 10 connections go)',
    yLabel: 'latency (ms)',
    categories: rates,
    series: [
      series('gate', 'p50', 'p50'),
      series('gate', 'p99', 'p99'),
      series('gate', 'p999', 'p99.9'),
      series('pool-echo', 'p99', 'p99'),
      series('echo', 'p50', 'p50'),
      series('echo', 'p99', 'p99'),
      series('echo', 'p999', 'p99.9'),
    ],
  }),
);
lines.push('', `chart: ${chartPath}`);

let failed = false;
const baselinePath = process.env.LOAD_BASELINE;
if (baselinePath) {
  if (!existsSync(baselinePath)) throw new Error(`LOAD_BASELINE names ${baselinePath}, which does not exist`);
  const comparison = compareWithBaseline(results, JSON.parse(readFileSync(baselinePath, 'utf8')) as LoadResults);
  lines.push('', `## against the baseline ${baselinePath}`, '', ...comparison.lines);
  failed = comparison.regressions > 0 || comparison.compared === 0;
}
const report = lines.join('\n');
console.log(report);
writeFileSync(repoPath('load-results', `load-${stamp}.json`), JSON.stringify(results, null, 2));
writeFileSync(repoPath('load-results', `load-${stamp}.md`), `${report}\n`);
if (process.env.LOAD_SAVE_BASELINE) {
  writeFileSync(process.env.LOAD_SAVE_BASELINE, JSON.stringify(results, null, 2));
  console.log(`saved as the baseline ${process.env.LOAD_SAVE_BASELINE}`);
}
// Last, with servers of its own (LOAD_COST=0 leaves it out): CPU per check by thread, and an idle check's waits.
if (process.env.LOAD_COST !== '0') await runCostView();
if (failed) {
  console.error('load: regressions against the baseline, or nothing to compare with it (see above)');
  process.exit(1);
}
