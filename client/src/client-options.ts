// The client's options, each checked once with a message that names it, then
// frozen (as the gate's own config is).
import type { WireFormat } from './wire-format.js';

/** The longest deadline the gate takes (`x-deadline-ms`, a socket message's `deadlineMs`). */
export const MAX_DEADLINE_MS = 60_000;

export interface GateClientOptions {
  /** The gate's address, e.g. `http://127.0.0.1:8080` (http or https; a path prefix is kept). */
  baseUrl: string;
  /** A publisher token, sent as `authorization: Bearer …`. Default: none (a gate without `GATE_PUBLISHER_TOKENS` needs none). */
  token?: string;
  /** Each check's deadline in ms, 1 to 60,000, sent as `x-deadline-ms`. Default: none sent, the gate's `GATE_DEFAULT_DEADLINE_MS` applies and the client waits as long as it takes. */
  deadlineMs?: number;
  /** The encoding of requests and answers. Default `'json'`. */
  format?: WireFormat;
  /** How many times a check refused with 429 or 503 and a `retry-after` is sent again: after that delay (and up to a tenth more, spreading the callers one overload refused), and only if the delay ends before the deadline. Default 2. */
  retries?: number;
  /** How long past its deadline a check waits for the answer before failing with `CLIENT_ERR_TIMEOUT` (the gate answers before the deadline; this covers the network). Default 500. */
  graceMs?: number;
  /** The `fetch` to call. Default: `globalThis.fetch`. */
  fetch?: typeof fetch;
}

export interface ResolvedOptions {
  /** Without a trailing slash. */
  baseUrl: string;
  token: string | undefined;
  deadlineMs: number | undefined;
  format: WireFormat;
  retries: number;
  graceMs: number;
  fetch: typeof fetch;
}

export function checkDeadline(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_DEADLINE_MS) {
    throw new RangeError(`${name} must be a number of milliseconds from 1 to ${MAX_DEADLINE_MS}`);
  }
  return value;
}

export function checkFormat(name: string, value: unknown): WireFormat {
  if (value !== 'json' && value !== 'msgpack') throw new TypeError(`${name} must be 'json' or 'msgpack'`);
  return value;
}

function nonNegativeInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer`);
  return value;
}

export function resolveOptions(options: GateClientOptions): Readonly<ResolvedOptions> {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new TypeError(`options.baseUrl must be an absolute http or https URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`options.baseUrl must be an http or https URL, got ${url.protocol}`);
  if (url.search !== '' || url.hash !== '') throw new TypeError('options.baseUrl must have no query or fragment');
  if (options.token !== undefined && (typeof options.token !== 'string' || options.token === '' || /[\r\n]/.test(options.token))) {
    throw new TypeError('options.token must be a non-empty string on one line');
  }
  const fetchFunction = options.fetch ?? globalThis.fetch;
  if (typeof fetchFunction !== 'function') throw new TypeError('options.fetch must be a function (Node.js 20 has a global fetch)');
  return Object.freeze({
    baseUrl: url.href.replace(/\/+$/, ''),
    token: options.token,
    deadlineMs: options.deadlineMs === undefined ? undefined : checkDeadline('options.deadlineMs', options.deadlineMs),
    format: options.format === undefined ? 'json' : checkFormat('options.format', options.format),
    retries: options.retries === undefined ? 2 : nonNegativeInteger('options.retries', options.retries),
    graceMs: options.graceMs === undefined ? 500 : nonNegativeInteger('options.graceMs', options.graceMs),
    fetch: fetchFunction,
  });
}
