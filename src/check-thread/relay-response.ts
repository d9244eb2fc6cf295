// Writes the main thread's answer to the client as it arrives, never holding more
// than one chunk: the answer is paused while uWS cannot take more. An answer that
// breaks off closes the client's connection, so a cut body never looks complete.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { HttpResponse } from '../http/http-types.js';
import type { ResponseState } from '../http/respond.js';
import { downstreamHeaders } from './forward-headers.js';

export interface RelayOptions {
  /** The client asked with HEAD: the answer has no body, its length is still told. */
  headRequest: boolean;
  /** Called just before the write that completes the answer (uWS forbids touching `res` after it). */
  beforeEnd: () => void;
}

function declaredLength(answer: IncomingMessage): number | undefined {
  const raw = answer.headers['content-length'];
  if (raw === undefined) return undefined;
  const length = Number(raw);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

export function relayResponse(res: HttpResponse, state: ResponseState, answer: IncomingMessage, options: RelayOptions): void {
  const status = answer.statusCode ?? 502;
  const total = declaredLength(answer);
  answer.on('error', () => undefined); // its 'close' below says whether it completed
  answer.on('close', () => {
    if (answer.complete || state.aborted || state.done) return;
    state.done = true;
    res.close();
  });
  res.cork(() => {
    res.writeStatus(`${status} ${answer.statusMessage || (STATUS_CODES[status] ?? '')}`);
    for (const [name, value] of downstreamHeaders(answer.rawHeaders)) res.writeHeader(name, value);
    if (options.headRequest || status === 204 || status === 304) {
      options.beforeEnd();
      state.done = true;
      // This build's endWithoutBody(length) waits for that many body bytes: the length goes in as a header instead.
      if (options.headRequest && total !== undefined) res.writeHeader('content-length', String(total));
      res.endWithoutBody();
    } else if (total === 0) {
      options.beforeEnd();
      state.done = true;
      res.end();
    }
  });
  if (state.done) answer.resume();
  else if (total !== undefined) relaySized(res, state, answer, total, options.beforeEnd);
  else relayChunked(res, state, answer, options.beforeEnd);
}

/** A declared length: uWS's tryEnd writes what the socket takes and says where it stopped. */
function relaySized(res: HttpResponse, state: ResponseState, answer: IncomingMessage, total: number, beforeEnd: () => void): void {
  let pending: { chunk: Buffer; offset: number } | undefined;
  const offer = (chunk: Buffer, offset: number): boolean => {
    if (offset + chunk.length >= total) beforeEnd();
    const [ok, finished] = res.tryEnd(chunk, total);
    if (finished) state.done = true;
    else if (!ok) pending = { chunk, offset };
    return ok;
  };
  res.onWritable((offset) => {
    if (!pending || state.aborted) return true;
    const { chunk, offset: start } = pending;
    pending = undefined;
    const ok = offer(chunk.subarray(offset - start), offset);
    if (ok && !state.done) answer.resume();
    return ok;
  });
  answer.on('data', (chunk: Buffer) => {
    if (state.aborted || state.done) return;
    res.cork(() => {
      if (!offer(chunk, res.getWriteOffset())) answer.pause();
    });
  });
}

// uWS's write() keeps what the socket did not take and sends it with the next write
// or the end; a chunked answer that goes quiet leaves it waiting until then. The
// gate's own answers always declare their length (uWS's end() does).
function relayChunked(res: HttpResponse, state: ResponseState, answer: IncomingMessage, beforeEnd: () => void): void {
  let blocked = false;
  res.onWritable(() => {
    if (blocked && !state.aborted) {
      blocked = false;
      answer.resume();
    }
    return true;
  });
  answer.on('data', (chunk: Buffer) => {
    if (state.aborted || state.done) return;
    res.cork(() => {
      if (res.write(chunk)) return;
      blocked = true;
      answer.pause();
    });
  });
  answer.on('end', () => {
    if (state.aborted || state.done) return;
    beforeEnd();
    state.done = true;
    res.cork(() => res.end());
  });
}
