// npm run load:faults: the gate under a fixed arrival rate while its Redis is
// broken, each scenario with a Redis of its own (issue 8):
//   redis-stop   Redis stopped for 10 s, then started again on its AOF;
//   redis-kill   Redis killed with kill -9 and restarted, while a reviewer decides items;
//   overload     twice the rate the gate sustains, with GATE_SHED_MODE=503.
// FAULT_SCENARIOS=redis-stop,overload (say) runs some of them.
// Every answer is read: its status, latency, verdict and reasons. Afterwards every
// review item and decision the gate acknowledged is looked up in Redis.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { repoPath } from '../src/config/repo-root.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { redisKeys } from '../src/redis/redis-keys.js';
import { startProcess, stopProcess } from './child-process.js';

const RATE = Number(process.env.FAULT_RATE ?? 500);
const SCENARIOS = (process.env.FAULT_SCENARIOS ?? 'redis-stop,redis-kill,overload').split(',');
const wanted = (name: string): boolean => SCENARIOS.includes(name);
/** The largest value (a spread of 100,000 arguments would overflow the stack). */
const largest = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => (b > a ? b : a)));
const DEADLINE_MS = 20;
const ADMIN = 'faults-admin-token-0123456789';
const REVIEWER = 'faults-reviewer-token-0123456789';
const PREFIX = 'faults:';

interface Answer {
  status: number;
  verdict?: string;
  reviewId?: string;
  degradedLists: boolean;
}

async function startGate(redisUrl: string, extra: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const env = { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redisUrl, GATE_REDIS_PREFIX: PREFIX, GATE_ADMIN_TOKEN: ADMIN, GATE_REVIEWER_TOKENS: `rev:${REVIEWER}`, GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gate-faults-')), ...extra };
  return { child: await startProcess(repoPath('dist', 'src', 'main.js'), env, /listening on/), port };
}

interface Timing {
  status: number;
  ms: number;
  /** performance.now() when the answer arrived. */
  at: number;
}

/** Runs a fixed-rate load of listings (a tenth from a listed seller) for `seconds`, reading every answer and its latency. */
function load(port: number, rate: number, seconds: number, connections = 20): Promise<{ answers: Answer[]; timings: Timing[] }> {
  const answers: Answer[] = [];
  const timings: Timing[] = [];
  let n = 0;
  const bodies = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ listingId: `F-${i}`, sellerId: i % 10 === 0 ? 'listed-seller' : `s-${i}`, title: i % 3 === 0 ? `super copy tote ${i}` : `cotton tote ${i}` }));
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${port}/v1/check`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        connections,
        overallRate: rate,
        duration: seconds,
        timeout: 5,
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: bodies[n++ % bodies.length] ?? '' }),
            onResponse: (status, body) => {
              let parsed: { verdict?: string; reviewId?: string; reasons?: Array<{ code: string; ref: string }> } = {};
              try {
                parsed = JSON.parse(body) as typeof parsed;
              } catch {
                // a non-JSON answer is counted by its status
              }
              const answer: Answer = { status, degradedLists: parsed.reasons?.some((r) => r.ref.startsWith('lists:')) ?? false };
              if (parsed.verdict) answer.verdict = parsed.verdict;
              if (parsed.reviewId) answer.reviewId = parsed.reviewId;
              answers.push(answer);
            },
          },
        ],
      },
      (error) => (error ? reject(error) : resolve({ answers, timings })),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => timings.push({ status, ms: responseTime, at: performance.now() }));
  });
}

function quantile(values: number[], q: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function readyAfter(port: number, since: number): Promise<number> {
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ok) return (performance.now() - since) / 1000;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function missingItems(url: string, reviewIds: readonly string[]): Promise<number> {
  const client = new Redis(url);
  const keys = redisKeys(PREFIX);
  let missing = 0;
  for (const id of new Set(reviewIds)) if ((await client.exists(keys.reviewItem(id))) === 0) missing++;
  client.disconnect();
  return missing;
}

const results: Record<string, unknown> = {};
const lines: string[] = [`# Fault runs, ${new Date().toISOString()} (fixed rate ${RATE} req/s, 20 connections, deadline ${DEADLINE_MS} ms, load generator on the same 2 cores)`, ''];

// 1. Redis stopped for 10 s.
if (wanted('redis-stop')) {
  const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'faults-redis-')) });
  await redis.start();
  const admin = new Redis(redis.url);
  await admin.sadd(redisKeys(PREFIX).list('sellers'), 'listed-seller');
  admin.disconnect();
  const gate = await startGate(redis.url);
  await load(gate.port, RATE, 3); // warm-up (JIT, worker threads, caches), not counted
  const run = load(gate.port, RATE, 20);
  await new Promise((r) => setTimeout(r, 5000));
  const stopped = performance.now();
  await redis.stop();
  await new Promise((r) => setTimeout(r, 10_000));
  const restarted = performance.now();
  await redis.start();
  const reconnectSeconds = await readyAfter(gate.port, restarted);
  const { answers, timings } = await run;
  await new Promise((r) => setTimeout(r, 3000)); // the spool replays within a second or two
  const reviewIds = answers.flatMap((a) => (a.reviewId ? [a.reviewId] : []));
  const missing = await missingItems(redis.url, reviewIds);
  const ok = answers.filter((a) => a.status === 200);
  const silentAllows = answers.filter((a) => a.verdict === 'allow' && a.degradedLists).length;
  const ms = timings.map((t) => t.ms);
  const withinDeadline = ms.filter((t) => t <= DEADLINE_MS + 2).length;
  const late = timings.filter((t) => t.ms > DEADLINE_MS + 2);
  const lateBy = { beforeStop: late.filter((t) => t.at < stopped).length, whileStopped: late.filter((t) => t.at >= stopped && t.at < restarted).length, afterRestart: late.filter((t) => t.at >= restarted).length };
  // When the late ones came, in seconds from the stop and from the restart: to tell the moment of failure, the outage and the recovery apart.
  const lateAt = late.map((t) => (t.at < restarted ? `stop+${((t.at - stopped) / 1000).toFixed(1)}s` : `restart+${((t.at - restarted) / 1000).toFixed(1)}s`));
  const lateMoments = [...new Map(lateAt.map((m) => [m, lateAt.filter((x) => x === m).length])).entries()].map(([m, n]) => `${m}×${n}`).join(' ');
  results.redisStop = { answers: answers.length, ok: ok.length, p99: quantile(ms, 0.99), max: largest(ms), withinDeadlinePlus2: withinDeadline, lateBy, silentAllows, reviewItems: new Set(reviewIds).size, missing, reconnectSeconds };
  lines.push(
    '## Redis stopped for 10 s',
    '',
    `answers ${answers.length}, 200s ${ok.length}, within deadline + 2 ms ${withinDeadline} of ${ms.length} (${((withinDeadline / ms.length) * 100).toFixed(2)}%; late ones: ${lateBy.beforeStop} before the stop, ${lateBy.whileStopped} while stopped, ${lateBy.afterRestart} after the restart${lateMoments ? `: ${lateMoments}` : ''}), p99 ${quantile(ms, 0.99)} ms, max ${largest(ms)} ms`,
    `allow verdicts that skipped the list check: ${silentAllows}; review items acknowledged ${new Set(reviewIds).size}, missing after Redis returned: ${missing}; ready again ${reconnectSeconds.toFixed(2)} s after Redis started`,
    '',
  );
  await stopProcess(gate.child);
  await redis.stop();
}

// 2. Redis killed with kill -9 and restarted while a reviewer decides items.
if (wanted('redis-kill')) {
  const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'faults-redis-')) });
  await redis.start();
  const gate = await startGate(redis.url);
  const base = `http://127.0.0.1:${gate.port}`;
  const decided: string[] = [];
  let deciding = true;
  const reviewer = (async () => {
    while (deciding) {
      try {
        const next = (await (await fetch(`${base}/v1/review/next?count=10`, { headers: { authorization: `Bearer ${REVIEWER}` } })).json()) as { items?: Array<{ reviewId: string }> };
        for (const item of next.items ?? []) {
          const response = await fetch(`${base}/v1/review/${item.reviewId}/decision`, { method: 'POST', headers: { authorization: `Bearer ${REVIEWER}`, 'content-type': 'application/json' }, body: JSON.stringify({ decision: 'block' }) });
          if (response.status === 200) decided.push(item.reviewId);
        }
      } catch {
        // Redis is down: the claim fails; try again
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const run = load(gate.port, RATE, 15);
  await new Promise((r) => setTimeout(r, 5000));
  await redis.kill();
  await new Promise((r) => setTimeout(r, 2000));
  await redis.start();
  const { answers } = await run;
  deciding = false;
  await reviewer;
  await new Promise((r) => setTimeout(r, 3000));
  const reviewIds = answers.flatMap((a) => (a.reviewId ? [a.reviewId] : []));
  const missing = await missingItems(redis.url, reviewIds);
  const client = new Redis(redis.url);
  let undecided = 0;
  for (const id of decided) if ((await client.hget(redisKeys(PREFIX).reviewItem(id), 'status')) !== 'decided') undecided++;
  client.disconnect();
  results.redisKill = { answers: answers.length, ok: answers.filter((a) => a.status === 200).length, reviewItems: new Set(reviewIds).size, missing, decisions: decided.length, lostDecisions: undecided };
  lines.push('## Redis killed (kill -9) and restarted', '', `answers ${answers.length}, review items acknowledged ${new Set(reviewIds).size}, missing ${missing}; decisions acknowledged ${decided.length}, not recorded after the restart ${undecided}`, '');
  await stopProcess(gate.child);
  await redis.stop();
}

// 3. Twice the sustainable rate, shedding with 503.
if (wanted('overload')) {
  const redis = new EmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'faults-redis-')) });
  await redis.start();
  const gate = await startGate(redis.url, { GATE_SHED_MODE: '503', GATE_MAX_LISTINGS_IN_FLIGHT: '64', GATE_MAX_CHECKS_IN_FLIGHT: process.env.FAULT_MAX_CHECKS_IN_FLIGHT ?? '64' });
  const probe = await load(gate.port, 100_000, 5);
  const sustained = probe.timings.filter((t) => t.status === 200).length / 5;
  // Enough connections that twice the rate is really offered (each connection has one request in flight).
  const { timings } = await load(gate.port, Math.round(sustained * 2), 10, 400);
  const accepted = timings.filter((t) => t.status === 200).map((t) => t.ms);
  const shed = timings.filter((t) => t.status === 503).map((t) => t.ms);
  await stopProcess(gate.child);
  await redis.stop();
  // The comparator: the bare uWS echo at the same offered rate and connections. On
  // this 2-core machine the load generator's own 400 connections take their share,
  // and what the echo shows is the floor under any answer, a refusal included.
  const echoPort = await freePort();
  const echo = await startProcess(repoPath('dist', 'load', 'echo-server.js'), { PORT: String(echoPort) }, /echo listening/);
  const echoRun = await load(echoPort, Math.round(sustained * 2), 10, 400);
  await stopProcess(echo);
  const echoMs = echoRun.timings.map((t) => t.ms);
  results.overload = { sustained, offered: Math.round(sustained * 2), accepted: accepted.length, shed: shed.length, acceptedP99: quantile(accepted, 0.99), shedP99: quantile(shed, 0.99), shedMax: largest(shed), echoP99: quantile(echoMs, 0.99), echoMax: largest(echoMs) };
  lines.push(
    '## Twice the sustainable rate (GATE_SHED_MODE=503)',
    '',
    `sustained ${sustained.toFixed(0)} req/s; offered ${Math.round(sustained * 2)} req/s: accepted ${accepted.length} (p99 ${quantile(accepted, 0.99)} ms), shed ${shed.length} (p99 ${quantile(shed, 0.99)} ms, max ${largest(shed) ?? '-'} ms); the bare echo at the same rate and connections: p99 ${quantile(echoMs, 0.99)} ms, max ${largest(echoMs) ?? '-'} ms`,
    '',
  );
}

const report = lines.join('\n');
console.log(report);
mkdirSync(repoPath('load-results'), { recursive: true });
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
writeFileSync(repoPath('load-results', `faults-${stamp}.json`), JSON.stringify(results, null, 2));
writeFileSync(repoPath('load-results', `faults-${stamp}.md`), `${report}\n`);
