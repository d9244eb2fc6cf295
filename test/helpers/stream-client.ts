// A client of the check socket (GET /v1/check/stream) for tests and load runs:
// sends messages as JSON text frames or MessagePack binary frames and collects the
// answers by `seq`.
import { pack, unpack } from 'msgpackr';
import WebSocket from 'ws';

export type StreamEncoding = 'json' | 'msgpack';

export interface StreamAnswer {
  seq: number;
  verdict?: string;
  score?: number;
  reasons?: Array<{ code: string; ref?: string; field?: string; start?: number; end?: number }>;
  error?: { code: string; message: string; field?: string };
  [key: string]: unknown;
}

export interface StreamClient {
  readonly socket: WebSocket;
  /** Every answer received, in arrival order. */
  readonly answers: StreamAnswer[];
  /** Set once the socket closed. */
  readonly closedWith: { code: number; reason: string } | undefined;
  send(message: unknown, encoding?: StreamEncoding): void;
  /** Sends raw bytes as one frame (binary) or text. */
  sendRaw(data: string | Uint8Array): void;
  /** Resolves once `count` answers in all arrived (rejects on close or past `timeoutMs`). */
  waitForAnswers(count: number, timeoutMs?: number): Promise<StreamAnswer[]>;
  waitForClose(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
}

/** Opens a socket; rejects with the HTTP status when the upgrade is refused. */
export async function openStream(baseUrl: string, headers: Record<string, string> = {}): Promise<StreamClient> {
  const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/check/stream`, { headers, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => reject(Object.assign(new Error(`upgrade refused with ${response.statusCode}: ${body}`), { status: response.statusCode, body })));
    });
  });
  const answers: StreamAnswer[] = [];
  let closedWith: { code: number; reason: string } | undefined;
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of waiters) waiter();
  };
  socket.on('message', (raw, isBinary) => {
    const data = raw as Buffer; // binaryType 'nodebuffer', the default
    answers.push((isBinary ? unpack(data) : JSON.parse(data.toString())) as StreamAnswer);
    wake();
  });
  socket.on('close', (code, reason) => {
    closedWith = { code, reason: reason.toString() };
    wake();
  });
  socket.on('error', () => undefined); // a close follows
  const waitFor = <T>(what: string, done: () => T | undefined, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what} (${answers.length} answers${closedWith ? `, closed ${closedWith.code} ${closedWith.reason}` : ''})`));
      }, timeoutMs);
      const check = (): void => {
        let value: T | undefined;
        try {
          value = done();
        } catch (error) {
          clearTimeout(timer);
          waiters.delete(check);
          reject(error as Error);
          return;
        }
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(value);
      };
      waiters.add(check);
      check();
    });
  return {
    socket,
    answers,
    get closedWith() {
      return closedWith;
    },
    send: (message, encoding = 'json') => socket.send(encoding === 'json' ? JSON.stringify(message) : pack(message), { binary: encoding === 'msgpack' }),
    sendRaw: (data) => socket.send(data, { binary: typeof data !== 'string' }),
    waitForAnswers: (count, timeoutMs = 10_000) =>
      waitFor(
        `${count} answers`,
        () => {
          if (answers.length >= count) return answers.slice(0, count);
          if (closedWith) throw new Error(`the socket closed (${closedWith.code} ${closedWith.reason}) after ${answers.length} of ${count} answers`);
          return undefined;
        },
        timeoutMs,
      ),
    waitForClose: (timeoutMs = 10_000) => waitFor('the socket to close', () => closedWith, timeoutMs),
    close: async () => {
      if (closedWith) return;
      socket.close(1000);
      await waitFor('the socket to close', () => closedWith, 5000).catch(() => socket.terminate());
    },
  };
}
