// Writing responses: always corked (one syscall), never after the client went
// away, JSON or MessagePack as the request's `accept` asks.
import { pack as packMsgpack } from 'msgpackr';
import type { GateError } from '../errors/gate-error.js';
import type { HttpResponse } from './http-types.js';

export interface ResponseState {
  aborted: boolean;
  done: boolean;
  /** Called once when the client goes away (a body read in progress settles through it). */
  onAbort?: (() => void) | undefined;
  /** Called once, in the answer's cork before its end: a body read that ended with its socket paused resumes it here. */
  beforeAnswer?: (() => void) | undefined;
}

export function wantsMsgpack(accept: string): boolean {
  return accept.includes('application/msgpack') || accept.includes('application/x-msgpack') || accept.includes('application/vnd.msgpack');
}

const STATUS_TEXT: Record<number, string> = {
  200: '200 OK',
  201: '201 Created',
  202: '202 Accepted',
  204: '204 No Content',
  400: '400 Bad Request',
  401: '401 Unauthorized',
  403: '403 Forbidden',
  404: '404 Not Found',
  405: '405 Method Not Allowed',
  409: '409 Conflict',
  413: '413 Payload Too Large',
  415: '415 Unsupported Media Type',
  426: '426 Upgrade Required',
  429: '429 Too Many Requests',
  431: '431 Request Header Fields Too Large',
  500: '500 Internal Server Error',
  502: '502 Bad Gateway',
  503: '503 Service Unavailable',
};

export function send(
  res: HttpResponse,
  state: ResponseState,
  status: number,
  body: string | Uint8Array,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  if (state.aborted || state.done) return;
  state.done = true;
  const beforeAnswer = state.beforeAnswer;
  state.beforeAnswer = undefined;
  res.cork(() => {
    beforeAnswer?.();
    res.writeStatus(STATUS_TEXT[status] ?? `${status} Status`);
    res.writeHeader('content-type', contentType);
    for (const [name, value] of Object.entries(headers)) res.writeHeader(name, value);
    res.end(body);
  });
}

// API answers are per caller and often per token: no cache or proxy may keep them.
const API_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store' };

export function sendData(res: HttpResponse, state: ResponseState, status: number, data: unknown, accept: string, extraHeaders?: Record<string, string>): void {
  const headers = extraHeaders ? { ...API_HEADERS, ...extraHeaders } : API_HEADERS;
  if (wantsMsgpack(accept)) send(res, state, status, packMsgpack(data), 'application/msgpack', headers);
  else send(res, state, status, JSON.stringify(data), 'application/json', headers);
}

export function sendError(res: HttpResponse, state: ResponseState, error: GateError, accept = ''): void {
  const headers: Record<string, string> = { ...API_HEADERS };
  if (error.status === 503 || error.status === 429) {
    const details = error.details as { retryAfterSeconds?: unknown } | undefined;
    const seconds = typeof details?.retryAfterSeconds === 'number' ? Math.max(1, Math.ceil(details.retryAfterSeconds)) : 1;
    headers['retry-after'] = String(seconds);
  }
  if (wantsMsgpack(accept)) send(res, state, error.status, packMsgpack(error.toBody()), 'application/msgpack', headers);
  else send(res, state, error.status, JSON.stringify(error.toBody()), 'application/json', headers);
}
