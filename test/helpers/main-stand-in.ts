// A stand-in for the gate's main thread behind the check threads' forwarding: a
// real uWS App on 127.0.0.1, port 0, that echoes what it got, hashes uploads as
// they stream (reading slower than a client can send, so back-pressure matters),
// streams large answers (and one that breaks off), notes requests whose client went
// away, and has routes behind the gate's real route wrapper: one with its auth
// limiter, one writing the body to a file as the pack upload does and answering late.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import uWS from '@trufflesuite/uws-js-unofficial';
import { GateError } from '../../src/errors/gate-error.js';
import { forwardedPeer, socketPeer } from '../../src/http/forwarded-peer.js';
import { readHead, type HttpResponse } from '../../src/http/http-types.js';
import { sendData, sendError, type ResponseState } from '../../src/http/respond.js';
import { route } from '../../src/http/route-handler.js';
import { createGateMetrics } from '../../src/observability/gate-metrics.js';
import { TokenRegistry } from '../../src/auth/token-registry.js';
import { AuthFailureLimiter } from '../../src/auth/auth-failure-limiter.js';
import { ThrottledLog } from '../../src/observability/throttled-log.js';
import type { PackFile } from '../../src/pack/pack-source.js';
import { patternChunk } from './byte-pattern.js';
import { silentLog } from '../../src/observability/gate-logger.js';

export interface Echo {
  method: string;
  url: string;
  query: string;
  headers: Array<[string, string]>;
  body: string;
  /** The caller as forwardedPeer sees it with the stand-in's secret. */
  peer: string;
}

export interface Upload {
  bytes: number;
  sha256: string;
}

/** A request whose client went away: the route, and the bytes read (an upload) or written (an answer) by then. */
export interface Cut {
  path: string;
  bytes: number;
}

export interface MainStandIn {
  port: number;
  /** Uploads read to their end. */
  uploads: Upload[];
  /** Bytes of the current upload read so far. */
  progress: { uploadRead: number };
  /** Resolves when the next large answer has been handed to uWS whole. */
  nextWritten(): Promise<void>;
  /** Resolves when the next upload or large answer is cut off before its end. */
  nextAbort(): Promise<Cut>;
  /** Files of PUT /to-file uploads still on disk: its handler removes a whole body's at once, the route wrapper one whose client went away. */
  filesWritten(): string[];
  close(): void;
}

/** What GET /fixed answers (HEAD /fixed: its length, without it). */
export const FIXED = 'a body of known length';

// The stand-in reads an upload at most this fast: it pauses `PAUSE_MS` after every `PAUSE_EVERY` bytes.
const PAUSE_EVERY = 2 * 1024 * 1024;
const PAUSE_MS = 10;

function uploadRoute(uploads: Upload[], progress: { uploadRead: number }, aborts: Array<(cut: Cut) => void>) {
  return (res: HttpResponse): void => {
    const hash = createHash('sha256');
    let bytes = 0;
    let sincePause = 0;
    progress.uploadRead = 0;
    let pause: NodeJS.Timeout | undefined;
    const resume = (): void => {
      clearTimeout(pause);
      pause = undefined;
      res.resume();
    };
    res.onAborted(() => {
      clearTimeout(pause);
      aborts.shift()?.({ path: '/upload', bytes });
    });
    res.onData((chunk, isLast) => {
      hash.update(new Uint8Array(chunk));
      bytes += chunk.byteLength;
      progress.uploadRead = bytes;
      sincePause += chunk.byteLength;
      if (isLast) {
        // Data read before a pause took effect can hold the end: resumed before answering, or the socket stays paused.
        if (pause) resume();
        const upload = { bytes, sha256: hash.digest('hex') };
        uploads.push(upload);
        res.cork(() => res.writeHeader('content-type', 'application/json').end(JSON.stringify(upload)));
      } else if (sincePause >= PAUSE_EVERY && !pause) {
        sincePause = 0;
        res.pause();
        pause = setTimeout(resume, PAUSE_MS);
      }
    });
  };
}

/** `?ms=N`: the answer waits that long after the body's end (0 when absent). */
function answerDelay(query: string): number {
  return Number(new URLSearchParams(query).get('ms') ?? 0);
}

/** Reads the body whole, never pausing, and answers its size and hash `?ms=N` later. */
function lateRoute(res: HttpResponse, req: uWS.HttpRequest): void {
  const delay = answerDelay(req.getQuery() ?? '');
  const state: ResponseState = { aborted: false, done: false };
  let timer: NodeJS.Timeout | undefined;
  res.onAborted(() => {
    state.aborted = true;
    clearTimeout(timer);
  });
  const hash = createHash('sha256');
  let bytes = 0;
  res.onData((chunk, isLast) => {
    hash.update(new Uint8Array(chunk));
    bytes += chunk.byteLength;
    if (!isLast) return;
    const upload: Upload = { bytes, sha256: hash.digest('hex') };
    timer = setTimeout(() => sendData(res, state, 200, upload, ''), delay);
  });
}

/** Streams `size` bytes of the pattern: with a declared length (tryEnd) or chunked (write). */
function largeRoute(chunked: boolean, aborts: Array<(cut: Cut) => void>, written: Array<() => void>) {
  return (res: HttpResponse, req: uWS.HttpRequest): void => {
    const size = Number(req.getQuery('bytes'));
    const path = req.getUrl();
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
      aborts.shift()?.({ path, bytes: sent });
    });
    let index = 0;
    let sent = 0;
    let pending: { chunk: Buffer; offset: number } | undefined;
    const next = (): Buffer => {
      const chunk = patternChunk(index++);
      return sent + chunk.length > size ? chunk.subarray(0, size - sent) : chunk;
    };
    // Writes until uWS pushes back; false once everything is written.
    const pump = (): void => {
      while (!aborted && sent < size) {
        const chunk = next();
        sent += chunk.length;
        if (chunked) {
          const ok = res.write(chunk);
          if (sent >= size) {
            res.end();
            written.shift()?.();
          }
          if (!ok) return;
        } else {
          const offset = res.getWriteOffset();
          const [ok, finished] = res.tryEnd(chunk, size);
          if (finished) written.shift()?.();
          if (!ok) {
            pending = { chunk, offset };
            return;
          }
        }
      }
    };
    res.onWritable((offset) => {
      if (pending) {
        const [ok, finished] = res.tryEnd(pending.chunk.subarray(offset - pending.offset), size);
        if (finished) {
          written.shift()?.();
          return true; // answered: res may not be touched again
        }
        if (!ok) return false;
        pending = undefined;
      }
      res.cork(pump);
      return true;
    });
    res.writeHeader('content-type', 'application/octet-stream');
    pump();
  };
}

export async function startMainStandIn(secret: string): Promise<MainStandIn> {
  const app = uWS.App();
  const uploads: Upload[] = [];
  const aborts: Array<(cut: Cut) => void> = [];
  const written: Array<() => void> = [];
  const progress = { uploadRead: 0 };
  const metrics = createGateMetrics();
  const tokens = new TokenRegistry();
  tokens.add('admin-token-for-tests', 'admin');
  const roleCheck = { tokens, authFailures: metrics.authFailures, limiter: new AuthFailureLimiter({ maxFailures: 2 }), log: new ThrottledLog(silentLog) };
  const fileDir = mkdtempSync(join(tmpdir(), 'stand-in-upload-'));
  let fileCount = 0;

  app.any('/echo', (res, req) => {
    const head = readHead(req);
    const headers: Array<[string, string]> = [];
    req.forEach((name, value) => headers.push([name, value]));
    const method = req.getMethod().toUpperCase();
    const peer = forwardedPeer(head, socketPeer(res), secret);
    const state: ResponseState = { aborted: false, done: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    const chunks: Buffer[] = [];
    res.onData((chunk, isLast) => {
      chunks.push(Buffer.from(new Uint8Array(chunk)));
      if (!isLast) return;
      const echo: Echo = { method, url: head.url, query: head.query, headers, body: Buffer.concat(chunks).toString(), peer };
      sendData(res, state, 200, echo, '');
    });
  });
  app.any('/fixed', (res, req) => {
    res.writeHeader('content-type', 'text/plain');
    // endWithoutBody(length) would leave the answer open in this build (it waits for the body).
    if (req.getMethod() === 'head') res.writeHeader('content-length', String(FIXED.length)).endWithoutBody();
    else res.end(FIXED);
  });
  app.get('/cookies', (res) => {
    res
      .writeHeader('set-cookie', 'a=1; Path=/')
      .writeHeader('set-cookie', 'b=2; Path=/')
      .writeHeader('x-many', 'one')
      .writeHeader('x-many', 'two')
      .writeHeader('keep-alive', 'timeout=30')
      .writeHeader('proxy-authenticate', 'Basic')
      .writeHeader('connection', 'x-listed')
      .writeHeader('x-listed', 'hop')
      .end('ok');
  });
  app.get('/empty', (res) => {
    res.writeStatus('204 No Content').endWithoutBody();
  });
  app.put('/upload', uploadRoute(uploads, progress, aborts));
  // Refused from the headers alone, as the gate refuses a bad token or a declared size over its limit.
  app.put('/refuse', (res) => sendError(res, { aborted: false, done: false }, new GateError('GATE_ERR_UNAUTHORIZED', 'no token')));
  app.get('/large', largeRoute(false, aborts, written));
  app.get('/large-chunked', largeRoute(true, aborts, written));
  // An answer that breaks off after 64 KB of the 1 MB it declared (or of a chunked one).
  app.get('/cut', (res, req) => {
    const chunked = req.getQuery('chunked') === '1';
    res.onAborted(() => undefined);
    const part = patternChunk(0).subarray(0, 64 * 1024);
    if (chunked) res.write(part);
    else res.tryEnd(part, 1024 * 1024);
    setTimeout(() => res.close(), 20);
  });
  // The real route wrapper, its auth-failure limiter counting the forwarded caller.
  app.get(
    '/limited',
    route(
      {
        auth: { roles: ['admin'], name: 'limited' },
        roleCheck,
        maxBodyBytes: 1024,
        metrics,
        log: silentLog,
        inFlight: { count: 0 },
        forwardSecret: secret,
      },
      () => ({ ok: true }),
    ),
  );
  // The body to a file as it arrives (the gate's pack upload: paused while each write is in flight), answered `?ms=N` after it ended.
  app.put(
    '/to-file',
    route(
      {
        readsBody: true,
        bodyToFile: () => join(fileDir, `upload-${++fileCount}`),
        roleCheck,
        maxBodyBytes: 1024 * 1024 * 1024,
        metrics,
        log: silentLog,
        inFlight: { count: 0 },
      },
      async ({ head, body }) => {
        const { file, size } = body as PackFile;
        await rm(file, { force: true }); // first, so that what is left is a file the wrapper failed to remove
        await new Promise((resolve) => setTimeout(resolve, answerDelay(head.query)));
        return { bytes: size };
      },
    ),
  );
  app.put('/late', lateRoute);
  app.any('/*', (res, req) => {
    const url = req.getUrl();
    const method = req.getMethod().toUpperCase();
    const error =
      url === '/cookies'
        ? new GateError('GATE_ERR_METHOD_NOT_ALLOWED', `${method} is not allowed on ${url}`)
        : new GateError('GATE_ERR_NOT_FOUND', `no route ${method} ${url}`);
    sendError(res, { aborted: false, done: false }, error);
  });

  const socket = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
    app.listen('127.0.0.1', 0, (listening) => (listening ? resolve(listening) : reject(new Error('the stand-in cannot listen'))));
  });
  return {
    port: uWS.us_socket_local_port(socket as unknown as uWS.us_socket),
    uploads,
    progress,
    nextWritten: () => new Promise((resolve) => written.push(resolve)),
    nextAbort: () => new Promise((resolve) => aborts.push(resolve)),
    filesWritten: () => readdirSync(fileDir),
    close: () => {
      uWS.us_listen_socket_close(socket);
      rmSync(fileDir, { recursive: true, force: true });
    },
  };
}
