// npm run load:recheck: a re-check job's listings per second on the demo pack,
// alone and under live traffic of 1,000 checks/s, and the live checks' p99 with
// and without the job (issue 25 target: >= 20,000 listings/s with live p99 within
// 1 ms of its p99 without the job). One gate process, default threads (check
// threads for live checks, the re-check pool at nice 19), its own Redis.
//   live: POST /v1/check at a fixed arrival rate (LOAD_LIVE_RATE, 1000/s) for
//         LOAD_SECONDS (10), open loop (load/open-loop-load.ts: latency from when
//         each request fell due, so a stall shows in every request it delayed;
//         autocannon's -R sends each second's quota in a burst, which would time
//         its own queue);
//   job:  LOAD_RECHECK_ENTRIES (100,000) listings in a stream, re-checked with
//         onlyChanged (nothing changes, so the run times the checking, not the
//         emission); listings/s = entries done between two readings of the job
//         while it runs / the time between.
//   scoped job: the seller of the first listing listed with `recheck: true` over
//         the same stream: a job scoped to the change (docs/rechecks.md), its rate
//         in entries read (out of scope included) a second.
//   interleaved: live checks without a break over LOAD_PAIRS (5) pairs of
//         LOAD_WINDOW_SECONDS (3) windows, the job running flat out in one and
//         paused in the other, the order alternating: a p99 of a few seconds moves
//         by milliseconds from one run to the next on this machine, so "with the
//         job" is compared with windows of the same minute, pooled and pair by pair,
//         and each verdict's p99 by phase (its Server-Timing, and the caller's time
//         outside the gate's clock).
// Rounds, in order: live alone, the job alone, the scoped job alone, the
// interleaved windows. LOAD_LIVE=0 leaves out the live rounds;
// LOAD_CPU_PROF_DIR=<dir> runs the gate with --cpu-prof (a profile per thread,
// written as it stops); LOAD_NODE_ARGS, further node options for the gate
// (V8 flags NODE_OPTIONS refuses).
// Listings: /work/shared/corpus/dev.jsonl (LOAD_CORPUS) when there, else the
// demo listing with varied ids.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { repoPath } from '../src/config/repo-root.js';
import { EmbeddedRedis, freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';
import { DEMO_BODY } from './demo-listing.js';
import { headerValue } from './http-response.js';
import { parseServerTiming } from './server-timing.js';
import { latencyQuantile, quantile, runOpenLoop, type OpenLoopAnswer, type OpenLoopResult } from './open-loop-load.js';

const CORPUS = process.env.LOAD_CORPUS ?? '/work/shared/corpus/dev.jsonl';
const SECONDS = Number(process.env.LOAD_SECONDS ?? 10);
const LIVE_RATE = Number(process.env.LOAD_LIVE_RATE ?? 1000);
const ENTRIES = Number(process.env.LOAD_RECHECK_ENTRIES ?? 100_000);
const LIVE = process.env.LOAD_LIVE !== '0';
const PAIRS = Number(process.env.LOAD_PAIRS ?? 5);
const WINDOW_SECONDS = Number(process.env.LOAD_WINDOW_SECONDS ?? 3);
/** Answers due this soon after a window opens are left out: the job's pause or resume takes a batch to show. */
const SETTLE_MS = 300;
const CPU_PROF_DIR = process.env.LOAD_CPU_PROF_DIR;
const ADMIN_TOKEN = randomBytes(18).toString('base64url');
const SOURCE = 'gate:{load}:recheck-source';

interface JobReading {
  state: string;
  done: number;
  total: number;
  at: number;
}

function listingBodies(): string[] {
  if (existsSync(CORPUS)) {
    return readFileSync(CORPUS, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.stringify((JSON.parse(line) as { listing: unknown }).listing));
  }
  const demo = JSON.parse(DEMO_BODY) as Record<string, unknown>;
  return Array.from({ length: 2000 }, (_, i) =>
    JSON.stringify({ ...demo, listingId: `LOAD-${i}`, title: i % 2 === 0 ? demo.title : `Plain cotton tote bag no. ${i}` }),
  );
}

async function readJob(url: string, id: string): Promise<JobReading> {
  const answer = (await (await fetch(`${url}/v1/admin/rechecks/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
    state: string;
    done: number;
    total: number;
  };
  return { state: answer.state, done: answer.done, total: answer.total, at: performance.now() };
}

async function startJob(url: string): Promise<string> {
  const answer = await fetch(`${url}/v1/admin/rechecks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ source: { stream: SOURCE }, onlyChanged: true }),
  });
  const body = (await answer.json()) as { id?: string };
  if (answer.status !== 202 || !body.id) throw new Error(`the job did not start: ${answer.status} ${JSON.stringify(body)}`);
  return body.id;
}

/** The job a seller list change starts with `recheck: true`, scoped to that seller (and its ring). */
async function startScopedJob(url: string, sellerId: string): Promise<string> {
  const answer = await fetch(`${url}/v1/admin/lists/sellers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ values: [sellerId], recheck: true, source: { stream: SOURCE } }),
  });
  const body = (await answer.json()) as { recheckId?: string };
  if (answer.status !== 200 || !body.recheckId) throw new Error(`the scoped job did not start: ${answer.status} ${JSON.stringify(body)}`);
  return body.recheckId;
}

/** Listings/s of the job between its first reading past 5% and its last reading before 95% (or `until`). */
async function timeJob(url: string, id: string, until: () => boolean = () => false): Promise<{ rate: number; finished: boolean }> {
  let first: JobReading | undefined;
  let last: JobReading | undefined;
  for (;;) {
    const reading = await readJob(url, id);
    if (reading.done >= reading.total * 0.05 && reading.done < reading.total * 0.95) {
      first ??= reading;
      last = reading;
    }
    if (reading.state !== 'running' || until()) {
      const rate = first && last && last.at > first.at ? (last.done - first.done) / ((last.at - first.at) / 1000) : NaN;
      return { rate, finished: reading.state === 'done' };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function liveRound(port: number, bodies: readonly string[], seconds = SECONDS): { done: Promise<OpenLoopResult>; stop(): void } {
  return runOpenLoop({
    port,
    path: '/v1/check',
    rate: LIVE_RATE,
    seconds,
    bodies,
    maxConnections: 64,
    headers: { 'x-deadline-ms': '1000', 'x-gate-timing': '1' },
    keepBodies: true,
    keepHeads: true,
  });
}

const VERDICTS = ['allow', 'block', 'review'] as const;

/** The gate's own clock (tookMicros), by verdict: a review waits for Redis's fsync, the others for no one. */
function gateClock(answers: readonly OpenLoopAnswer[]): Record<(typeof VERDICTS)[number], number[]> {
  const by = { allow: [] as number[], block: [] as number[], review: [] as number[] };
  for (const answer of answers) {
    if (answer.status !== 200) continue;
    const body = JSON.parse(answer.body ?? '{}') as { verdict?: string; tookMicros?: number };
    if (body.tookMicros !== undefined && (VERDICTS as readonly string[]).includes(body.verdict ?? ''))
      by[body.verdict as (typeof VERDICTS)[number]].push(body.tookMicros / 1000);
  }
  return by;
}

/**
 * Where a verdict's time went, by answer: its Server-Timing phases (x-gate-timing)
 * and `outside`, the caller's latency less the gate's clock (the hops, the sockets,
 * the load generator's own wait for a core).
 */
function phases(answers: readonly OpenLoopAnswer[], verdict: (typeof VERDICTS)[number]): Map<string, number[]> {
  const by = new Map<string, number[]>();
  const add = (name: string, ms: number): void => {
    const list = by.get(name);
    if (list) list.push(ms);
    else by.set(name, [ms]);
  };
  for (const answer of answers) {
    if (answer.status !== 200) continue;
    const body = JSON.parse(answer.body ?? '{}') as { verdict?: string; tookMicros?: number };
    if (body.verdict !== verdict || body.tookMicros === undefined) continue;
    add('outside', answer.latencyMs - body.tookMicros / 1000);
    const timing = answer.head === undefined ? undefined : headerValue(answer.head, 'server-timing');
    for (const phase of timing === undefined ? [] : parseServerTiming(timing)) if (phase.durationMs !== undefined) add(phase.name, phase.durationMs);
  }
  return by;
}

function describe(result: OpenLoopResult): string {
  const ok = result.answers.filter((a) => a.status === 200);
  const ms = (q: number): string => latencyQuantile(ok, q).toFixed(2);
  const clock = gateClock(result.answers);
  const byVerdict = VERDICTS.map((verdict) => `${verdict} p99 ${quantile(clock[verdict], 0.99).toFixed(2)}`).join(', ');
  return `${ok.length} of ${result.answers.length} answered 200 in ${result.elapsedSeconds.toFixed(1)} s; p50 ${ms(0.5)} ms, p99 ${ms(0.99)} ms, p99.9 ${ms(0.999)} ms (gate's clock: ${byVerdict})`;
}

async function jobAction(url: string, id: string, action: 'pause' | 'resume'): Promise<void> {
  const answer = await fetch(`${url}/v1/admin/rechecks/${id}/${action}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  // A job that finished meanwhile cannot be paused: that is no failure of the run.
  if (answer.status !== 200 && answer.status !== 409) throw new Error(`${action} of job ${id}: ${answer.status} ${await answer.text()}`);
  await answer.arrayBuffer().catch(() => undefined);
}

interface LiveWindow {
  pair: number;
  kind: 'alone' | 'job';
  /** Epoch ms: answers due in [from, to) belong to the window. */
  from: number;
  to: number;
  answers: OpenLoopAnswer[];
}

/**
 * Live checks at LIVE_RATE without a break, over PAIRS pairs of windows: in one
 * the job runs flat out, in the other it is paused, the order alternating from
 * pair to pair so that the machine's drift falls on both. A job that finishes is
 * followed by another over the same stream.
 */
async function interleavedRounds(
  url: string,
  port: number,
  bodies: readonly string[],
): Promise<{ windows: LiveWindow[]; jobRate: number; jobsStarted: number }> {
  const windowMs = WINDOW_SECONDS * 1000;
  const live = liveRound(port, bodies, PAIRS * 2 * WINDOW_SECONDS + 1);
  const windows: LiveWindow[] = [];
  let job = await startJob(url);
  let jobsStarted = 1;
  await jobAction(url, job, 'pause');
  let jobDone = 0;
  let jobMs = 0;
  const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
  for (let pair = 0; pair < PAIRS; pair++) {
    const kinds: Array<LiveWindow['kind']> = pair % 2 === 0 ? ['alone', 'job'] : ['job', 'alone'];
    for (const kind of kinds) {
      const opened = performance.timeOrigin + performance.now();
      if (kind === 'alone') {
        await wait(windowMs);
      } else {
        await jobAction(url, job, 'resume');
        await wait(SETTLE_MS);
        let from = await readJob(url, job);
        const until = opened + windowMs;
        while (performance.timeOrigin + performance.now() < until) {
          await wait(100);
          const reading = await readJob(url, job);
          if (reading.state === 'running') continue;
          // Finished: count it, then keep a job running for the rest of the window.
          jobDone += reading.done - from.done;
          jobMs += reading.at - from.at;
          job = await startJob(url);
          jobsStarted++;
          from = await readJob(url, job);
        }
        await jobAction(url, job, 'pause');
        const last = await readJob(url, job);
        jobDone += last.done - from.done;
        jobMs += last.at - from.at;
      }
      windows.push({ pair, kind, from: opened + SETTLE_MS, to: opened + windowMs, answers: [] });
    }
  }
  live.stop();
  for (const answer of (await live.done).answers) {
    const due = answer.at - answer.latencyMs;
    windows.find((w) => due >= w.from && due < w.to)?.answers.push(answer);
  }
  return { windows, jobRate: jobMs > 0 ? jobDone / (jobMs / 1000) : NaN, jobsStarted };
}

const answered = (answers: readonly OpenLoopAnswer[]): OpenLoopAnswer[] => answers.filter((a) => a.status === 200);

/** The answered checks of every window of a kind. */
function pooled(windows: readonly LiveWindow[], kind: LiveWindow['kind']): OpenLoopAnswer[] {
  return windows.filter((w) => w.kind === kind).flatMap((w) => answered(w.answers));
}

/** Per pair: its job window's p99 less its paused window's, in ms. */
function pairDeltas(windows: readonly LiveWindow[]): number[] {
  const deltas: number[] = [];
  for (let pair = 0; pair < PAIRS; pair++) {
    const [alone, withJob] = (['alone', 'job'] as const).map((kind) => answered(windows.find((w) => w.pair === pair && w.kind === kind)?.answers ?? []));
    if (alone && withJob && alone.length > 0 && withJob.length > 0) deltas.push(latencyQuantile(withJob, 0.99) - latencyQuantile(alone, 0.99));
  }
  return deltas;
}

const signed = (ms: number): string => `${ms >= 0 ? '+' : ''}${ms.toFixed(2)}`;

async function main(): Promise<void> {
  const bodies = listingBodies();
  const dir = mkdtempSync(join(tmpdir(), 'load-recheck-'));
  // The producer's own user, for the source stream (the gate's may not write where the load wants).
  const password = randomBytes(16).toString('hex');
  const embedded = new EmbeddedRedis({
    dataDir: join(dir, 'redis'),
    keyPrefix: 'gate:',
    extraUsers: [{ name: 'producer', password: `#${createHash('sha256').update(password).digest('hex')}`, rules: ['~gate:{load}*', '+@all'] }],
  });
  await embedded.start();
  const redis = new Redis(`redis://producer:${password}@127.0.0.1:${embedded.port}`);
  const port = await freePort();
  const nodeArgs = [
    ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
    ...(process.env.LOAD_NODE_ARGS ?? '').split(' ').filter((arg) => arg !== ''),
  ];
  const gate = await startProcess(
    repoPath('dist', 'src', 'main.js'),
    { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: embedded.url, GATE_DATA_DIR: join(dir, 'gate'), GATE_ADMIN_TOKEN: ADMIN_TOKEN },
    /listening on/,
    60_000,
    nodeArgs,
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < ENTRIES; i += 1000) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(ENTRIES, i + 1000); j++) pipeline.xadd(SOURCE, '*', 'listing', bodies[j % bodies.length] ?? '');
      await pipeline.exec();
    }
    // Warm-up of the live path (the job's rate is timed past its first 5%, its pool started by then).
    if (LIVE) await liveRound(port, bodies).done.then(() => undefined);

    const alone = LIVE ? await liveRound(port, bodies).done : undefined;
    if (alone) console.log(`live alone:      ${describe(alone)}`);
    const jobAlone = await timeJob(url, await startJob(url));
    console.log(`job alone:       ${Math.round(jobAlone.rate)} listings/s`);
    const seller = (JSON.parse(bodies[0] ?? '{}') as { sellerId?: string }).sellerId ?? '';
    const scopedId = await startScopedJob(url, seller);
    const scoped = await timeJob(url, scopedId);
    const scopedView = (await (await fetch(`${url}/v1/admin/rechecks/${scopedId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
      done: number;
      outOfScope: number;
    };
    console.log(
      `scoped job:      ${Math.round(scoped.rate)} entries/s (seller ${seller} listed: ${scopedView.done - scopedView.outOfScope} of ${scopedView.done} in scope)`,
    );
    if (!alone) {
      console.log(
        `\nre-check: ${Math.round(jobAlone.rate)} listings/s alone, a scoped job ${Math.round(scoped.rate)} entries/s (target >= 20,000); live rounds left out (LOAD_LIVE=0)`,
      );
      return;
    }

    const rounds = await interleavedRounds(url, port, bodies);
    const alonePooled = pooled(rounds.windows, 'alone');
    const withJobPooled = pooled(rounds.windows, 'job');
    const p99 = (answers: readonly OpenLoopAnswer[]): number => latencyQuantile(answers, 0.99);
    const deltas = pairDeltas(rounds.windows);
    console.log(`live, interleaved: ${PAIRS} pairs of ${WINDOW_SECONDS} s windows, the job paused in one and running in the other (order alternating)`);
    for (const window of rounds.windows)
      console.log(
        `  pair ${window.pair + 1} ${window.kind === 'job' ? 'with job' : 'alone   '}: ${answered(window.answers).length} of ${window.answers.length} answered 200, p99 ${p99(answered(window.answers)).toFixed(2)} ms`,
      );
    console.log(
      `job with live:   ${Math.round(rounds.jobRate)} listings/s over its windows${rounds.jobsStarted > 1 ? ` (${rounds.jobsStarted} jobs: one started again when the last finished)` : ''}`,
    );
    console.log(`\nlistings: ${existsSync(CORPUS) ? CORPUS : 'the demo listing'} (${bodies.length}), demo pack, ${ENTRIES} entries a job, live ${LIVE_RATE}/s`);
    console.log(`re-check: ${Math.round(jobAlone.rate)} listings/s alone, ${Math.round(rounds.jobRate)} with live traffic (target >= 20,000)`);
    console.log(
      `live p99 (windows pooled): ${p99(alonePooled).toFixed(2)} ms alone, ${p99(withJobPooled).toFixed(2)} ms with the job: ${signed(p99(withJobPooled) - p99(alonePooled))} ms; median of the pairs' differences ${signed(quantile(deltas, 0.5))} ms (${deltas.map(signed).join(', ')}) (target within 1 ms)`,
    );
    const [before, during] = [gateClock(alonePooled), gateClock(withJobPooled)];
    console.log(
      `gate's clock p99 by verdict, alone -> with the job (ms): ${VERDICTS.map((v) => `${v} ${quantile(before[v], 0.99).toFixed(2)} -> ${quantile(during[v], 0.99).toFixed(2)}`).join(', ')}`,
    );
    for (const verdict of VERDICTS) {
      const [alonePhases, withJobPhases] = [phases(alonePooled, verdict), phases(withJobPooled, verdict)];
      const moved = [...alonePhases.keys()]
        .filter((name) => (withJobPhases.get(name)?.length ?? 0) > 0)
        .map((name) => `${name} ${quantile(alonePhases.get(name) ?? [], 0.99).toFixed(2)} -> ${quantile(withJobPhases.get(name) ?? [], 0.99).toFixed(2)}`);
      console.log(`  ${verdict} p99 by phase, alone -> with the job (ms): ${moved.join(', ')}`);
    }
  } finally {
    await stopProcess(gate);
    redis.disconnect();
    await embedded.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
