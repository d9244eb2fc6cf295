// An open-loop load generator: requests fall due at a fixed arrival rate, evenly
// spaced, whether or not earlier ones were answered, and each one's latency counts
// from when it fell due. A stall of the server (or of this process) therefore shows
// in every request it delayed: coordinated omission is corrected.
//
// autocannon's `overallRate` is not this. Each of its connections sends its quota
// for the second back to back from the top of every second, then waits for the
// next second (`reqsMadeThisSecond`, reset by a 1 s interval, in its
// lib/httpClient.js). A "500 req/s" run with 20 connections is 20 requests in flight
// until 500 are answered, then silence: a server slower than the echo spends the
// first part of every second in a closed-loop burst, and the answers at the end of
// the burst wait for the ones before them. autocannon stays the tool for maximum
// throughput (closed loop by design); the fixed-rate runs use this.
//
// HTTP/1.1 over plain sockets, one request at a time per connection, responses
// read by their Content-Length (the gate and the echo server are uWS, which always
// sends it). Connections are opened as needed, up to `maxConnections`; a request
// due while all of them are busy waits for one, and its wait counts.
import { connect, type Socket } from 'node:net';
import { parseResponse } from './http-response.js';

export interface OpenLoopOptions {
  port: number;
  path: string;
  /** Requests per second, evenly spaced. */
  rate: number;
  /** How long requests keep falling due; `stop()` ends it sooner. */
  seconds: number;
  /** Request bodies, used in turn. */
  bodies: readonly string[];
  headers?: Readonly<Record<string, string>>;
  maxConnections: number;
  /** Keep each answer's body (the fault runs read verdicts and review ids). */
  keepBodies?: boolean;
  /** Keep each answer's status line and headers (load:tail reads Server-Timing). */
  keepHeads?: boolean;
  /** A request not answered within this many ms counts as an error (status 0). */
  timeoutMs?: number;
}

export interface OpenLoopAnswer {
  /** HTTP status, or 0 for a connection error or a timeout. */
  status: number;
  /** From when the request fell due to when its answer was read, in ms. */
  latencyMs: number;
  /** Epoch ms (performance.timeOrigin-based) when the answer was read. */
  at: number;
  body?: string;
  head?: string;
}

export interface OpenLoopResult {
  answers: OpenLoopAnswer[];
  /** Seconds from the first request falling due to the last answer. */
  elapsedSeconds: number;
  /** Connections opened over the run. */
  connectionsOpened: number;
  /** Requests that fell due while every connection was busy and waited for one: their latency includes this generator's queue. */
  waitedForConnection: number;
}

export interface OpenLoopRun {
  done: Promise<OpenLoopResult>;
  /** No more requests fall due; the ones sent are still awaited. */
  stop(): void;
}

interface Connection {
  socket: Socket;
  /** The request in flight (or being connected for): when it fell due, and its timeout; undefined when idle. */
  current: { due: number; timer: NodeJS.Timeout } | undefined;
  received: Buffer[];
  receivedBytes: number;
}

const now = (): number => performance.now();

function requestBuffers(options: OpenLoopOptions): Buffer[] {
  const extra = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return options.bodies.map((body) => {
    const bytes = Buffer.from(body);
    const head = `POST ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${bytes.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), bytes]);
  });
}

export function runOpenLoop(options: OpenLoopOptions): OpenLoopRun {
  const requests = requestBuffers(options);
  const timeoutMs = options.timeoutMs ?? 5000;
  const interval = 1000 / options.rate;
  const total = Math.floor(options.rate * options.seconds);
  const answers: OpenLoopAnswer[] = [];
  const idle: Connection[] = [];
  const waiting: number[] = []; // due times of requests waiting for a free connection
  let open = 0;
  let opened = 0;
  let issued = 0;
  /** Requests fallen due and not answered yet (sent, connecting or waiting). */
  let outstanding = 0;
  let dueCount = 0;
  let waitedForConnection = 0;
  let stopped = false;
  let lastAnswer = 0;
  const start = now();
  let finish: (result: OpenLoopResult) => void = () => undefined;
  const done = new Promise<OpenLoopResult>((resolve) => (finish = resolve));

  const record = (due: number, status: number, body?: Buffer, head?: string): void => {
    const at = now();
    lastAnswer = at;
    outstanding--;
    const answer: OpenLoopAnswer = { status, latencyMs: at - due, at: performance.timeOrigin + at };
    if (options.keepBodies && body) answer.body = body.toString('utf8');
    if (options.keepHeads && head !== undefined) answer.head = head;
    answers.push(answer);
  };

  const maybeFinish = (): void => {
    if (!stopped || outstanding > 0) return;
    clearInterval(ticker);
    for (const c of idle.splice(0)) c.socket.destroy();
    finish({ answers, elapsedSeconds: (Math.max(lastAnswer, start) - start) / 1000, connectionsOpened: opened, waitedForConnection });
  };

  /**
   * Gives a connection its next request, written at once or on connecting; a
   * request that waited out its whole timeout for a connection is an error
   * instead, and the connection takes the next one (or goes idle).
   */
  const assign = (connection: Connection, firstDue: number): void => {
    let due: number | undefined = firstDue;
    while (due !== undefined && now() - due >= timeoutMs) {
      record(due, 0);
      due = waiting.shift();
    }
    if (due === undefined) {
      idle.push(connection);
      maybeFinish();
      return;
    }
    const timer = setTimeout(() => connection.socket.destroy(new Error('timeout')), Math.max(1, due + timeoutMs - now()));
    connection.current = { due, timer };
    if (!connection.socket.connecting) connection.socket.write(requests[issued++ % requests.length] as Buffer);
  };

  const openConnection = (due: number): void => {
    open++;
    opened++;
    const connection: Connection = {
      socket: connect({ port: options.port, host: '127.0.0.1', noDelay: true }),
      current: undefined,
      received: [],
      receivedBytes: 0,
    };
    assign(connection, due);
    connection.socket.once('connect', () => {
      if (connection.current) connection.socket.write(requests[issued++ % requests.length] as Buffer);
    });
    connection.socket.on('data', (chunk: Buffer) => {
      connection.received.push(chunk);
      connection.receivedBytes += chunk.length;
      const data = connection.received.length === 1 ? chunk : Buffer.concat(connection.received, connection.receivedBytes);
      let response: ReturnType<typeof parseResponse>;
      try {
        response = parseResponse(data);
      } catch (error) {
        connection.socket.destroy(error as Error);
        return;
      }
      if (!response || !connection.current) return;
      clearTimeout(connection.current.timer);
      const { due } = connection.current;
      connection.current = undefined;
      connection.received = [];
      connection.receivedBytes = 0;
      record(due, response.status, response.body, response.head);
      const next = waiting.shift();
      if (next !== undefined) assign(connection, next);
      else {
        idle.push(connection);
        maybeFinish();
      }
    });
    connection.socket.on('error', () => undefined);
    connection.socket.on('close', () => {
      open--;
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      if (connection.current) {
        clearTimeout(connection.current.timer);
        const { due } = connection.current;
        connection.current = undefined;
        record(due, 0);
        // A request waiting for a connection gets a new one.
        const next = waiting.shift();
        if (next !== undefined) openConnection(next);
      }
      maybeFinish();
    });
  };

  const dispatch = (due: number): void => {
    outstanding++;
    const connection = idle.pop();
    if (connection) assign(connection, due);
    else if (open < options.maxConnections) openConnection(due);
    else {
      waitedForConnection++;
      waiting.push(due);
    }
  };

  // Every millisecond (as often as a Node timer goes), each request that has fallen due is sent.
  const ticker = setInterval(() => {
    if (stopped) return;
    const target = Math.min(total, Math.floor((now() - start) / interval) + 1);
    for (; dueCount < target; dueCount++) dispatch(start + dueCount * interval);
    if (dueCount >= total) stopped = true;
    maybeFinish();
  }, 1);

  return {
    done,
    stop: () => {
      stopped = true;
      // Requests still waiting for a connection were never sent: not counted.
      outstanding -= waiting.splice(0).length;
      maybeFinish();
    },
  };
}

/** The q-quantile of `values` (NaN when there are none). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Latency quantile (ms) of the answers. */
export function latencyQuantile(answers: readonly OpenLoopAnswer[], q: number): number {
  return quantile(
    answers.map((a) => a.latencyMs),
    q,
  );
}
