// Checks sent one at a time on one keep-alive connection, with a pause between
// them (as ../shared/tools/cold-start.mjs does): an idle server's latency, from
// the caller's side and from the server's own figures (the body's tookMicros, a
// Server-Timing header). Plain sockets, so that the caller's figure holds little
// of an HTTP client's own cost.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { headerValue, parseResponse, type RawResponse } from './http-response.js';
import { parseServerTiming, type TimingPhase } from './server-timing.js';

export interface IdleOptions {
  port: number;
  path: string;
  /** JSON listings, used in turn, each sent with a listingId of its own (`<idPrefix>-<n>`). */
  bodies: readonly string[];
  count: number;
  /** Pause after each answer, ms. */
  gapMs: number;
  idPrefix: string;
  headers?: Readonly<Record<string, string>>;
}

export interface IdleSample {
  status: number;
  /** From the request's first byte written to its answer's last byte read. */
  callerMicros: number;
  /** The server's own figure from the answer's body, when it has one. */
  tookMicros: number | undefined;
  /** The answer's Server-Timing phases; undefined when it had no such header. */
  phases: TimingPhase[] | undefined;
}

function request(options: IdleOptions, n: number): Buffer {
  const listing = JSON.parse(options.bodies[n % options.bodies.length] ?? '{}') as Record<string, unknown>;
  const body = Buffer.from(JSON.stringify({ ...listing, listingId: `${options.idPrefix}-${n}` }));
  const extra = Object.entries(options.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const head = `POST ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${options.port}\r\nContent-Type: application/json\r\n${extra}Content-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

/** The next whole response on `socket`. */
function nextResponse(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let data: Buffer = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      data = data.length === 0 ? chunk : Buffer.concat([data, chunk]);
      let response: RawResponse | undefined;
      try {
        response = parseResponse(data);
      } catch (error) {
        done();
        reject(error as Error);
        return;
      }
      if (!response) return;
      done();
      resolve(response);
    };
    const onClose = (): void => {
      done();
      reject(new Error('the connection closed before the answer'));
    };
    const done = (): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

function tookMicrosOf(body: Buffer): number | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { tookMicros?: unknown };
    return typeof parsed.tookMicros === 'number' ? parsed.tookMicros : undefined;
  } catch {
    return undefined; // not JSON: the caller's figure still counts
  }
}

export async function runIdleChecks(options: IdleOptions): Promise<IdleSample[]> {
  const socket = connect({ port: options.port, host: '127.0.0.1', noDelay: true });
  await once(socket, 'connect');
  const samples: IdleSample[] = [];
  try {
    for (let n = 0; n < options.count; n++) {
      const bytes = request(options, n);
      const answered = nextResponse(socket);
      const started = performance.now();
      socket.write(bytes);
      const response = await answered;
      const callerMicros = (performance.now() - started) * 1000;
      const timing = headerValue(response.head, 'server-timing');
      samples.push({
        status: response.status,
        callerMicros,
        tookMicros: tookMicrosOf(response.body),
        phases: timing === undefined ? undefined : parseServerTiming(timing),
      });
      await new Promise((resolve) => setTimeout(resolve, options.gapMs));
    }
  } finally {
    socket.destroy();
  }
  return samples;
}
