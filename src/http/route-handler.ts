// Wraps an async handler for uWS: reads the request head before anything
// asynchronous, registers onAborted first, decides from the headers alone who may
// call and whether the body may be that large, reads and decodes the body when
// asked, and turns every failure into an error response with a code. Whatever
// way a request ends, it gives back its admission slot.
import { requireRole, type RoleCheck } from '../auth/require-role.js';
import type { Principal, Role } from '../auth/token-registry.js';
import { GateError } from '../errors/gate-error.js';
import { PackInvalidError } from '../pack/pack-invalid-error.js';
import { bodyFormat, decodeBody, type BodyFormat } from './decode-body.js';
import type { PackFile, PackSource } from '../pack/pack-source.js';
import { forwardedPeer, socketPeer } from './forwarded-peer.js';
import { readHead, type HttpRequest, type HttpResponse, type RequestHead } from './http-types.js';
import { checkJsonDepth } from './json-depth.js';
import { ClientGoneError, readBody, readBodyToFile } from './read-body.js';
import { rm } from 'node:fs/promises';
import { sendData, sendError, type ResponseState } from './respond.js';
import { ServerTiming } from '../observability/server-timing.js';
import type { GateLog, LogFields } from '../observability/gate-logger.js';

export interface HandlerContext {
  head: RequestHead;
  res: HttpResponse;
  state: ResponseState;
  /** Decoded body, when the route reads one (with `undecodedBody`, a PackSource: the bytes and their format). */
  body: unknown;
  /** performance.now() when the request arrived. */
  startedAt: number;
  /** Who called, when the route names roles (undefined on a route open to all). */
  principal: Principal | undefined;
  /** The request's phases, when the caller asked for them (`x-gate-timing`); sent with a 200 answer. */
  timing: ServerTiming | undefined;
}

/** A handler returns data to send as 200, or sends by itself and returns undefined. */
export type Handler = (ctx: HandlerContext) => Promise<unknown> | unknown;

export interface RouteAuth {
  roles: readonly Role[];
  /** Names the route in the failure counter and the log. */
  name: string;
  /** The route is open to all while this answers false (checks with no publisher token configured). */
  enforced?: () => boolean;
}

export interface RouteOptions {
  paramCount?: number;
  /** Who may call, checked from the headers before the body is read. */
  auth?: RouteAuth;
  roleCheck: RoleCheck;
  readsBody?: boolean;
  /**
   * Called before the body is read: throwing refuses the request without reading or
   * decoding it (load shedding); what it returns is called once the request is answered.
   */
  admit?: (head: RequestHead) => () => void;
  /** Hand the handler the body's bytes in shared memory, undecoded, with their format (a pack is decoded off the event loop). */
  undecodedBody?: boolean;
  /** Write the body to a file at the path this gives, as it arrives; the handler gets a PackFile (the file is the handler's from then on). */
  bodyToFile?: () => string;
  /**
   * Bodies of these media types (an NDJSON upload) are written to a file at the
   * path `path` gives as they arrive, up to `maxBytes`, and the handler gets an
   * UploadedFile (the file is the handler's from then on); other bodies are read
   * as the route's other options say.
   */
  upload?: { mediaTypes: readonly string[]; path: () => string; maxBytes: number };
  maxBodyBytes: number;
  /** A code's error counter (a cached child: refusals come by the thousand under overload), and the refusals' histogram. */
  metrics: { httpErrorsBy: (code: string) => { inc(): void }; refusalSeconds: { observe(value: number): void } };
  log: GateLog;
  /** Awaited before the handler runs: what must have arrived before any answer (the check threads' outcomes). */
  settle?: (() => Promise<void>) | undefined;
  /** Counts requests in flight, for draining on SIGTERM. */
  inFlight: { count: number };
  /** The process's forward secret: with it, a check thread's `x-gate-peer` names the caller. Default: unset, the socket's address is the caller's. */
  forwardSecret?: string | undefined;
}

/** A body written to a file as it arrived (RouteOptions.upload); a class, so that no decoded body can pass for one. */
export class UploadedFile {
  constructor(
    readonly file: string,
    readonly size: number,
    /** Its media type, lower case, without parameters. */
    readonly mediaType: string,
  ) {}
}

function mediaTypeOf(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

/** ioredis's ways of saying Redis cannot be reached right now (no offline queue, timeouts, retries spent). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'MaxRetriesPerRequestError' ||
    /Stream isn't writeable|Connection is closed|Command timed out|connect ECONNREFUSED|LOADING/.test(error.message)
  );
}

/** The error to answer with; a Redis outage is logged as a warning, anything unexpected as an error with its stack. */
export function toGateError(error: unknown, log: GateLog, fields?: LogFields): GateError {
  if (error instanceof GateError) return error;
  if (isRedisUnavailable(error)) {
    log.warn(`Redis unavailable: ${(error as Error).message}`, fields);
    return new GateError('GATE_ERR_NOT_READY', 'Redis is unavailable; nothing was changed, retry after the retry-after delay');
  }
  if (error instanceof PackInvalidError) return error.toGateError();
  log.error(`internal error: ${error instanceof Error ? error.message : String(error)}`, { ...fields, err: error });
  return new GateError('GATE_ERR_INTERNAL', 'internal error');
}

/** The caller's address: the socket's, or with the forward secret the one a check thread names. */
export function remoteAddress(res: HttpResponse, head: RequestHead, forwardSecret: string | undefined): string {
  if (forwardSecret === undefined) return Buffer.from(res.getRemoteAddressAsText()).toString();
  return forwardedPeer(head, socketPeer(res), forwardSecret);
}

/** A path parameter that is not valid percent-encoded UTF-8 is the caller's error, not a 500. */
function checkPathParam(raw: string): void {
  if (!raw.includes('%')) return;
  try {
    decodeURIComponent(raw);
  } catch {
    throw new GateError('GATE_ERR_INVALID_FIELD', `the path holds "${raw}", which is not valid percent-encoded UTF-8`, { field: 'path' });
  }
}

/** The declared body size, refused at once when over the route's limit. */
function checkDeclaredSize(contentLength: string, limit: number): void {
  if (contentLength === '') return;
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > limit) {
    throw new GateError('GATE_ERR_BODY_TOO_LARGE', `the body is ${declared} bytes; the limit is ${limit}`, { field: 'body' });
  }
}

export function route(options: RouteOptions, handler: Handler): (res: HttpResponse, req: HttpRequest) => void {
  const { auth } = options;
  return (res, req) => {
    const startedAt = performance.now();
    const head = readHead(req, options.paramCount ?? 0);
    const state: ResponseState = { aborted: false, done: false };
    res.onAborted(() => {
      state.aborted = true;
      const onAbort = state.onAbort;
      state.onAbort = undefined;
      onAbort?.();
    });
    options.inFlight.count++;
    let release: (() => void) | undefined;
    let principal: Principal | undefined;
    let format: BodyFormat = 'json';
    const upload = options.readsBody && options.upload?.mediaTypes.includes(mediaTypeOf(head.contentType)) ? options.upload : undefined;
    const fail = (error: unknown): void => {
      if (error instanceof ClientGoneError) return;
      // A GateError (a refusal, a bad request) is answered as it is: no log, nothing allocated for one.
      const gateError = error instanceof GateError ? error : toGateError(error, options.log, auth ? { route: auth.name } : undefined);
      options.metrics.httpErrorsBy(gateError.code).inc();
      sendError(res, state, gateError, head.accept);
      if (gateError.code === 'GATE_ERR_OVERLOADED') options.metrics.refusalSeconds.observe((performance.now() - startedAt) / 1000);
    };
    const done = (): void => {
      release?.();
      options.inFlight.count--;
    };
    // Everything the headers decide is decided here, before the body's first byte.
    try {
      for (const param of head.params) checkPathParam(param);
      if (auth && (auth.enforced?.() ?? true))
        principal = requireRole(options.roleCheck, head.authorization, auth.roles, auth.name, () => remoteAddress(res, head, options.forwardSecret));
      if (upload) checkDeclaredSize(head.contentLength, upload.maxBytes);
      else if (options.readsBody) {
        format = bodyFormat(head.contentType);
        checkDeclaredSize(head.contentLength, options.maxBodyBytes);
      }
      release = options.admit?.(head);
    } catch (error) {
      fail(error);
      done();
      return;
    }
    const run = async (): Promise<void> => {
      let body: unknown;
      if (upload) {
        const file = upload.path();
        const size = await readBodyToFile(res, state, file, upload.maxBytes);
        if (size === 0) {
          await rm(file, { force: true });
          throw new GateError('GATE_ERR_EMPTY_BODY', 'the request has no body', { field: 'body' });
        }
        body = new UploadedFile(file, size, mediaTypeOf(head.contentType));
      } else if (options.readsBody && options.bodyToFile) {
        const file = options.bodyToFile();
        const size = await readBodyToFile(res, state, file, options.maxBodyBytes);
        if (size === 0) {
          await rm(file, { force: true });
          throw new GateError('GATE_ERR_EMPTY_BODY', 'the request has no body', { field: 'body' });
        }
        body = { file, size, format } satisfies PackFile;
      } else if (options.readsBody) {
        const bytes = await readBody(res, state, head.contentLength, { limit: options.maxBodyBytes, shared: options.undecodedBody ?? false });
        if (!options.undecodedBody) {
          if (format === 'json') checkJsonDepth(bytes);
          body = decodeBody(bytes, format);
        } else if (bytes.byteLength === 0) throw new GateError('GATE_ERR_EMPTY_BODY', 'the request has no body', { field: 'body' });
        else body = { bytes, format } satisfies PackSource;
      }
      const timing = head.timing ? new ServerTiming(startedAt) : undefined;
      timing?.mark('read');
      if (options.settle) await options.settle();
      const result = await handler({ head, res, state, body, startedAt, principal, timing });
      if (result !== undefined) sendData(res, state, 200, result, head.accept, timing ? { 'server-timing': timing.header() } : undefined);
    };
    run().catch(fail).finally(done);
  };
}
