// The check socket when its gate process gets SIGTERM (docs/check-socket.md), with a
// check thread and with the pool: every message the gate had accepted (checking it,
// or waiting in the connection's queue) is answered with its check, a message that
// arrives once the gate drains is refused with GATE_ERR_OVERLOADED, and only then is
// the connection closed with 1001, its answers written out first even to a client
// that was not reading them when the signal came.
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { eventually } from './helpers/gate-calls.js';
import { startGateProcess, stopGateProcess, type GateProcess } from './helpers/gate-process.js';
import { openStream, type StreamAnswer, type StreamClient } from './helpers/stream-client.js';
import { ADMIN_TOKEN, AUDIT_KEY } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

/** A seller the test lists: a thread hands its checks to the event loop, which asks Redis. */
const LISTED_SELLER = 's-shutdown-listed';
const LIMITS = { inFlight: 4, queued: 400 };
// Rules the big-answer listing matches 300 times: a 22 KB answer, so that a few hundred fill the kernel's socket buffers.
const RULE_TERMS = Array.from({ length: 300 }, (_, i) => `zq${String(i).padStart(3, '0')}`);
const BIG_ANSWER_LISTING = { listingId: 'S-big', sellerId: 's-shutdown-big', title: 'Notebook', description: RULE_TERMS.join(' ') };
const PLAIN_LISTING = { listingId: 'S-plain', sellerId: 's-shutdown-plain', title: 'Plain cotton t-shirt' };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function writePack(dir: string): string {
  const pack = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as { rules: unknown[] };
  pack.rules.push(...RULE_TERMS.map((term) => ({ id: `shutdown-${term}`, type: 'literal', pattern: term, score: 1, fields: ['description'] })));
  const path = join(dir, 'pack.json');
  writeFileSync(path, JSON.stringify(pack));
  return path;
}

async function startStreamGate(redis: TestRedis, dir: string, packPath: string, threads: string, env: Record<string, string> = {}): Promise<GateProcess> {
  const gate = await startGateProcess({
    REDIS_URL: redis.url,
    GATE_REDIS_PREFIX: `t${randomUUID().slice(0, 8)}:`,
    GATE_DATA_DIR: mkdtempSync(join(dir, 'gate-')),
    GATE_AUDIT_KEY: AUDIT_KEY,
    GATE_ADMIN_TOKEN: ADMIN_TOKEN,
    GATE_PACK: packPath,
    GATE_CHECK_THREADS: threads,
    GATE_WORKERS: '1',
    GATE_STREAM_IN_FLIGHT: String(LIMITS.inFlight),
    GATE_STREAM_QUEUE: String(LIMITS.queued),
    GATE_STREAM_BUFFER_BYTES: '65536',
    ...env,
  });
  await eventually(
    'the gate ready',
    async () =>
      (await fetch(`${gate.url}/readyz`).then(
        (r) => r.ok,
        () => false,
      ))
        ? true
        : undefined,
    60_000,
  );
  return gate;
}

async function metric(gate: GateProcess, line: string): Promise<number> {
  const text = await (await fetch(`${gate.url}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length).trim());
}

/** SIGTERM, and resolves once the gate says it drains (the check thread is told a moment later). */
async function sigterm(gate: GateProcess): Promise<void> {
  gate.child.kill('SIGTERM');
  await eventually('the gate to drain', async () => (/SIGTERM: draining/.test(gate.output()) ? true : undefined), 10_000);
  await sleep(300);
}

function bySeq(answers: readonly StreamAnswer[]): Map<number, StreamAnswer[]> {
  const seen = new Map<number, StreamAnswer[]>();
  for (const answer of answers) seen.set(answer.seq, [...(seen.get(answer.seq) ?? []), answer]);
  return seen;
}

function shutdownSuite(mode: string, threads: string): void {
  describe(`the check socket on SIGTERM (${mode})`, { timeout: 180_000 }, () => {
    let redis: TestRedis;
    let dir: string;
    let packPath: string;
    const gates: GateProcess[] = [];
    const clients: StreamClient[] = [];

    before(async () => {
      redis = await startTestRedis();
      dir = mkdtempSync(join(tmpdir(), 'stream-shutdown-'));
      packPath = writePack(dir);
    });
    after(async () => {
      if (redis.redis.pid !== undefined) process.kill(redis.redis.pid, 'SIGCONT');
      for (const client of clients) client.socket.terminate();
      for (const gate of gates) await stopGateProcess(gate);
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('answers what it was checking and what waited in the queue, refuses what came after, then closes with 1001', async () => {
      const gate = await startStreamGate(redis, dir, packPath, threads);
      gates.push(gate);
      const listed = await fetch(`${gate.url}/v1/admin/lists/sellers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ values: [LISTED_SELLER] }),
      });
      assert.equal(listed.status, 200);
      const client = await openStream(gate.url);
      clients.push(client);
      client.send({ seq: 0, listing: { listingId: 'S-listed-0', sellerId: LISTED_SELLER, title: 'Plain cotton t-shirt' }, deadlineMs: 5000 });
      assert.equal((await client.waitForAnswers(1, 30_000))[0]?.verdict, 'block', 'a listed seller is blocked');

      // Redis stopped: the event loop's checks of the listed seller wait for it (until its command
      // timeout, 2 s), so that the gate holds messages in flight and in the queue when the signal comes.
      const redisPid = redis.redis.pid as number;
      process.kill(redisPid, 'SIGSTOP');
      const accepted = Array.from({ length: 12 }, (_, i) => i + 1);
      for (const seq of accepted)
        client.send({ seq, listing: { listingId: `S-listed-${seq}`, sellerId: LISTED_SELLER, title: 'Plain cotton t-shirt' }, deadlineMs: 4000 });
      await sleep(300);
      assert.equal(client.answers.length, 1, 'the messages wait for Redis');
      await sigterm(gate);
      const late = [101, 102, 103];
      for (const seq of late) client.send({ seq, listing: PLAIN_LISTING });
      // Refused at once: the refusal does not wait for Redis or for the messages before it.
      await eventually('the late messages refused', async () => (late.every((seq) => client.answers.some((a) => a.seq === seq)) ? true : undefined), 3000);
      process.kill(redisPid, 'SIGCONT');

      const closed = await client.waitForClose(30_000);
      const answers = bySeq(client.answers);
      assert.deepEqual(
        [...answers].filter(([, list]) => list.length !== 1).map(([seq]) => seq),
        [],
        'no seq answered twice',
      );
      assert.deepEqual(
        accepted.filter((seq) => answers.get(seq)?.[0]?.verdict === undefined),
        [],
        `each accepted message has its check's answer: ${JSON.stringify(client.answers.filter((a) => a.error))}`,
      );
      for (const seq of late) assert.equal(answers.get(seq)?.[0]?.error?.code, 'GATE_ERR_OVERLOADED', `seq ${seq} refused`);
      assert.equal(closed.code, 1001, closed.reason);
      assert.equal(await gate.exited, 0, gate.output());
    });

    it('answers a client that was not reading every message it had sent, then closes with 1001', async () => {
      const gate = await startStreamGate(redis, dir, packPath, threads);
      gates.push(gate);
      const client = await openStream(gate.url);
      clients.push(client);
      client.socket.pause();
      // Sent in batches until the gate holds messages back for unread answers (the kernel's buffers and uWS's are full).
      let sent = 0;
      const heldAtStart = await metric(gate, 'gate_stream_held_total{reason="unread"}');
      await eventually(
        'the gate holding messages for unread answers',
        async () => {
          if ((await metric(gate, 'gate_stream_held_total{reason="unread"}')) > heldAtStart) return true;
          if (sent >= 2000) throw new Error(`the gate kept checking ${sent} messages for a client that read none`);
          for (let i = 0; i < 20; i++) client.send({ seq: sent++, listing: BIG_ANSWER_LISTING, deadlineMs: 60_000 }, 'msgpack');
          await sleep(50);
          return undefined;
        },
        60_000,
      );
      for (let i = 0; i < 40; i++) client.send({ seq: sent++, listing: BIG_ANSWER_LISTING, deadlineMs: 60_000 }, 'msgpack');
      await sleep(300);
      await sigterm(gate);
      await sleep(1000);
      // Reads slowly: the queue empties a few messages at a time while the gate drains.
      const reading = (async () => {
        while (!client.closedWith) {
          client.socket.resume();
          await sleep(5);
          client.socket.pause();
          await sleep(20);
        }
      })();

      const closed = await client.waitForClose(30_000);
      await reading;
      const answers = bySeq(client.answers);
      const missing = Array.from({ length: sent }, (_, seq) => seq).filter((seq) => answers.get(seq)?.length !== 1);
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${sent} messages without exactly one answer (closed ${closed.code})`);
      const notChecks = client.answers.filter((a) => a.listingId !== BIG_ANSWER_LISTING.listingId);
      assert.deepEqual(
        notChecks.slice(0, 1).map((a) => a.error ?? a),
        [],
        `${notChecks.length} of ${sent} answers not a check of the listing`,
      );
      assert.equal(closed.code, 1001, closed.reason);
      assert.equal(await gate.exited, 0, gate.output());
    });

    it('writes out the answers uWS holds for a client not reading them before it closes with 1001', async () => {
      // Bounds above what the test sends: every message is checked and answered, and uWS holds what the kernel does not take.
      const gate = await startStreamGate(redis, dir, packPath, threads, {
        GATE_STREAM_BUFFER_BYTES: String(32 * 1024 * 1024),
        GATE_STREAM_IN_FLIGHT: '64',
        GATE_STREAM_QUEUE: '1000',
      });
      gates.push(gate);
      const client = await openStream(gate.url);
      clients.push(client);
      client.socket.pause();
      const sent = 600; // 22 KB answers: 13 MB, more than the kernel's buffers on loopback take
      const answeredBefore = await metric(gate, 'gate_stream_answers_total{outcome="response"}');
      for (let seq = 0; seq < sent; seq++) client.send({ seq, listing: BIG_ANSWER_LISTING, deadlineMs: 60_000 }, 'msgpack');
      await eventually(
        'every message answered by the gate',
        async () => ((await metric(gate, 'gate_stream_answers_total{outcome="response"}')) - answeredBefore >= sent ? true : undefined),
        60_000,
      );
      await sigterm(gate);
      await sleep(1000);
      client.socket.resume();

      const closed = await client.waitForClose(30_000);
      const answers = bySeq(client.answers);
      const missing = Array.from({ length: sent }, (_, seq) => seq).filter((seq) => answers.get(seq)?.length !== 1);
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${sent} messages without exactly one answer (closed ${closed.code} ${closed.reason})`);
      assert.equal(closed.code, 1001, closed.reason);
      assert.equal(await gate.exited, 0, gate.output());
    });
  });
}

shutdownSuite('check threads', '1');
shutdownSuite('pool', '0');
