// Collects a request body with a hard size limit. uWS hands chunks that are only
// valid during the callback, so each is copied out: into one buffer sized by
// content-length when the request declares it (one copy, no concatenation), and
// into shared memory when asked (a body bound for another thread). A client that
// goes away mid-body settles the read (issue 30: an unsettled read held its
// admission slot for good).
import { closeSync, openSync, rmSync, write } from 'node:fs';
import { GateError } from '../errors/gate-error.js';
import type { HttpResponse } from './http-types.js';
import type { ResponseState } from './respond.js';
import { sharedBytes } from '../pack/pack-source.js';

export interface ReadBodyOptions {
  limit: number;
  /** Back the body with a SharedArrayBuffer. */
  shared?: boolean;
}

function allocate(size: number, shared: boolean): Uint8Array {
  return shared ? new Uint8Array(new SharedArrayBuffer(size)) : Buffer.allocUnsafe(size);
}

/** Thrown when the client went away before its body was read whole; nobody is left to answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client went away before sending its whole body');
    this.name = 'ClientGoneError';
  }
}

export function readBody(res: HttpResponse, state: ResponseState, contentLength: string, options: ReadBodyOptions): Promise<Uint8Array> {
  if (state.aborted) return Promise.reject(new ClientGoneError());
  const { limit } = options;
  const shared = options.shared ?? false;
  const declared = contentLength === '' ? undefined : Number(contentLength);
  if (declared !== undefined && Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new GateError('GATE_ERR_BODY_TOO_LARGE', `the body is ${declared} bytes; the limit is ${limit}`, { field: 'body' }));
  }
  const sized = declared !== undefined && Number.isSafeInteger(declared) && declared >= 0 ? allocate(declared, shared) : undefined;
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    let failed = false;
    state.onAbort = () => {
      if (failed) return;
      failed = true;
      reject(new ClientGoneError());
    };
    res.onData((chunk, isLast) => {
      if (failed) return;
      const bytes = new Uint8Array(chunk);
      if (size + bytes.byteLength > limit || (sized && size + bytes.byteLength > sized.byteLength)) {
        failed = true;
        reject(new GateError('GATE_ERR_BODY_TOO_LARGE', `the body is over the limit of ${sized ? sized.byteLength : limit} bytes`, { field: 'body' }));
        return;
      }
      if (sized) sized.set(bytes, size);
      else chunks.push(bytes.slice());
      size += bytes.byteLength;
      if (!isLast) return;
      state.onAbort = undefined;
      if (sized) resolve(size === sized.byteLength ? sized : sized.subarray(0, size));
      else if (shared) resolve(sharedBytes(chunks));
      else resolve(chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, size));
    });
  });
}

/**
 * Writes a request body to `path` (mode 0600) as it arrives, pausing the socket
 * while a write is in flight: an upload of hundreds of megabytes never sits in
 * the gate's memory. The file is removed if the body is refused or the client
 * goes away. Resolves with the body's size.
 *
 * uWS disarms its 10 s idle timer at a body's end and arms it again on every
 * resume(): a socket that was paused when the end arrived is resumed only as the
 * answer is written (`state.beforeAnswer`), or an answer that takes longer (a
 * 150 MB pack's validation on a busy machine) finds the connection closed.
 */
export function readBodyToFile(res: HttpResponse, state: ResponseState, path: string, limit: number): Promise<number> {
  if (state.aborted) return Promise.reject(new ClientGoneError());
  return new Promise((resolve, reject) => {
    let size = 0;
    let failed = false;
    let ended = false;
    const queue: Buffer[] = [];
    let writing = false;
    const handle = openSync(path, 'w', 0o600);
    let closed = false;
    let paused = false;
    // A socket left paused would never read the connection's next request: resumed before the answer.
    const resume = (): void => {
      if (!paused || state.aborted) return;
      paused = false;
      res.resume();
    };
    // Once the body has ended, resuming waits for the answer (see above).
    const unpause = (): void => {
      if (ended) state.beforeAnswer = resume;
      else resume();
    };
    const close = (): void => {
      if (closed) return;
      closed = true;
      closeSync(handle);
    };
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      queue.length = 0;
      unpause();
      if (!writing) {
        close();
        rmSync(path, { force: true });
      }
      reject(error);
    };
    const pump = (): void => {
      if (writing) return;
      const chunk = queue.shift();
      if (!chunk) {
        unpause();
        if (ended) {
          close();
          resolve(size);
        }
        return;
      }
      writing = true;
      write(handle, chunk, 0, chunk.length, null, (error) => {
        writing = false;
        if (failed) {
          close();
          rmSync(path, { force: true });
          return;
        }
        if (error) fail(error);
        else pump();
      });
    };
    state.onAbort = () => fail(new ClientGoneError());
    res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        fail(new GateError('GATE_ERR_BODY_TOO_LARGE', `the body is over the limit of ${limit} bytes`, { field: 'body' }));
        return;
      }
      queue.push(Buffer.from(chunk.slice(0)));
      if (isLast) {
        ended = true;
        state.onAbort = undefined;
      } else if (!paused) {
        paused = true;
        res.pause();
      }
      pump();
    });
  });
}
