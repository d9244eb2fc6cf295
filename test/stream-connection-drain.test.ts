// One check-socket connection with a socket stand-in. Its bound is what its
// client has unanswered (inFlight + queued), even while no message can start.
// While the gate drains: what it had accepted is checked, what arrives later is
// refused, it closes (1001) only once its answers are out of uWS's buffer, and
// when the drain's time is up what it still holds is refused rather than dropped.
// (check-stream-shutdown.test.ts runs the same through a gate process and
// SIGTERM; a check that outlasts the drain cannot be made there, Redis's command
// timeout ends every check within seconds.) Then the bound on waiting bytes all
// connections of a listener share.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GateError } from '../src/errors/gate-error.js';
import type { CheckResponse } from '../src/gate/check-response.js';
import { StreamConnection, type StreamSocket } from '../src/stream/stream-connection.js';
import type { StreamCounters } from '../src/stream/stream-counters.js';

interface Sent {
  seq: number;
  verdict?: string;
  error?: { code: string; message: string };
}

class FakeSocket implements StreamSocket {
  readonly sent: Sent[] = [];
  ended: { code: number; reason: string } | undefined;
  buffered = 0;
  send(message: string | Uint8Array): number {
    if (this.ended) throw new Error('send on a closed socket');
    this.sent.push(JSON.parse(message.toString()) as Sent);
    return 1;
  }
  getBufferedAmount(): number {
    return this.buffered;
  }
  end(code: number, reason: string): void {
    this.ended = { code, reason };
  }
  cork(callback: () => void): void {
    callback();
  }
}

const counters: StreamCounters = {
  opened: () => undefined,
  closed: () => undefined,
  message: () => undefined,
  answered: () => undefined,
  failed: () => undefined,
  held: () => undefined,
  upgradeRefused: () => undefined,
};

function responseOf(listingId: string): CheckResponse {
  return { checkId: `ck_${listingId}`, listingId, verdict: 'allow', score: 0, reasons: [], policyVersion: 'test', tookMicros: 1 };
}

function frame(seq: number): ArrayBuffer {
  const bytes = Buffer.from(JSON.stringify({ seq, listing: { listingId: `L${seq}`, sellerId: 's1', title: 'Plain cotton t-shirt' } }));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** A connection whose checks end when the test says (`finish`), one at a time; `allQueued` shared with other connections. */
function connection(
  allQueued = { bytes: 0 },
  totalQueuedBytes = 1 << 30,
): {
  socket: FakeSocket;
  conn: StreamConnection;
  pending: { count: number };
  drain: () => void;
  finish: (listingId: string) => void;
  checked: string[];
} {
  const socket = new FakeSocket();
  const pending = { count: 0 };
  let draining = false;
  const waiting = new Map<string, (response: CheckResponse) => void>();
  const checked: string[] = [];
  const conn = new StreamConnection(socket, {
    check: (request) => {
      checked.push(request.listingId);
      return new Promise((resolve) => waiting.set(request.listingId, resolve));
    },
    limits: { inFlight: 1, queued: 10, queuedBytes: 1 << 20, bufferedBytes: 1 << 20, connections: 10, totalQueuedBytes },
    defaultDeadlineMs: 1000,
    counters,
    pending,
    toGateError: (error) => (error instanceof GateError ? error : new GateError('GATE_ERR_INTERNAL', String(error))),
    draining: () => draining,
    allQueued,
  });
  return {
    socket,
    conn,
    pending,
    checked,
    drain: () => {
      draining = true;
      conn.closeWhenDone();
    },
    finish: (listingId) => waiting.get(listingId)?.(responseOf(listingId)),
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('a check-socket connection bounded by what its client has unanswered', () => {
  it('holds inFlight + queued unanswered messages while none can start (answers unread), and closes (1013) past them', () => {
    const { socket, conn, pending, checked } = connection();
    socket.buffered = 2 << 20; // past bufferedBytes: nothing starts until the client reads
    for (let seq = 1; seq <= 11; seq++) conn.receive(frame(seq), false);
    const ended = (): FakeSocket['ended'] => socket.ended;
    assert.equal(ended(), undefined, '11 unanswered (inFlight 1 + queued 10) are held');
    assert.deepEqual(checked, []);
    assert.equal(pending.count, 11);
    conn.receive(frame(12), false);
    assert.equal(ended()?.code, 1013);
  });
});

describe('a check-socket connection while the gate drains', () => {
  it('checks what it accepted before the drain, refuses what came after, and closes (1001) once its answers are written out', async () => {
    const { socket, conn, pending, drain, finish, checked } = connection();
    conn.receive(frame(1), false); // checking
    conn.receive(frame(2), false); // waiting in the queue
    drain();
    conn.receive(frame(3), false); // after the drain began
    assert.deepEqual(socket.sent, [
      {
        seq: 3,
        error: { code: 'GATE_ERR_OVERLOADED', message: 'the gate is shutting down: this message arrived after it began to drain; send it to another instance' },
      },
    ]);
    finish('L1');
    await settle();
    assert.deepEqual(checked, ['L1', 'L2'], 'the queued message is checked, not refused');
    socket.buffered = 1000; // uWS holds the last answer: the client is slow to read
    finish('L2');
    await settle();
    assert.deepEqual(
      socket.sent.map((s: Sent) => [s.seq, s.verdict ?? s.error?.code]),
      [
        [3, 'GATE_ERR_OVERLOADED'],
        [1, 'allow'],
        [2, 'allow'],
      ],
    );
    assert.equal(socket.ended, undefined, 'not closed while uWS holds answers');
    socket.buffered = 0;
    conn.drained();
    assert.deepEqual(socket.ended, { code: 1001, reason: 'the gate is shutting down' });
    assert.equal(pending.count, 0);
  });

  it('when the drain is out of time, refuses what is still checking or waiting, then closes (1001); a late check result goes nowhere', async () => {
    const { socket, conn, pending, drain, finish } = connection();
    conn.receive(frame(1), false);
    conn.receive(frame(2), false);
    drain();
    conn.abandon();
    assert.deepEqual(
      socket.sent.map((s) => [s.seq, s.error?.code]),
      [
        [1, 'GATE_ERR_OVERLOADED'],
        [2, 'GATE_ERR_OVERLOADED'],
      ],
    );
    assert.match(String(socket.sent[0]?.error?.message), /did not end in the time the drain allows/);
    assert.deepEqual(socket.ended, { code: 1001, reason: 'the gate is shutting down' });
    assert.equal(pending.count, 0, 'nothing left for the drain to wait for');
    finish('L1');
    await settle();
    assert.equal(socket.sent.length, 2, 'no second answer for seq 1');
    assert.equal(pending.count, 0);
  });
});

describe("the waiting bytes a listener's check-socket connections share", () => {
  it('refuses a message past them with GATE_ERR_OVERLOADED, unchecked, and keeps the connection; the room comes back as messages start or connections close', async () => {
    const shared = { bytes: 0 };
    const size = frame(1).byteLength; // every frame here has a one-digit seq: the same size
    const a = connection(shared, size * 3);
    const b = connection(shared, size * 3);
    a.conn.receive(frame(1), false); // checking
    a.conn.receive(frame(2), false); // waiting
    a.conn.receive(frame(3), false); // waiting
    b.conn.receive(frame(4), false); // checking
    b.conn.receive(frame(5), false); // waiting: three waiting in all
    b.conn.receive(frame(6), false); // past the shared bound: refused
    assert.equal(shared.bytes, size * 3);
    assert.deepEqual(
      b.socket.sent.map((s) => [s.seq, s.error?.code]),
      [[6, 'GATE_ERR_OVERLOADED']],
    );
    assert.match(b.socket.sent[0]?.error?.message ?? '', /this instance holds \d+ bytes of check socket messages waiting/);
    assert.equal(b.socket.ended, undefined, 'the connection lives on');
    a.finish('L1'); // L2 starts: room for one more
    await settle();
    assert.equal(shared.bytes, size * 2);
    b.conn.receive(frame(7), false);
    assert.equal(b.socket.sent.length, 1, 'taken into the queue this time');
    a.conn.close(1000, 'bye'); // its waiting L3 goes
    assert.equal(shared.bytes, size * 2);
    b.finish('L4');
    await settle();
    b.finish('L5');
    await settle();
    b.finish('L7');
    await settle();
    assert.equal(shared.bytes, 0);
    assert.deepEqual(
      b.socket.sent.map((s) => [s.seq, s.verdict ?? s.error?.code]),
      [
        [6, 'GATE_ERR_OVERLOADED'],
        [4, 'allow'],
        [5, 'allow'],
        [7, 'allow'],
      ],
    );
  });
});
