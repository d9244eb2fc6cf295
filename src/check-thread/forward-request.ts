// Passes a request a check thread does not decide itself to the main thread and
// relays the answer. The body is streamed, never held: the client's socket is
// paused while the connection to the main thread cannot take more, so an upload of
// hundreds of megabytes costs a chunk or two of memory.
import { request, type ClientRequest } from 'node:http';
import { GateError } from '../errors/gate-error.js';
import type { HttpRequest, HttpResponse } from '../http/http-types.js';
import { sendError, type ResponseState } from '../http/respond.js';
import { upstreamHeaders } from './forward-headers.js';
import type { ForwardTarget } from './forward-target.js';
import { relayResponse } from './relay-response.js';

/** A uWS handler body: call it from `app.any(...)` and return; it answers on its own. */
export function forwardRequest(res: HttpResponse, req: HttpRequest, target: ForwardTarget, onDone: () => void = () => undefined): void {
  const state: ResponseState = { aborted: false, done: false };
  let upstream: ClientRequest | undefined;
  let over = false;
  /** Once, when the exchange with the main thread is over (answered, failed or abandoned): draining waits for it. */
  const end = (): void => {
    if (over) return;
    over = true;
    onDone();
  };
  res.onAborted(() => {
    state.aborted = true;
    upstream?.destroy();
    end();
  });
  // uWS frees `req` when this handler returns: everything is read now.
  // This build's getCaseSensitiveMethod() lower-cases too; methods are upper-case tokens in practice.
  const method = req.getMethod().toUpperCase();
  const url = req.getUrl();
  const query = req.getQuery() ?? '';
  const path = query === '' ? url : `${url}?${query}`;
  const incoming: Array<[string, string]> = [];
  req.forEach((name, value) => incoming.push([name, value]));
  const accept = req.getHeader('accept');
  const peer = Buffer.from(res.getRemoteAddressAsText()).toString();
  try {
    upstream = request({ host: '127.0.0.1', port: target.port, method, path, agent: target.agent, headers: upstreamHeaders(incoming, peer, target.secret) });
  } catch (error) {
    // node:http will not send a path or header value it finds malformed (ERR_UNESCAPED_CHARACTERS, ERR_INVALID_CHAR).
    sendError(
      res,
      state,
      new GateError('GATE_ERR_INVALID_FIELD', `the request cannot be passed on: ${(error as Error).message}`, { field: 'headers' }),
      accept,
    );
    end();
    return;
  }
  const client = upstream;

  let paused = false;
  // A socket left paused would never read the rest of the body or the connection's
  // next request; once answered it cannot be resumed (uWS forbids touching `res`).
  // Not at the body's end either: uWS disarms its 10 s idle timer there and resume()
  // arms it again, cutting off an answer that takes longer. So a socket paused when
  // the end arrived is resumed just before the answer's end (or the 502).
  const unpause = (): void => {
    if (!paused || state.aborted || state.done) return;
    paused = false;
    res.resume();
  };
  client.on('drain', unpause);
  res.onData((chunk, isLast) => {
    // The client was answered before its body ended (a refusal from the headers alone):
    // the rest is read and dropped, and the main thread need not wait for it.
    if (state.done && !client.writableEnded) client.destroy();
    if (client.destroyed || client.writableEnded) return;
    const bytes = Buffer.from(new Uint8Array(chunk)); // a copy: uWS reuses the chunk's memory once this returns
    if (isLast) client.end(bytes);
    else if (!client.write(bytes) && !paused) {
      paused = true;
      res.pause();
    }
  });

  let answered = false;
  const fail = (reason: string): void => {
    unpause();
    if (answered || state.aborted || state.done) return;
    target.log.warn(`forwarding ${method} ${url} to the main thread failed: ${reason}`); // the query may hold what a log should not
    sendError(res, state, new GateError('GATE_ERR_FORWARD_FAILED', 'the gate could not pass this request on to the part that answers it'), accept);
  };
  client.on('response', (answer) => {
    answered = true;
    if (state.aborted) answer.destroy();
    else relayResponse(res, state, answer, { headRequest: method === 'HEAD', beforeEnd: unpause });
  });
  client.on('error', (error) => fail(error.message));
  client.on('close', () => {
    fail('the connection closed before an answer');
    end();
  });
}
