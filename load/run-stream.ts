// npm run load:stream: checks per second over the check socket (GET
// /v1/check/stream) against keep-alive POST /v1/check, the same listings to the
// same gate in the same run, in alternating rounds (POST, socket, POST, ...) so
// that the drifts of a shared machine fall on both alike; and whether the two give
// the same verdicts for the same listings. Issue 25's target: the socket ≥ 2×.
//   STREAM_SECONDS      counted seconds per round (default 10)
//   STREAM_ROUNDS       rounds per side (default 2); the report takes each side's median
//   STREAM_CONNECTIONS  socket connections (default 8); POST uses LOAD_CONNECTIONS
//                       (default 10, as npm run load). The kernel spreads connections
//                       over the check threads (SO_REUSEPORT) by a hash, and a thread
//                       is busy only while one of its connections sends: with 4, all
//                       could land on one thread of two (2.0-2.3x in 3-5 s rounds,
//                       against 2.6x with 8 in the same minutes)
//   STREAM_WINDOW       messages each connection keeps unanswered (default 32: all
//                       connections' together within GATE_MAX_CHECKS_IN_FLIGHT, 256,
//                       past which checks a thread hands to the event loop are
//                       refused with GATE_ERR_OVERLOADED; and it must stay
//                       within GATE_STREAM_IN_FLIGHT + GATE_STREAM_QUEUE)
//   STREAM_ENCODING     json (text frames, default) or msgpack (binary frames)
// The dev pack and ../shared/corpus/dev.jsonl where ../shared is beside the
// clone, else the demo pack and test/fixtures/mini-corpus.jsonl (said in the
// report). The gate runs as npm start runs it (its own Redis, check threads = cores);
// the load generator shares the machine's cores with it.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Socket } from 'node:net';
import { join, relative } from 'node:path';
import autocannon from 'autocannon';
import { pack, unpack } from 'msgpackr';
import WebSocket from 'ws';
import { repoPath, repoRoot } from '../src/config/repo-root.js';
import { freePort } from '../src/redis/embedded-redis.js';
import { startProcess, stopProcess } from './child-process.js';

const SECONDS = Number(process.env.STREAM_SECONDS ?? 10);
const ROUNDS = Number(process.env.STREAM_ROUNDS ?? 2);
const STREAM_CONNECTIONS = Number(process.env.STREAM_CONNECTIONS ?? 8);
const WINDOW = Number(process.env.STREAM_WINDOW ?? 32);
const POST_CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 10);
const ENCODING = process.env.STREAM_ENCODING === 'msgpack' ? 'msgpack' : 'json';
const WARMUP_SECONDS = 3;
/** As npm run load sends (x-deadline-ms): a window of messages arrives at once, and each one's deadline runs from its arrival. */
const DEADLINE_MS = 1000;

const sharedDir = process.env.GATE_SHARED_DIR ?? repoPath('..', 'shared');
const sharedPack = join(sharedDir, 'packs', 'dev-pack.json');
const sharedCorpus = join(sharedDir, 'corpus', 'dev.jsonl');
const packPath = existsSync(sharedPack) ? sharedPack : repoPath('src', 'pack', 'demo-pack.json');
const corpusPath = existsSync(sharedCorpus) ? sharedCorpus : repoPath('test', 'fixtures', 'mini-corpus.jsonl');
if (corpusPath !== sharedCorpus) console.log(`${sharedCorpus} is not there: the demo pack and the repository's mini corpus instead`);
const listings = readFileSync(corpusPath, 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { listing: Record<string, unknown> }).listing);
const bodies = listings.map((listing) => JSON.stringify(listing));
const frames: Array<(seq: number) => string | Uint8Array> =
  ENCODING === 'json'
    ? bodies.map((body) => (seq: number) => `{"seq":${seq},"deadlineMs":${DEADLINE_MS},"listing":${body}}`)
    : listings.map((listing) => (seq: number) => pack({ seq, deadlineMs: DEADLINE_MS, listing }));

interface Figures {
  checks: number;
  perSecond: number;
  failed: number;
  /** Error answers by code (the socket's). */
  codes?: Record<string, number>;
}

async function postRound(url: string, seconds: number): Promise<Figures> {
  let next = 0;
  const result = await autocannon({
    url: `${url}/v1/check`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-deadline-ms': String(DEADLINE_MS) },
    connections: POST_CONNECTIONS,
    duration: seconds,
    requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] ?? '' }) }],
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  const checks = result['2xx'];
  return { checks, perSecond: checks / seconds, failed };
}

/** Each connection keeps WINDOW messages unanswered for `seconds`; answers are counted, not read (as autocannon's). */
async function streamRound(url: string, seconds: number): Promise<Figures> {
  const wsUrl = `${url.replace(/^http/, 'ws')}/v1/check/stream`;
  let next = 0;
  let answered = 0;
  let failed = 0;
  const codes: Record<string, number> = {};
  let counting = true;
  const sockets = await Promise.all(
    Array.from({ length: STREAM_CONNECTIONS }, () => {
      const socket = new WebSocket(wsUrl, { perMessageDeflate: false });
      return new Promise<WebSocket>((resolve, reject) => {
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
    }),
  );
  const started = performance.now();
  const send = (socket: WebSocket, count: number): void => {
    // One write for what a turn of the loop owes (ws writes each frame on its own otherwise).
    const tcp = (socket as unknown as { _socket: Socket })._socket;
    tcp.cork();
    for (let i = 0; i < count; i++) {
      const seq = next++;
      socket.send((frames[seq % frames.length] as (seq: number) => string | Uint8Array)(seq), { binary: ENCODING === 'msgpack' });
    }
    tcp.uncork();
  };
  await new Promise<void>((resolve) => {
    for (const socket of sockets) {
      let owed = 0;
      const refill = (): void => {
        const count = owed;
        owed = 0;
        if (counting) send(socket, count);
      };
      socket.on('message', (raw) => {
        if (!counting) return;
        const data = raw as Buffer; // binaryType 'nodebuffer', the default
        // An error answer names `error` before any check response field would.
        if (data.includes('"error":') || (ENCODING === 'msgpack' && data.includes('error'))) {
          failed++;
          const code = /GATE_ERR_[A-Z_]+/.exec(data.toString('latin1'))?.[0] ?? 'unknown';
          codes[code] = (codes[code] ?? 0) + 1;
        } else answered++;
        if (owed++ === 0) setImmediate(refill);
      });
      socket.on('close', (code, reason) => {
        if (counting) console.log(`a socket closed during the round: ${code} ${reason.toString()}`);
      });
      send(socket, WINDOW);
    }
    setTimeout(resolve, seconds * 1000);
  });
  counting = false;
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(sockets.map((socket) => new Promise<void>((resolve) => (socket.once('close', () => resolve()), socket.close(1000)))));
  return { checks: answered, perSecond: answered / elapsed, failed, codes };
}

const strip = (answer: Record<string, unknown>): string =>
  JSON.stringify([answer.listingId, answer.verdict, answer.score, answer.reasons, answer.policyVersion]);

async function postEach(url: string): Promise<string[]> {
  const answers: string[] = [];
  for (const body of bodies) {
    const response = await fetch(`${url}/v1/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-deadline-ms': String(DEADLINE_MS) },
      body,
    });
    answers.push(strip((await response.json()) as Record<string, unknown>));
  }
  return answers;
}

/**
 * The verdict, score and reasons of each listing, by POST and by the socket: they
 * must be the same. A first pass by POST comes before: a listing's first check can
 * change what its second sees (a ring linked, a verdict recorded), and that is no
 * difference between the two; how many it changed is reported too.
 */
async function compareVerdicts(url: string): Promise<{ compared: number; differing: string[]; firstPassChanged: number }> {
  const firstPass = await postEach(url);
  const byPost = await postEach(url);
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/check/stream`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => (socket.once('open', () => resolve()), socket.once('error', reject)));
  const bySocket = new Array<string>(bodies.length);
  await new Promise<void>((resolve) => {
    let received = 0;
    socket.on('message', (raw, isBinary) => {
      const data = raw as Buffer; // binaryType 'nodebuffer', the default
      const answer = (isBinary ? unpack(data) : JSON.parse(data.toString())) as Record<string, unknown> & { seq: number };
      bySocket[answer.seq] = strip(answer);
      if (++received === bodies.length) resolve();
    });
    // In windows of 512, within the connection's bounds.
    let sent = 0;
    const sendSome = (): void => {
      for (const end = Math.min(bodies.length, sent + 512); sent < end; sent++)
        socket.send((frames[sent] as (seq: number) => string | Uint8Array)(sent), { binary: ENCODING === 'msgpack' });
      if (sent < bodies.length) setTimeout(sendSome, 50);
    };
    sendSome();
  });
  socket.close(1000);
  const differing = listings.flatMap((listing, i) => (byPost[i] === bySocket[i] ? [] : [String(listing.listingId)]));
  return { compared: bodies.length, differing, firstPassChanged: firstPass.filter((answer, i) => answer !== byPost[i]).length };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const port = await freePort();
const gate = await startProcess(
  repoPath('dist', 'src', 'main.js'),
  { PORT: String(port), HOST: '127.0.0.1', REDIS_URL: '', GATE_PACK: packPath, GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gate-stream-')) },
  /listening on/,
);
const url = `http://127.0.0.1:${port}`;
const posts: Figures[] = [];
const streams: Figures[] = [];
let verdicts: Awaited<ReturnType<typeof compareVerdicts>>;
try {
  verdicts = await compareVerdicts(url);
  await postRound(url, WARMUP_SECONDS);
  await streamRound(url, WARMUP_SECONDS);
  for (let round = 0; round < ROUNDS; round++) {
    posts.push(await postRound(url, SECONDS));
    streams.push(await streamRound(url, SECONDS));
    console.log(`round ${round + 1}: POST ${Math.round(posts.at(-1)?.perSecond ?? 0)}/s, socket ${Math.round(streams.at(-1)?.perSecond ?? 0)}/s`);
  }
} finally {
  await stopProcess(gate);
}

const postRate = median(posts.map((f) => f.perSecond));
const streamRate = median(streams.map((f) => f.perSecond));
const report = [
  `# Check socket against POST /v1/check, ${new Date().toISOString()}`,
  '',
  `Pack ${relative(repoRoot, packPath)}; ${listings.length} listings of ${relative(repoRoot, corpusPath)}, each sent in turn. ${ROUNDS} rounds of ${SECONDS} s per side, alternating, after ${WARMUP_SECONDS} s of each; medians. POST: autocannon, ${POST_CONNECTIONS} keep-alive connections. Socket: ${STREAM_CONNECTIONS} connections of ${WINDOW} messages in flight each, ${ENCODING}. Deadline ${DEADLINE_MS} ms on both. The gate as npm start runs it (its own Redis, check threads = cores); the load generator on the same cores.`,
  '',
  '| | checks/s (median) | rounds | failed |',
  '|---|---:|---|---:|',
  `| POST /v1/check | ${Math.round(postRate)} | ${posts.map((f) => Math.round(f.perSecond)).join(', ')} | ${posts.reduce((n, f) => n + f.failed, 0)} |`,
  `| socket | ${Math.round(streamRate)} | ${streams.map((f) => Math.round(f.perSecond)).join(', ')} | ${streams.reduce((n, f) => n + f.failed, 0)} ${JSON.stringify(Object.assign({}, ...streams.map((f) => f.codes ?? {})))} |`,
  '',
  `socket / POST: ${(streamRate / postRate).toFixed(2)}× (target ≥ 2×)`,
  `verdicts: ${verdicts.compared - verdicts.differing.length} of ${verdicts.compared} listings the same by POST and by the socket${verdicts.differing.length > 0 ? `; differing: ${verdicts.differing.slice(0, 10).join(', ')}` : ''} (deadline ${DEADLINE_MS} ms; a second POST pass, after a first that changed ${verdicts.firstPassChanged} answers)`,
].join('\n');
console.log(`\n${report}`);
mkdirSync(repoPath('load-results'), { recursive: true });
writeFileSync(repoPath('load-results', `stream-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), `${report}\n`);
