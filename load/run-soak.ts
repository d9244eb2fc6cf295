// npm run load:soak: a fixed-rate load for SOAK_MINUTES (default 5) with a pack
// swap every minute (a new brand each time, so every swap compiles); samples the
// gate's resident memory, heap and open file descriptors every 10 s from /metrics
// and reports each one's slope per minute after the first minute (warm-up).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';
import { leastSquaresSlope } from './least-squares-slope.js';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 5);
const RATE = Number(process.env.SOAK_RATE ?? 500);
const ADMIN = 'soak-admin-token-0123456789';

const port = await freePort();
const child = await startProcess(
  repoPath('dist', 'src', 'main.js'),
  { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: '', GATE_ADMIN_TOKEN: ADMIN, GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gate-soak-')) },
  /listening on/,
);

const base = `http://127.0.0.1:${port}`;
const demo = JSON.parse(readFileSync(repoPath('src', 'pack', 'demo-pack.json'), 'utf8')) as { packVersion: string; brands: unknown[] };
const samples: Array<{ minute: number; rss: number; heap: number; fds: number }> = [];
const metric = (text: string, name: string): number => Number(new RegExp(`^${name} ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
const started = performance.now();
const minutes = (): number => (performance.now() - started) / 60_000;
let swaps = 0;
let swapFailures = 0;
const sampler = setInterval(() => {
  void fetch(`${base}/metrics`)
    .then((r) => r.text())
    .then((text) =>
      samples.push({
        minute: minutes(),
        rss: metric(text, 'process_resident_memory_bytes') / 2 ** 20,
        heap: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
        fds: metric(text, 'process_open_fds'),
      }),
    );
}, 10_000);
const swapper = setInterval(() => {
  swaps++;
  const pack = { ...demo, packVersion: `soak-${swaps}`, brands: [...demo.brands, { id: `soak-brand-${swaps}`, names: [`Soakmark${swaps}`] }] };
  void fetch(`${base}/v1/admin/pack`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify(pack),
  }).then((r) => {
    if (r.status !== 200) swapFailures++;
  });
}, 60_000);
let n = 0;
const result = await autocannon({
  url: `${base}/v1/check`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  connections: 10,
  overallRate: RATE,
  duration: MINUTES * 60,
  requests: [
    {
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({
          listingId: `SOAK-${n++}`,
          sellerId: `s-${n % 5000}`,
          title: n % 4 === 0 ? `super copy tote ${n}` : `cotton tote ${n}`,
          seller: { phoneHash: `ph-${n % 3000}` },
        }),
      }),
    },
  ],
});
clearInterval(sampler);
clearInterval(swapper);
await stopProcess(child);

const steady = samples.filter((s) => s.minute >= 1);
// A heap sampled between collections swings by tens of MiB: what grows without
// bound shows in the low points, so the report gives the lowest sample of each
// minute too, and the slope of those over the second half of the run (by then the
// bounded caches are full).
const lowsPerMinute = (key: 'rss' | 'heap' | 'fds'): Array<[number, number]> => {
  const lows = new Map<number, number>();
  for (const sample of steady) {
    const minute = Math.floor(sample.minute);
    lows.set(minute, Math.min(lows.get(minute) ?? Infinity, sample[key]));
  }
  return [...lows.entries()];
};
const secondHalf = (points: Array<[number, number]>): Array<[number, number]> => points.filter(([minute]) => minute >= MINUTES / 2);
const report = [
  `# Soak, ${new Date().toISOString()}: ${MINUTES} min at ${RATE} req/s, a pack swap every minute (${swaps} swaps, ${swapFailures} failed)`,
  '',
  `requests ${result.requests.total}, non-2xx ${result.non2xx}, errors ${result.errors + result.timeouts}, p99 ${(result.latency as unknown as Record<string, number>).p99} ms (autocannon's rate: a burst at the top of every second; this run is about memory, the latency figures are npm run load's)`,
  '',
  '| measure | first sample | last sample | slope per minute (after minute 1) | lowest per minute, second half | slope of those per minute |',
  '|---|---:|---:|---:|---|---:|',
  ...(['rss', 'heap', 'fds'] as const).map((key) => {
    const lows = secondHalf(lowsPerMinute(key));
    return `| ${key === 'fds' ? 'open file descriptors' : `${key} MiB`} | ${samples[0]?.[key].toFixed(1)} | ${samples.at(-1)?.[key].toFixed(1)} | ${leastSquaresSlope(steady.map((s) => [s.minute, s[key]])).toFixed(2)} | ${lows.map(([, v]) => v.toFixed(0)).join(', ')} | ${leastSquaresSlope(lows).toFixed(2)} |`;
  }),
].join('\n');
console.log(report);
mkdirSync(repoPath('load-results'), { recursive: true });
writeFileSync(
  repoPath('load-results', `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
  JSON.stringify({ minutes: MINUTES, rate: RATE, swaps, swapFailures, samples }, null, 2),
);
