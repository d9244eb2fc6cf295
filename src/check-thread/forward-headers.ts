// Which headers cross the hop from a check thread to the main thread, and back.
// Hop-by-hop headers describe one connection, not the message (RFC 9110 section
// 7.6.1), so neither side's are passed on; each side frames its own body.
import type { OutgoingHttpHeaders } from 'node:http';
import { FORWARD_HEADER, PEER_HEADER } from '../http/forwarded-peer.js';

const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

/** Names a `connection` header lists are hop-by-hop for that message too. */
function connectionOptions(values: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const value of values) for (const name of value.split(',')) names.add(name.trim().toLowerCase());
  return names;
}

function isHopByHop(name: string, listed: ReadonlySet<string>): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || listed.has(name);
}

/**
 * The headers of the request to the main thread: the client's, minus hop-by-hop ones,
 * `expect` (this hop answers 100-continue itself) and any peer or forward header the
 * client sent, plus ours. `incoming` holds lower-case names, repeated names repeated.
 */
export function upstreamHeaders(incoming: ReadonlyArray<readonly [string, string]>, peer: string, secret: string): OutgoingHttpHeaders {
  const listed = connectionOptions(incoming.filter(([name]) => name === 'connection').map(([, value]) => value));
  const headers: Record<string, string | string[]> = {};
  let chunked = false;
  for (const [name, value] of incoming) {
    if (name === 'transfer-encoding') chunked = true;
    if (isHopByHop(name, listed) || name === 'expect' || name === PEER_HEADER || name === FORWARD_HEADER) continue;
    const seen = headers[name];
    if (seen === undefined) headers[name] = value;
    else if (Array.isArray(seen)) seen.push(value);
    else headers[name] = [seen, value];
  }
  // A body of unknown length is sent chunked on this hop too (node:http would not, for a GET or DELETE).
  if (chunked && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  headers[PEER_HEADER] = peer;
  headers[FORWARD_HEADER] = secret;
  return headers;
}

/** Headers uWS writes on every answer itself: passing the main thread's on would repeat them. */
const WRITTEN_BY_UWS: ReadonlySet<string> = new Set(['content-length', 'date', 'uwebsockets']);

/** The main thread's answer headers, as [name, value] pairs in order (set-cookie and other repeats kept), for the client. */
export function downstreamHeaders(rawHeaders: readonly string[]): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) pairs.push([(rawHeaders[i] as string).toLowerCase(), rawHeaders[i + 1] as string]);
  const listed = connectionOptions(pairs.filter(([name]) => name === 'connection').map(([, value]) => value));
  return pairs.filter(([name]) => !isHopByHop(name, listed) && !WRITTEN_BY_UWS.has(name));
}
