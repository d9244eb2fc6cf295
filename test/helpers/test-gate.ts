// A gate started in this process for a test: real uWS on a free port, real Redis,
// real pool and addon, with a key prefix of its own.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/gate-config.js';
import { startGate, type RunningGate } from '../../src/app/start-gate.js';
import { type GateLog, messageLog } from '../../src/observability/gate-logger.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const PUBLISHER_TOKEN = 'test-publisher-token-0123456789';
export const REVIEWER_TOKEN = 'test-reviewer-token-0123456789';
/** Gates sharing a prefix are one deployment, whose audit chain has one key (each would make its own in its data directory). */
export const AUDIT_KEY = 'test-audit-key-0123456789abcdef0123456789';

export interface TestGateOptions {
  redisUrl: string;
  /** Share a prefix to make several gates one deployment; default: a fresh one. */
  prefix?: string;
  /** A pack object to start with; default: the demo pack. */
  pack?: unknown;
  publisherTokens?: boolean;
  env?: Record<string, string>;
  /** Receives the gate's log messages (their text; messageLog), or a GateLog of the test's own. */
  log?: ((message: string) => void) | GateLog;
}

export interface TestGate extends RunningGate {
  url: string;
  prefix: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
}

export async function startTestGate(options: TestGateOptions): Promise<TestGate> {
  const prefix = options.prefix ?? `t${randomUUID().slice(0, 8)}:`;
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    REDIS_URL: options.redisUrl,
    GATE_REDIS_PREFIX: prefix,
    GATE_ADMIN_TOKEN: ADMIN_TOKEN,
    GATE_REVIEWER_TOKENS: REVIEWER_TOKEN,
    GATE_WORKERS: '1',
    GATE_DEFAULT_DEADLINE_MS: '2000',
    GATE_DATA_DIR: mkdtempSync(join(tmpdir(), 'gate-data-')),
    GATE_AUDIT_KEY: AUDIT_KEY,
    ...(options.publisherTokens ? { GATE_PUBLISHER_TOKENS: PUBLISHER_TOKEN } : {}),
    // The suite runs with the gate's default (check threads, or the pool); GATE_CHECK_THREADS picks.
    ...(process.env.GATE_CHECK_THREADS ? { GATE_CHECK_THREADS: process.env.GATE_CHECK_THREADS } : {}),
    ...(options.env ?? {}),
  };
  if (options.pack !== undefined) {
    const path = join(mkdtempSync(join(tmpdir(), 'gate-pack-')), 'pack.json');
    writeFileSync(path, JSON.stringify(options.pack));
    env.GATE_PACK = path;
  }
  const gate = await startGate(loadConfig(env), typeof options.log === 'function' ? messageLog(options.log) : options.log);
  const url = `http://127.0.0.1:${gate.port}`;
  return {
    ...gate,
    url,
    prefix,
    post: (path, body, headers = {}) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      }),
    get: (path, headers = {}) => fetch(url + path, { headers }),
  };
}

export function admin(): Record<string, string> {
  return { authorization: `Bearer ${ADMIN_TOKEN}` };
}
