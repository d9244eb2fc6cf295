// Collects a request body with a hard size limit. uWS hands chunks that are only
// valid during the callback, so each is copied out: into one buffer sized by
// content-length when the request declares it (one copy, no concatenation), and
// into shared memory when asked (a body bound for another thread). A client that
// goes away mid-body settles the read (issue 30: an unsettled read held its
// admission slot for good).
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
