// GET /v1/check/stream (contract section 6): the WebSocket route of the check
// socket, on whichever uWS App takes checks (a check thread's, or the event
// loop's with GATE_CHECK_THREADS=0). The upgrade request is authenticated as
// POST /v1/check is, and refused with its coded error before any upgrade.
import uWS from '@trufflesuite/uws-js-unofficial';
import { requireRole, type RoleCheck } from '../auth/require-role.js';
import { GateError } from '../errors/gate-error.js';
import { readHead, type HttpRequest, type HttpResponse } from '../http/http-types.js';
import { sendError } from '../http/respond.js';
import type { RouteRegistrar } from '../http/route-table.js';
import { remoteAddress } from '../http/route-handler.js';
import { StreamConnection, type StreamConnectionParts } from './stream-connection.js';

export const STREAM_PATH = '/v1/check/stream';

/** Of a drain's time, what is kept after the sockets refuse what they still hold, to write that out and close. */
export const DRAIN_ANSWER_MARGIN_MS = 1000;

/** Room for the message around its listing (`seq`, `deadlineMs`, the keys). */
const ENVELOPE_BYTES = 1024;

/** What each connection takes (its `draining` comes from the route), and what the route itself needs. */
export interface CheckStreamParts extends Omit<StreamConnectionParts, 'draining' | 'allQueued'> {
  /** A listing's largest body (GATE_MAX_BODY_BYTES); a larger message closes the connection (uWS: 1009). */
  maxBodyBytes: number;
  /**
   * From the upgrade request's headers: true lets it become a socket; false means
   * it was answered already (refused, or forwarded to the event loop).
   */
  admitUpgrade: (res: HttpResponse, req: HttpRequest) => boolean;
}

export interface CheckStreamRoute {
  /** Refuses new connections and messages; ends each connection (1001) once what it had sent is answered and written out. */
  drain(): void;
  /** The drain's time is up: each connection refuses what it still holds and ends (1001). */
  abandon(): void;
  /** Connections open: draining waits for none. */
  readonly connections: number;
}

interface SocketData {
  connection?: StreamConnection;
}

export function registerCheckStream(app: RouteRegistrar, parts: CheckStreamParts): CheckStreamRoute {
  const connections = new Set<StreamConnection>();
  let draining = false;
  const connectionParts = { ...parts, draining: () => draining, allQueued: { bytes: 0 } };
  const { limits } = parts;
  app.ws<SocketData>(STREAM_PATH, {
    compression: uWS.DISABLED,
    maxPayloadLength: parts.maxBodyBytes + ENVELOPE_BYTES,
    // The connection stops starting checks past bufferedBytes; what is in flight then
    // may still add its answers. uWS drops a send past maxBackpressure, which the
    // connection turns into a close (1011), never a silent loss.
    maxBackpressure: limits.bufferedBytes + limits.inFlight * 256 * 1024,
    closeOnBackpressureLimit: 0, // typed as a number in this build; 0: false
    idleTimeout: 120,
    sendPingsAutomatically: true,
    upgrade: (res, req, context) => {
      if (draining) {
        sendError(res, { aborted: false, done: false }, new GateError('GATE_ERR_OVERLOADED', 'the gate is shutting down'), req.getHeader('accept'));
        return;
      }
      if (!parts.admitUpgrade(res, req)) return;
      if (connections.size >= limits.connections) {
        const full = new GateError(
          'GATE_ERR_OVERLOADED',
          `this instance holds ${limits.connections} check sockets; retry after the retry-after delay, or use another instance`,
        );
        parts.counters.upgradeRefused();
        sendError(res, { aborted: false, done: false }, full, req.getHeader('accept'));
        return;
      }
      res.upgrade<SocketData>(
        {},
        req.getHeader('sec-websocket-key'),
        req.getHeader('sec-websocket-protocol'),
        req.getHeader('sec-websocket-extensions'),
        context,
      );
    },
    open: (ws) => {
      const connection = new StreamConnection(ws, connectionParts);
      ws.getUserData().connection = connection;
      connections.add(connection);
      parts.counters.opened();
      connection.closeWhenDone(); // upgraded just as the drain began
    },
    message: (ws, message, isBinary) => ws.getUserData().connection?.receive(message, isBinary),
    drain: (ws) => ws.getUserData().connection?.drained(),
    close: (ws, code) => {
      const { connection } = ws.getUserData();
      if (!connection) return;
      connection.closed(code);
      connections.delete(connection);
    },
  });
  return {
    drain: () => {
      draining = true;
      for (const connection of connections) connection.closeWhenDone();
    },
    abandon: () => {
      for (const connection of connections) connection.abandon();
    },
    get connections() {
      return connections.size;
    },
  };
}

export interface UpgradeAuth {
  roleCheck: RoleCheck;
  /** False while no publisher token is configured: the socket is open to all, as POST /v1/check is. */
  enforced: () => boolean;
  forwardSecret: string | undefined;
  httpErrors: { inc(labels: Record<string, string>): void };
  toGateError: (error: unknown) => GateError;
}

/** Checks the upgrade request's bearer token as POST /v1/check's; refuses it with the coded error (401, 403, 429). */
export function authorizeUpgrade(auth: UpgradeAuth, res: HttpResponse, req: HttpRequest): boolean {
  if (!auth.enforced()) return true;
  const head = readHead(req);
  try {
    requireRole(auth.roleCheck, head.authorization, ['publisher'], 'check-stream', () => remoteAddress(res, head, auth.forwardSecret));
    return true;
  } catch (error) {
    const gateError = auth.toGateError(error);
    auth.httpErrors.inc({ code: gateError.code });
    sendError(res, { aborted: false, done: false }, gateError, head.accept);
    return false;
  }
}
