// A comparator for load runs: the gate's chosen parts with nothing of the gate's
// work. A uWS server that parses each POST /v1/check body as JSON, sends it through a
// piscina pool (one task in flight per worker, what arrives meanwhile goes as the
// next batch, as the gate's matching pool does) to a worker that answers at once,
// and answers JSON. Its throughput is the ceiling of uWS + JSON + one pool round
// trip per batch on this machine; the gate adds normalization, matching, lists,
// rings and bookkeeping to it.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import uWS from '@trufflesuite/uws-js-unofficial';
import { Piscina } from 'piscina';

interface Waiting {
  body: string;
  answer: (verdict: string) => void;
}

const port = Number(process.env.PORT ?? 0);
const threads = Number(process.env.GATE_WORKERS ?? availableParallelism());
const pool = new Piscina<string[], string[]>({ filename: fileURLToPath(new URL('./pool-echo-worker.js', import.meta.url)), minThreads: threads, maxThreads: threads });
let waiting: Waiting[] = [];
let inFlight = 0;
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  while (inFlight < threads && waiting.length > 0) {
    const batch = waiting.splice(0, 64);
    inFlight++;
    pool
      .run(batch.map((w) => w.body))
      .then((verdicts) => batch.forEach((w, i) => w.answer(verdicts[i] ?? 'allow')))
      .finally(() => {
        inFlight--;
        flush();
      });
  }
}

const app = uWS.App();
app.post('/v1/check', (res) => {
  let aborted = false;
  res.onAborted(() => {
    aborted = true;
  });
  const chunks: Buffer[] = [];
  res.onData((chunk, isLast) => {
    chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
    if (!isLast || aborted) return;
    const body = Buffer.concat(chunks).toString('utf8');
    const listing = JSON.parse(body) as { listingId?: string };
    waiting.push({
      body,
      answer: (verdict) => {
        if (aborted) return;
        const answer = JSON.stringify({ checkId: 'ck_pool_echo', listingId: listing.listingId, verdict, score: 0, reasons: [], policyVersion: 'pool-echo', tookMicros: 0 });
        res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'application/json').end(answer));
      },
    });
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  });
});
app.listen('127.0.0.1', port, (socket) => {
  if (!socket) {
    process.stderr.write(`pool echo server cannot listen on ${port}\n`);
    process.exit(1);
  }
  process.stdout.write(`pool echo listening on ${uWS.us_socket_local_port(socket as unknown as uWS.us_socket)}\n`);
});
process.on('SIGTERM', () => void pool.destroy().then(() => process.exit(0)));
