// npm run load:tail: the tail of an unhurried gate (issue 24, point 4). TAIL_CHECKS
// (100,000) checks at TAIL_RATE (1,000/s) from the labelled corpus, each listing
// id new: the largest tookMicros (the gate's own clock), the slowest checks with
// when they came, and how many were degraded (a `degraded` reason: a signal missed
// its deadline). The gate's own Redis, the dev pack where ../shared is beside the
// clone, else the demo pack.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { repoPath } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';

const CHECKS = Number(process.env.TAIL_CHECKS ?? 100_000);
const RATE = Number(process.env.TAIL_RATE ?? 1_000);
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
}

const port = await freePort();
const gate = await startProcess(
  repoPath('dist', 'src', 'main.js'),
  { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: '', GATE_PACK: pack, GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gate-tail-')) },
  /listening on/,
);
const answers: Answer[] = [];
let failed = 0;
const failedBy = new Map<string, number>();
const started = performance.now();
let sent = 0;
try {
  await autocannon({
    url: `http://127.0.0.1:${port}/v1/check`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    connections: 4,
    overallRate: RATE,
    amount: CHECKS,
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: JSON.stringify({ ...listings[sent % listings.length], listingId: `tail-${sent++}` }) }),
        onResponse: (status, body) => {
          if (status !== 200) {
            failed++;
            const code = `${status} ${(JSON.parse(body) as { error?: { code?: string } }).error?.code ?? ''}`.trim();
            failedBy.set(code, (failedBy.get(code) ?? 0) + 1);
            return;
          }
          const answer = JSON.parse(body) as { tookMicros: number; reasons: Array<{ code: string; ref: string }> };
          answers.push({
            at: (performance.now() - started) / 1000,
            tookMicros: answer.tookMicros,
            degraded: answer.reasons.filter((r) => r.code === 'degraded').map((r) => r.ref),
          });
        },
      },
    ],
  });
} finally {
  await stopProcess(gate);
}

const sorted = [...answers].sort((a, b) => a.tookMicros - b.tookMicros);
const quantile = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.tookMicros ?? NaN;
const degraded = answers.filter((a) => a.degraded.length > 0);
const report = [
  `# Tail, ${new Date().toISOString()}: ${answers.length} checks at ${RATE}/s (${failed} not 200${failed > 0 ? `: ${[...failedBy].map(([code, n]) => `${n} ${code}`).join(', ')}` : ''}), pack ${pack.replace(`${repoPath()}/`, '')}, corpus ${corpus.replace(`${repoPath()}/`, '')}`,
  '',
  `tookMicros: p50 ${quantile(0.5)}, p99 ${quantile(0.99)}, p99.9 ${quantile(0.999)}, p99.99 ${quantile(0.9999)}, max ${sorted.at(-1)?.tookMicros ?? NaN}`,
  `degraded: ${degraded.length}${degraded.length > 0 ? ` (${[...new Set(degraded.flatMap((a) => a.degraded))].join(', ')})` : ''}`,
  '',
  'slowest ten (second of the run, tookMicros, degraded signals):',
  ...sorted
    .slice(-10)
    .reverse()
    .map((a) => `- ${a.at.toFixed(1)} s: ${a.tookMicros} µs${a.degraded.length > 0 ? ` (${a.degraded.join(', ')})` : ''}`),
].join('\n');
console.log(report);
mkdirSync(repoPath('load-results'), { recursive: true });
writeFileSync(repoPath('load-results', `tail-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), `${report}\n`);
