// One connection of the check socket: its messages checked, up to `inFlight` at
// once, each answered with its `seq` as soon as its check ends (answers may
// overtake each other). The pinned uWS build cannot pause a WebSocket's reading,
// so the bound on the way in is a queue: past `inFlight` checks, or while more than
// `bufferedBytes` of answers wait for the client to read them, a message waits in
// the queue unchecked; past `queued` messages or `queuedBytes` waiting, the
// connection is closed with 1013 and the reason. Nothing is dropped while a client
// keeps no more than inFlight + queued messages unanswered. When the gate drains,
// what the connection had accepted is still checked and answered, a message that
// arrives later is refused, and the connection closes (1001) once its answers are
// written out.
import { GateError, type GateErrorBody } from '../errors/gate-error.js';
import type { CheckRequest } from '../gate/check-request.js';
import type { CheckResponse } from '../gate/check-response.js';
import type { StreamCounters } from './stream-counters.js';
import { encodeAnswer, readFrame } from './stream-frame.js';

/** Per-connection bounds (GATE_STREAM_*). */
export interface StreamLimits {
  /** Messages being checked at once. Default 64. */
  inFlight: number;
  /** Messages waiting past those. Default 1,024. */
  queued: number;
  /** Bytes of waiting messages. Default 8 MiB. */
  queuedBytes: number;
  /** Bytes of answers uWS holds for a client that is not reading, past which no message is started. Default 1 MiB. */
  bufferedBytes: number;
  /** Connections open at once on one listener (a check thread, or the event loop); an upgrade past it is refused (503). Default 256. */
  connections: number;
  /** Bytes of waiting messages of all its connections together, past which a message is answered GATE_ERR_OVERLOADED unchecked. Default 64 MiB. */
  totalQueuedBytes: number;
}

/** What the connection needs of a uWS WebSocket. */
export interface StreamSocket {
  send(message: string | Uint8Array, isBinary: boolean): number;
  getBufferedAmount(): number;
  end(code: number, reason: string): void;
  cork(callback: () => void): unknown;
}

/** A check thread's turn (src/check-thread/thread-turn.ts): past its bound, messages wait for a later turn. */
export interface WorkTurn {
  pastShare(share: number): boolean;
  later(work: () => void): void;
}

/** A check as POST /v1/check makes it; a promise when it waits for something (the event loop, the pool, Redis). */
export type StreamCheck = (request: CheckRequest, startedAt: number, deadlineMs: number) => CheckResponse | Promise<CheckResponse>;

export interface StreamConnectionParts {
  check: StreamCheck;
  limits: StreamLimits;
  /** On a check thread: its turn. None: messages start whenever the bounds allow. */
  turn?: WorkTurn | undefined;
  defaultDeadlineMs: number;
  counters: StreamCounters;
  /** Messages accepted and not answered, on every connection (draining waits for it). */
  pending: { count: number };
  toGateError: (error: unknown) => GateError;
  /** True once the gate drains: later messages are refused, and a connection is ended (1001) once nothing of it is left to answer or to write. */
  draining: () => boolean;
  /** Bytes waiting in the queues of every connection of the listener. */
  allQueued: { bytes: number };
}

/** uWS's send status when the answer went over maxBackpressure and was dropped. */
const DROPPED = 2;
/** RFC 6455 close codes, and the IANA-registered 1013. */
export const CLOSE = { normal: 1000, goingAway: 1001, policy: 1008, internal: 1011, tryAgainLater: 1013 } as const;
/** A close frame's reason holds at most 123 bytes. */
const MAX_REASON_BYTES = 123;

interface Waiting {
  bytes: Uint8Array;
  binary: boolean;
  arrivedAt: number;
}

/** A message being checked: what its answer needs. */
interface Running {
  seq: number;
  binary: boolean;
}

const SHUTTING_DOWN = 'the gate is shutting down';
/** The share of a check thread's turn its sockets' messages may take: the rest is for its HTTP checks. */
const TURN_SHARE = 0.5;

function shortReason(reason: string): string {
  const bytes = Buffer.from(reason);
  return bytes.length <= MAX_REASON_BYTES
    ? reason
    : `${bytes
        .subarray(0, MAX_REASON_BYTES - 3)
        .toString()
        .replace(/\uFFFD$/, '')}...`;
}

export class StreamConnection {
  /** By a number of the connection's own: `seq` is the client's and may repeat. */
  private readonly running = new Map<number, Running>();
  private nextTicket = 0;
  private readonly queue: Waiting[] = [];
  private queuedBytes = 0;
  private open = true;
  private pumping = false;
  private pumpQueued = false;

  constructor(
    private readonly socket: StreamSocket,
    private readonly parts: StreamConnectionParts,
  ) {}

  /** Messages accepted and not yet answered. */
  get unanswered(): number {
    return this.running.size + this.queue.length;
  }

  /** A frame arrived; `data` is uWS's, valid only until this returns. */
  receive(data: ArrayBuffer, binary: boolean): void {
    if (!this.open) return;
    const arrivedAt = performance.now();
    this.parts.counters.message();
    if (this.parts.draining()) {
      const unanswerable = this.refuse(
        new Uint8Array(data),
        binary,
        `${SHUTTING_DOWN}: this message arrived after it began to drain; send it to another instance`,
      );
      if (unanswerable === undefined) this.closeWhenDone();
      else this.close(CLOSE.policy, unanswerable);
      return;
    }
    if (this.queue.length === 0 && this.canStart() && !this.turnOver()) {
      this.start(new Uint8Array(data), binary, arrivedAt);
      return;
    }
    const { limits, allQueued } = this.parts;
    if (allQueued.bytes + data.byteLength > limits.totalQueuedBytes) {
      // The instance is short of room, not this client over its own bounds: the message is refused, the connection lives on.
      const unanswerable = this.refuse(
        new Uint8Array(data),
        binary,
        `this instance holds ${limits.totalQueuedBytes} bytes of check socket messages waiting; retry after the retry-after delay`,
      );
      if (unanswerable !== undefined) this.close(CLOSE.policy, unanswerable);
      return;
    }
    // The bound is what the client has unanswered: messages also wait while fewer than
    // inFlight are checking (answers unread, the thread's turn over).
    if (this.unanswered >= limits.inFlight + limits.queued || this.queuedBytes + data.byteLength > limits.queuedBytes) {
      this.close(
        CLOSE.tryAgainLater,
        `over ${limits.inFlight + limits.queued} unanswered messages or ${limits.queuedBytes} bytes waiting: read answers before sending more`,
      );
      return;
    }
    this.queue.push({ bytes: new Uint8Array(data.slice(0)), binary, arrivedAt });
    this.queuedBytes += data.byteLength;
    allQueued.bytes += data.byteLength;
    this.parts.pending.count++;
    this.parts.counters.held(this.unread() ? 'unread' : this.running.size >= limits.inFlight ? 'in_flight' : 'turn');
  }

  /** uWS wrote out answers the client had not read: waiting messages may start. */
  drained(): void {
    this.pump();
  }

  /** The socket closed (either side): answers still to come go nowhere. */
  closed(code: number): void {
    if (!this.open) return;
    this.open = false;
    this.parts.counters.closed(code);
    this.parts.pending.count -= this.queue.length;
    this.queue.length = 0;
    this.parts.allQueued.bytes -= this.queuedBytes;
    this.queuedBytes = 0;
  }

  /**
   * While the gate drains: ends the connection (1001) once nothing is waiting or in
   * flight and uWS holds none of its answers. An answer uWS still holds when the
   * process closes its sockets would be lost; written to the kernel, it is sent.
   */
  closeWhenDone(): void {
    if (this.open && this.parts.draining() && this.unanswered === 0 && this.socket.getBufferedAmount() === 0) this.close(CLOSE.goingAway, SHUTTING_DOWN);
  }

  /** The drain's time is up: what is still waiting or being checked is refused (a late check's answer goes nowhere), then 1001. */
  abandon(): void {
    if (!this.open) return;
    const reason = `${SHUTTING_DOWN}: its check did not end in the time the drain allows; send it to another instance`;
    for (const [ticket, { seq, binary }] of this.running) {
      this.running.delete(ticket);
      this.parts.pending.count--;
      this.refusal(seq, binary, reason);
    }
    for (const waiting of this.queue.splice(0)) {
      this.parts.pending.count--;
      this.refuse(waiting.bytes, waiting.binary, reason);
    }
    this.parts.allQueued.bytes -= this.queuedBytes;
    this.queuedBytes = 0;
    this.close(CLOSE.goingAway, SHUTTING_DOWN);
  }

  close(code: number, reason: string): void {
    if (!this.open) return;
    this.closed(code);
    this.socket.end(code, shortReason(reason));
  }

  private canStart(): boolean {
    return this.running.size < this.parts.limits.inFlight && !this.unread();
  }

  /** uWS holds more answers than the bound: the client is not reading them. */
  private unread(): boolean {
    return this.socket.getBufferedAmount() > this.parts.limits.bufferedBytes;
  }

  /** The thread's turn ran past its bound: what waits is started in a later turn. */
  private turnOver(): boolean {
    const { turn } = this.parts;
    if (!turn?.pastShare(TURN_SHARE)) return false;
    if (!this.pumpQueued) {
      this.pumpQueued = true;
      turn.later(() => {
        this.pumpQueued = false;
        this.pump();
      });
    }
    return true;
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      let next: Waiting | undefined;
      while (this.open && this.queue.length > 0 && this.canStart() && !this.turnOver() && (next = this.queue.shift())) {
        this.queuedBytes -= next.bytes.byteLength;
        this.parts.allQueued.bytes -= next.bytes.byteLength;
        this.parts.pending.count--;
        this.start(next.bytes, next.binary, next.arrivedAt);
      }
    } finally {
      this.pumping = false;
    }
    this.closeWhenDone();
  }

  /** Answers a message without checking it: its own error if it has one, else GATE_ERR_OVERLOADED with `reason`; returns why it cannot be answered, if so. */
  private refuse(bytes: Uint8Array, binary: boolean, reason: string): string | undefined {
    const frame = readFrame(bytes, binary);
    if (frame.kind === 'unanswerable') return frame.reason;
    if (frame.kind === 'bad') {
      this.answer(frame.seq, frame.error.toBody(), binary);
      this.parts.counters.failed(frame.error.code);
    } else this.refusal(frame.seq, binary, reason);
    return undefined;
  }

  private refusal(seq: number, binary: boolean, reason: string): void {
    const error = new GateError('GATE_ERR_OVERLOADED', reason);
    this.answer(seq, error.toBody(), binary);
    this.parts.counters.failed(error.code);
  }

  private start(bytes: Uint8Array, binary: boolean, arrivedAt: number): void {
    const frame = readFrame(bytes, binary);
    if (frame.kind === 'unanswerable') {
      this.close(CLOSE.policy, frame.reason);
      return;
    }
    if (frame.kind === 'bad') {
      this.answer(frame.seq, frame.error.toBody(), binary);
      this.parts.counters.failed(frame.error.code);
      return;
    }
    const ticket = this.nextTicket++;
    this.running.set(ticket, { seq: frame.seq, binary });
    this.parts.pending.count++;
    let result: CheckResponse | Promise<CheckResponse>;
    try {
      result = this.parts.check(frame.listing, arrivedAt, frame.deadlineMs ?? this.parts.defaultDeadlineMs);
    } catch (error) {
      this.finish(ticket, undefined, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (response) => this.finish(ticket, response, undefined),
        (error: unknown) => this.finish(ticket, undefined, error),
      );
    } else this.finish(ticket, result, undefined);
  }

  private finish(ticket: number, response: CheckResponse | undefined, error: unknown): void {
    const running = this.running.get(ticket);
    if (!running) return; // refused already: the drain's time was up
    this.running.delete(ticket);
    this.parts.pending.count--;
    if (!this.open) return;
    const { seq, binary } = running;
    if (response) {
      this.answer(seq, response, binary);
      this.parts.counters.answered();
    } else {
      const gateError = this.parts.toGateError(error);
      this.answer(seq, gateError.toBody(), binary);
      this.parts.counters.failed(gateError.code);
    }
    this.pump();
  }

  private answer(seq: number, answer: CheckResponse | GateErrorBody, binary: boolean): void {
    if (!this.open) return; // uWS throws on a closed socket
    const encoded = encodeAnswer(seq, answer, binary);
    let status = 0;
    this.socket.cork(() => {
      status = this.socket.send(encoded, binary);
    });
    // Cannot happen within the bounds (maxBackpressure is set above them); if it does, the client learns it lost an answer.
    if (status === DROPPED) this.close(CLOSE.internal, `the answer to seq ${seq} could not be buffered`);
  }
}
