// A comparator for load runs: the design without a hop between threads. Each
// worker thread runs a uWS App of its own on the same port (SO_REUSEPORT: the
// kernel spreads connections among them) and decides each POST /v1/check in that
// thread: decode, validate, normalize, scan and score with the gate's own code
// and pack; no Redis, no lists, no bookkeeping. Against the gate it shows what
// the hop to the matching pool costs, idle and under load.
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { compilePack } from '../src/pack/compile-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import type { ThreadAppSetup } from './thread-app-worker.js';

const threads = Number(process.env.GATE_WORKERS ?? availableParallelism());
const validation = validatePack(JSON.parse(readFileSync(process.env.GATE_PACK ?? DEMO_PACK_PATH, 'utf8')));
if (!validation.ok) throw new Error(`the pack is invalid: ${JSON.stringify(validation.issues.slice(0, 3))}`);
const compiled = await compilePack(validation.pack, undefined, true);
const setup: ThreadAppSetup = {
  port: Number(process.env.PORT ?? 0),
  pack: compiled.pack,
  packKey: compiled.key,
  databaseBytes: compiled.databaseBytes,
  meta: compiled.meta,
};

// The first thread picks the port when PORT is 0; the others join it.
const first = new Worker(new URL('./thread-app-worker.js', import.meta.url), { workerData: setup });
const port = await new Promise<number>((resolve, reject) => {
  first.once('message', (message: { port: number }) => resolve(message.port));
  first.once('error', reject);
});
const others = Array.from({ length: threads - 1 }, () => new Worker(new URL('./thread-app-worker.js', import.meta.url), { workerData: { ...setup, port } }));
await Promise.all(others.map((worker) => new Promise((resolve, reject) => (worker.once('message', resolve), worker.once('error', reject)))));
process.stdout.write(`thread app listening on ${port}\n`);
process.on('SIGTERM', () => process.exit(0));
