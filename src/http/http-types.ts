import type { HttpRequest, HttpResponse } from '@trufflesuite/uws-js-unofficial';
import { FORWARD_HEADER, PEER_HEADER, type ForwardedHead } from './forwarded-peer.js';

export type { HttpRequest, HttpResponse };

/** What a handler reads from the request before anything asynchronous (uWS frees `req` after the handler returns). */
export interface RequestHead extends ForwardedHead {
  method: string;
  url: string;
  query: string;
  contentType: string;
  contentLength: string;
  accept: string;
  authorization: string;
  deadlineMs: string;
  /** The caller asked for the phases of its request in a Server-Timing header. */
  timing: boolean;
  params: string[];
}

export function readHead(req: HttpRequest, paramCount = 0): RequestHead {
  const params: string[] = [];
  for (let i = 0; i < paramCount; i++) params.push(req.getParameter(i) ?? '');
  return {
    method: req.getMethod(),
    url: req.getUrl(),
    query: req.getQuery() ?? '',
    contentType: req.getHeader('content-type'),
    contentLength: req.getHeader('content-length'),
    accept: req.getHeader('accept'),
    authorization: req.getHeader('authorization'),
    deadlineMs: req.getHeader('x-deadline-ms'),
    timing: req.getHeader('x-gate-timing') !== '',
    gatePeer: req.getHeader(PEER_HEADER),
    gateForward: req.getHeader(FORWARD_HEADER),
    params,
  };
}
