// What a check thread's forwarding adds to a request it passes to the main thread:
// sequential keep-alive GETs of a small JSON answer, straight to a uWS App (the
// comparator) and through a forwarding uWS App to it, alternating in rounds. Client
// and both Apps share this thread, as they would share no core in the gate.
import { Agent, request } from 'node:http';
import uWS from '@trufflesuite/uws-js-unofficial';
import { forwardRequest } from '../src/check-thread/forward-request.js';
import { ForwardTarget } from '../src/check-thread/forward-target.js';

const ROUNDS = 5;
const PER_ROUND = 100;
const WARM_UP = 200;
const BODY = JSON.stringify({ ready: true, pack: 'dev-2024-11-02', generation: 41 });

function listen(app: uWS.TemplatedApp): Promise<{ port: number; close(): void }> {
  return new Promise((resolve, reject) => {
    app.listen('127.0.0.1', 0, (socket) => {
      if (!socket) reject(new Error('cannot listen'));
      else resolve({ port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket), close: () => uWS.us_listen_socket_close(socket) });
    });
  });
}

function get(agent: Agent, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/readyz', agent }, (res) => {
      res.resume();
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function timed(agent: Agent, port: number, count: number, into: number[]): Promise<void> {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await get(agent, port);
    into.push(performance.now() - started);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

export async function runForwardBench(): Promise<void> {
  const main = uWS.App().get('/readyz', (res) => {
    res.writeHeader('content-type', 'application/json').end(BODY);
  });
  const mainPort = await listen(main);
  const target = new ForwardTarget({ port: mainPort.port, secret: 'bench-forward-secret-0123456789' });
  const forwarder = await listen(uWS.App().any('/*', (res, req) => forwardRequest(res, req, target)));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const direct: number[] = [];
  const forwarded: number[] = [];
  await timed(agent, mainPort.port, WARM_UP, []);
  await timed(agent, forwarder.port, WARM_UP, []);
  for (let round = 0; round < ROUNDS; round++) {
    await timed(agent, mainPort.port, PER_ROUND, direct);
    await timed(agent, forwarder.port, PER_ROUND, forwarded);
  }
  agent.destroy();
  target.close();
  forwarder.close();
  mainPort.close();

  console.log(`\n## a small GET, ${ROUNDS * PER_ROUND} sequential requests each way, alternating in rounds of ${PER_ROUND}\n`);
  console.log('| path | p50 µs | p99 µs | × direct (p50) |');
  console.log('|---|---:|---:|---:|');
  const base = percentile(
    [...direct].sort((a, b) => a - b),
    0.5,
  );
  for (const [name, samples] of [
    ['direct', direct],
    ['forwarded', forwarded],
  ] as const) {
    const sorted = [...samples].sort((a, b) => a - b);
    const p50 = percentile(sorted, 0.5);
    console.log(`| ${name} | ${(p50 * 1000).toFixed(0)} | ${(percentile(sorted, 0.99) * 1000).toFixed(0)} | ${(p50 / base).toFixed(2)} |`);
  }
}
