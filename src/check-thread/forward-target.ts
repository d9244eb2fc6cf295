// Where a check thread forwards everything but checks: the main thread's private
// loopback port, reached through one keep-alive agent so a request does not pay
// for a new connection.
import { Agent } from 'node:http';
import { type GateLog, silentLog } from '../observability/gate-logger.js';

export interface ForwardTargetOptions {
  /** The main thread's loopback port (it listens on 127.0.0.1). */
  port: number;
  /** Sent as `x-gate-forward`; the main thread believes `x-gate-peer` only with it. */
  secret: string;
  /** Where failures to reach the main thread are reported. Default: nowhere (the client still gets a 502). */
  log?: GateLog;
}

// uWS closes a connection idle for 10 s; an idle socket is dropped well before, so
// a request is never sent on one the main thread is closing.
const IDLE_SOCKET_MS = 5_000;

export class ForwardTarget {
  readonly port: number;
  readonly secret: string;
  readonly agent: Agent;
  readonly log: GateLog;

  constructor(options: ForwardTargetOptions) {
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65_535) {
      throw new RangeError(`options.port must be an integer from 1 to 65535, not ${String(options.port)}`);
    }
    if (typeof options.secret !== 'string' || !/^[\x21-\x7e]{16,}$/.test(options.secret)) {
      throw new RangeError('options.secret must be at least 16 visible ASCII characters (it is sent as a header)');
    }
    this.port = options.port;
    this.secret = options.secret;
    this.log = options.log ?? silentLog;
    this.agent = new Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  }

  /** Closes every connection to the main thread, idle or in use (for shutdown). */
  close(): void {
    this.agent.destroy();
  }
}
