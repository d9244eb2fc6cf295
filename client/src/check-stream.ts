// A session on the check socket (GET /v1/check/stream, docs/check-socket.md):
// each check() is a message with the next seq, and its promise settles with the
// answer carrying that seq, whatever order answers come in. At most `window`
// messages are unanswered at once; further checks wait here, so the gate's
// per-connection queue never overflows (it would close the socket with 1013).
import type WebSocket from 'ws';
import type { CheckRequest, CheckResponse } from './check-types.js';
import { checkDeadline } from './client-options.js';
import { GateClientError } from './gate-client-error.js';
import { openSocket } from './open-socket.js';
import { readAnswer } from './read-answer.js';
import { decode, encode, type WireFormat } from './wire-format.js';

export interface CheckStreamOptions {
  /** The encoding of messages and answers (JSON text frames or MessagePack binary frames). Default: the client's `format`. */
  format?: WireFormat;
  /**
   * The most checks unanswered at once; past it check() waits its turn in this
   * process. Default 64, the gate's default `GATE_STREAM_IN_FLIGHT`: more wait in
   * the gate's queue, where their deadline runs. Above the gate's
   * `GATE_STREAM_IN_FLIGHT + GATE_STREAM_QUEUE` (1,088 by default) the gate may close the socket.
   */
  window?: number;
  /** Each check's deadline in ms (1 to 60,000). Default: the client's `deadlineMs`, else the gate's. */
  deadlineMs?: number;
}

export interface StreamCheckOptions {
  /** This check's deadline in ms, counted from the call (time waiting for a turn included). */
  deadlineMs?: number;
}

/** What the session needs from the client that opens it. */
export interface StreamSettings {
  format: WireFormat;
  window: number;
  deadlineMs: number | undefined;
  graceMs: number;
}

interface Job {
  listing: CheckRequest;
  startedAt: number;
  deadlineMs: number | undefined;
  resolve(response: CheckResponse): void;
  reject(error: GateClientError): void;
  timer: NodeJS.Timeout | undefined;
  /** Its promise has settled (answered, timed out or failed); a sent job stays in flight until its answer. */
  settled: boolean;
}

function bytesOf(data: WebSocket.RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return new Uint8Array(data);
}

export class CheckStream {
  private readonly socket: WebSocket;
  private readonly settings: StreamSettings;
  /** Sent and not yet answered, by seq (timed-out ones included: the gate still holds them). */
  private readonly inFlightJobs = new Map<number, Job>();
  private readonly waiting: Job[] = [];
  private nextSeq = 1;
  private closing = false;
  private closedWith: { code: number; reason: string } | undefined;
  private readonly idle = new Set<() => void>();

  /** Opens a session on the socket at `url` (`ws:` or `wss:`); `GateClient.stream()` calls it. */
  static async open(url: string, headers: Record<string, string>, settings: StreamSettings): Promise<CheckStream> {
    return new CheckStream(await openSocket(url, headers), settings);
  }

  private constructor(socket: WebSocket, settings: StreamSettings) {
    this.socket = socket;
    this.settings = settings;
    socket.on('message', (data, isBinary) => this.onAnswer(bytesOf(data), isBinary));
    socket.on('close', (code, reason) => this.onClose(code, reason.toString()));
    socket.on('error', () => undefined); // a close follows, which settles what is pending
  }

  /** Checks sent and not yet answered. */
  get inFlight(): number {
    return this.inFlightJobs.size;
  }

  /** Checks waiting here for a turn in the window. */
  get queued(): number {
    return this.waiting.length;
  }

  /** The close code and reason once the socket closed. */
  get closed(): { code: number; reason: string } | undefined {
    return this.closedWith;
  }

  check(listing: CheckRequest, options: StreamCheckOptions = {}): Promise<CheckResponse> {
    const deadlineMs = options.deadlineMs === undefined ? this.settings.deadlineMs : checkDeadline('options.deadlineMs', options.deadlineMs);
    if (this.closing || this.closedWith) return Promise.reject(this.closedError());
    return new Promise((resolve, reject) => {
      const job: Job = { listing, startedAt: performance.now(), deadlineMs, resolve, reject, timer: undefined, settled: false };
      if (deadlineMs !== undefined) {
        job.timer = setTimeout(() => {
          const at = this.waiting.indexOf(job);
          if (at >= 0) this.waiting.splice(at, 1);
          this.settle(job, new GateClientError('CLIENT_ERR_TIMEOUT', `no answer on the check socket by the deadline (${deadlineMs} ms)`));
          for (const done of [...this.idle]) done();
        }, deadlineMs + this.settings.graceMs);
      }
      if (this.inFlightJobs.size < this.settings.window) this.send(job);
      else this.waiting.push(job);
    });
  }

  /** Takes no new checks, waits for the answers its callers still wait for, then closes the socket. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.closedWith) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          if (this.waiting.length > 0 || [...this.inFlightJobs.values()].some((job) => !job.settled)) return;
          this.idle.delete(done);
          resolve();
        };
        this.idle.add(done);
        done();
      });
    }
    if (this.closedWith) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000);
    });
  }

  private send(job: Job): void {
    const seq = this.nextSeq++;
    this.inFlightJobs.set(seq, job);
    const message: { seq: number; listing: CheckRequest; deadlineMs?: number } = { seq, listing: job.listing };
    // The gate runs a message's deadline from its arrival: send what is left of the caller's.
    if (job.deadlineMs !== undefined) message.deadlineMs = Math.max(1, Math.floor(job.deadlineMs - (performance.now() - job.startedAt)));
    const binary = this.settings.format === 'msgpack';
    this.socket.send(encode(message, this.settings.format), { binary });
  }

  private onAnswer(bytes: Uint8Array, binary: boolean): void {
    let value: unknown;
    try {
      value = decode(bytes, binary ? 'msgpack' : 'json');
    } catch {
      value = undefined;
    }
    const seq = typeof value === 'object' && value !== null ? (value as { seq?: unknown }).seq : undefined;
    const job = typeof seq === 'number' ? this.inFlightJobs.get(seq) : undefined;
    if (typeof seq !== 'number' || job === undefined) {
      // Nothing can be matched to it any more: end the session rather than guess.
      this.closing = true;
      this.failAll(new GateClientError('CLIENT_ERR_BAD_ANSWER', `the check socket sent an answer for no check asked (seq ${String(seq)})`));
      this.socket.terminate();
      return;
    }
    this.inFlightJobs.delete(seq);
    const { seq: _seq, ...rest } = value as Record<string, unknown>;
    const answer = readAnswer(rest);
    if (answer.kind === 'response') this.settle(job, answer.response);
    else if (answer.kind === 'error') {
      const { code, message, field, details } = answer.error;
      this.settle(job, new GateClientError(code, message, { field, details }));
    } else this.settle(job, new GateClientError('CLIENT_ERR_BAD_ANSWER', `the answer to seq ${seq} is neither a check response nor an error`));
    this.pump();
  }

  private pump(): void {
    while (this.inFlightJobs.size < this.settings.window) {
      const job = this.waiting.shift();
      if (job === undefined) break;
      this.send(job);
    }
    for (const done of [...this.idle]) done();
  }

  private settle(job: Job, outcome: CheckResponse | GateClientError): void {
    if (job.settled) return;
    job.settled = true;
    clearTimeout(job.timer);
    if (outcome instanceof GateClientError) job.reject(outcome);
    else job.resolve(outcome);
  }

  private closedError(): GateClientError {
    const closed = this.closedWith;
    return new GateClientError(
      'CLIENT_ERR_CLOSED',
      closed ? `the check socket closed (${closed.code}${closed.reason ? ` ${closed.reason}` : ''})` : 'the check socket is closing',
    );
  }

  private failAll(error: GateClientError): void {
    for (const job of [...this.inFlightJobs.values(), ...this.waiting]) this.settle(job, error);
    this.inFlightJobs.clear();
    this.waiting.length = 0;
    for (const done of [...this.idle]) done();
  }

  private onClose(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.failAll(this.closedError());
  }
}
