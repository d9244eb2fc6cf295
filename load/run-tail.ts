// npm run load:tail: the tail of an unhurried gate (issue 24, point 4). TAIL_CHECKS
// (100,000) checks at TAIL_RATE (1,000/s), evenly spaced (open-loop-load.ts; autocannon's
// overallRate sends each second's quota back to back), from the labelled corpus, each
// listing id new: the caller's latency, the largest tookMicros (the gate's own clock), the slowest checks with
// when they came and their Server-Timing phases, how many were degraded (a
// `degraded` reason: a signal missed its deadline), and Redis's own stalls of
// TAIL_REDIS_LATENCY_MS (10) or more (its latency monitor: fsyncs, commands,
// forks). The gate runs on a Redis set up as its embedded one (AOF, appendfsync
// always, its ACL user), with a second user that may only read those figures. The
// dev pack where ../shared is beside the clone, else the demo pack.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { repoPath } from '../src/config/repo-root.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';
import { headerValue } from './http-response.js';
import { quantile, runOpenLoop } from './open-loop-load.js';

const CHECKS = Number(process.env.TAIL_CHECKS ?? 100_000);
const RATE = Number(process.env.TAIL_RATE ?? 1_000);
const REDIS_LATENCY_MS = Number(process.env.TAIL_REDIS_LATENCY_MS ?? 10);
/** Checks at least this slow keep their Server-Timing header for the report. */
const TIMED_FROM_MICROS = 5_000;
const sharedDir = process.env.GATE_SHARED_DIR ?? repoPath('..', 'shared');
const sharedPack = join(sharedDir, 'packs', 'dev-pack.json');
const sharedCorpus = join(sharedDir, 'corpus', 'dev.jsonl');
const pack = existsSync(sharedPack) ? sharedPack : repoPath('src', 'pack', 'demo-pack.json');
const corpus = existsSync(sharedCorpus) ? sharedCorpus : repoPath('test', 'fixtures', 'mini-corpus.jsonl');
const listings = readFileSync(corpus, 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { listing: Record<string, unknown> }).listing);

interface Answer {
  at: number;
  tookMicros: number;
  degraded: string[];
  /** The Server-Timing phases of a slow check. */
  timing?: string;
}

const dir = mkdtempSync(join(tmpdir(), 'gate-tail-'));
const observerPassword = randomBytes(16).toString('hex');
const embedded = new EmbeddedRedis({
  dataDir: join(dir, 'redis'),
  keyPrefix: 'gate:',
  extraUsers: [
    {
      name: 'observer',
      password: `#${createHash('sha256').update(observerPassword).digest('hex')}`,
      rules: ['+config|set', '+latency', '+ping'],
    },
  ],
});
await embedded.start();
// No ready check: it runs INFO, which this user may not.
const observer = new Redis(`redis://observer:${observerPassword}@127.0.0.1:${embedded.port}`, { enableReadyCheck: false });
await observer.config('SET', 'latency-monitor-threshold', String(REDIS_LATENCY_MS));

const port = await freePort();
const gate = await startProcess(
  repoPath('dist', 'src', 'main.js'),
  { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: embedded.url, GATE_PACK: pack, GATE_DATA_DIR: join(dir, 'gate') },
  /listening on/,
);
const answers: Answer[] = [];
const callerMs: number[] = [];
let failed = 0;
const failedBy = new Map<string, number>();
const startedAtSeconds = Date.now() / 1000;
const bodies = Array.from({ length: CHECKS }, (_, i) => JSON.stringify({ ...listings[i % listings.length], listingId: `tail-${i}` }));
try {
  const run = runOpenLoop({
    port,
    path: '/v1/check',
    rate: RATE,
    seconds: CHECKS / RATE,
    bodies,
    headers: { 'x-gate-timing': '1' },
    maxConnections: 64,
    keepBodies: true,
    keepHeads: true,
  });
  const { answers: raw } = await run.done;
  const firstAt = raw.reduce((first, a) => Math.min(first, a.at - a.latencyMs), Number.POSITIVE_INFINITY);
  for (const answer of raw) {
    callerMs.push(answer.latencyMs);
    if (answer.status !== 200) {
      failed++;
      const code =
        answer.status === 0 ? 'no answer' : `${answer.status} ${(JSON.parse(answer.body ?? '{}') as { error?: { code?: string } }).error?.code ?? ''}`.trim();
      failedBy.set(code, (failedBy.get(code) ?? 0) + 1);
      continue;
    }
    const check = JSON.parse(answer.body ?? '{}') as { tookMicros: number; reasons: Array<{ code: string; ref: string }> };
    const timing = check.tookMicros >= TIMED_FROM_MICROS && answer.head !== undefined ? headerValue(answer.head, 'server-timing') : undefined;
    answers.push({
      at: (answer.at - answer.latencyMs - firstAt) / 1000,
      tookMicros: check.tookMicros,
      degraded: check.reasons.filter((r) => r.code === 'degraded').map((r) => r.ref),
      ...(timing !== undefined ? { timing } : {}),
    });
  }
} finally {
  await stopProcess(gate);
}
const redisStalls = await readRedisStalls();
observer.disconnect();
await embedded.stop();
rmSync(dir, { recursive: true, force: true });

/** Redis's latency monitor: each kind of stall of REDIS_LATENCY_MS or more, how many, the largest, and when (seconds into the run). */
async function readRedisStalls(): Promise<string[]> {
  const latest = (await observer.call('LATENCY', 'LATEST')) as Array<[string, number, number, number]>;
  const lines: string[] = [];
  for (const [event, , , maxMs] of latest) {
    const history = (await observer.call('LATENCY', 'HISTORY', event)) as Array<[number, number]>;
    const when = history.map(([at, ms]) => `${Math.max(0, at - startedAtSeconds).toFixed(0)} s: ${ms} ms`);
    lines.push(`- ${event}: ${history.length} (largest ${maxMs} ms; ${when.slice(-12).join(', ')})`);
  }
  return lines;
}

const sorted = [...answers].sort((a, b) => a.tookMicros - b.tookMicros);
const took = sorted.map((a) => a.tookMicros);
const degraded = answers.filter((a) => a.degraded.length > 0);
const degradedBySecond = new Map<number, number>();
for (const a of degraded) degradedBySecond.set(Math.floor(a.at), (degradedBySecond.get(Math.floor(a.at)) ?? 0) + 1);
const report = [
  `# Tail, ${new Date().toISOString()}: ${answers.length} checks at ${RATE}/s (${failed} not 200${failed > 0 ? `: ${[...failedBy].map(([code, n]) => `${n} ${code}`).join(', ')}` : ''}), pack ${pack.replace(`${repoPath()}/`, '')}, corpus ${corpus.replace(`${repoPath()}/`, '')}`,
  '',
  `tookMicros: p50 ${quantile(took, 0.5)}, p99 ${quantile(took, 0.99)}, p99.9 ${quantile(took, 0.999)}, p99.99 ${quantile(took, 0.9999)}, max ${quantile(took, 1)}`,
  `the caller's latency from when each check fell due, this generator's 1 ms ticker included (ms): p50 ${quantile(callerMs, 0.5).toFixed(2)}, p99 ${quantile(callerMs, 0.99).toFixed(2)}, p99.9 ${quantile(callerMs, 0.999).toFixed(2)}, max ${quantile(callerMs, 1).toFixed(2)}`,
  `degraded: ${degraded.length}${degraded.length > 0 ? ` (${[...new Set(degraded.flatMap((a) => a.degraded))].join(', ')})` : ''}`,
  ...(degraded.length > 0 ? [`degraded by second of the run: ${[...degradedBySecond].map(([second, n]) => `${second}: ${n}`).join(', ')}`] : []),
  '',
  'slowest ten (second of the run, tookMicros, degraded signals, Server-Timing phases in ms):',
  ...sorted
    .slice(-10)
    .reverse()
    .map((a) => `- ${a.at.toFixed(1)} s: ${a.tookMicros} µs${a.degraded.length > 0 ? ` (${a.degraded.join(', ')})` : ''}${a.timing ? ` [${a.timing}]` : ''}`),
  '',
  `Redis stalls of ${REDIS_LATENCY_MS} ms or more (its latency monitor; the last 12 of each kind, seconds into the run):`,
  ...(redisStalls.length > 0 ? redisStalls : ['- none']),
].join('\n');
console.log(report);
mkdirSync(repoPath('load-results'), { recursive: true });
writeFileSync(repoPath('load-results', `tail-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), `${report}\n`);
