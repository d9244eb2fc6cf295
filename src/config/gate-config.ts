// The gate's configuration, read from the environment once at start, validated
// with messages that name the variable and its allowed range, then frozen.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { repoPath } from './repo-root.js';

export interface GateConfig {
  /** HTTP port. Default 8080. */
  readonly port: number;
  /** Interface to listen on. Default 0.0.0.0. */
  readonly host: string;
  /** Redis to use; undefined: start a private redis-server under dataDir. */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key. Default `gate:`. */
  readonly redisPrefix: string;
  /** Pack loaded at start. Default: the demo pack shipped in the repository. */
  readonly packPath: string;
  /** Where the embedded Redis keeps its data. Default ./data. */
  readonly dataDir: string;
  readonly adminToken: string | undefined;
  readonly publisherTokens: readonly string[];
  readonly reviewerTokens: readonly string[];
  /** Largest accepted request body. Default 1 MiB. */
  readonly maxBodyBytes: number;
  /** Deadline of a check when the request names none. Default 20 ms. */
  readonly defaultDeadlineMs: number;
  /** Matching worker threads. Default: the number of cores. */
  readonly workers: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export const DEMO_PACK_PATH = repoPath('src', 'pack', 'demo-pack.json');

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function tokenList(env: NodeJS.ProcessEnv, name: string, problems: string[]): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  const tokens = raw.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
  for (const t of tokens) if (t.length < 16) problems.push(`${name}: every token must be at least 16 characters`);
  return tokens;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): GateConfig {
  const problems: string[] = [];
  const redisUrl = env.REDIS_URL && env.REDIS_URL.trim() !== '' ? env.REDIS_URL.trim() : undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) problems.push(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  const adminToken = env.GATE_ADMIN_TOKEN && env.GATE_ADMIN_TOKEN !== '' ? env.GATE_ADMIN_TOKEN : undefined;
  if (adminToken !== undefined && adminToken.length < 16) problems.push('GATE_ADMIN_TOKEN must be at least 16 characters');
  const config: GateConfig = {
    port: integer(env, 'PORT', 8080, 0, 65535, problems),
    host: env.HOST && env.HOST !== '' ? env.HOST : '0.0.0.0',
    redisUrl,
    redisPrefix: env.GATE_REDIS_PREFIX ?? 'gate:',
    packPath: resolve(env.GATE_PACK && env.GATE_PACK !== '' ? env.GATE_PACK : DEMO_PACK_PATH),
    dataDir: resolve(env.GATE_DATA_DIR && env.GATE_DATA_DIR !== '' ? env.GATE_DATA_DIR : 'data'),
    adminToken,
    publisherTokens: tokenList(env, 'GATE_PUBLISHER_TOKENS', problems),
    reviewerTokens: tokenList(env, 'GATE_REVIEWER_TOKENS', problems),
    maxBodyBytes: integer(env, 'GATE_MAX_BODY_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024, problems),
    defaultDeadlineMs: integer(env, 'GATE_DEFAULT_DEADLINE_MS', 20, 1, 60_000, problems),
    workers: integer(env, 'GATE_WORKERS', Math.max(1, availableParallelism()), 1, 256, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}
