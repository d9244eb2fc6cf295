// A comparator for load runs: the gate's chosen parts with nothing of the gate's
// work. A uWS server that parses each POST /v1/check body as JSON, sends it through a
// piscina pool (one task in flight per worker, what arrives meanwhile goes as the
// next batch, as the gate's matching pool does) to a worker that answers at once,
// and answers JSON. Its throughput is the ceiling of uWS + JSON + one pool round
// trip per batch on this machine; the gate adds normalization, matching, lists,
// rings and bookkeeping to it.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { serveChecks } from './comparator-server.js';

interface Waiting {
  body: string;
  answer: (verdict: string) => void;
}

const threads = Number(process.env.GATE_WORKERS ?? availableParallelism());
const pool = new Piscina<string[], string[]>({
  filename: fileURLToPath(new URL('./pool-echo-worker.js', import.meta.url)),
  minThreads: threads,
  maxThreads: threads,
});
const waiting: Waiting[] = [];
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

serveChecks('pool echo', (bytes, answer) => {
  const body = bytes.toString('utf8');
  const listing = JSON.parse(body) as { listingId?: string };
  waiting.push({
    body,
    answer: (verdict) =>
      answer(
        JSON.stringify({ checkId: 'ck_pool_echo', listingId: listing.listingId, verdict, score: 0, reasons: [], policyVersion: 'pool-echo', tookMicros: 0 }),
      ),
  });
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
});
process.on('SIGTERM', () => void pool.destroy().then(() => process.exit(0)));
