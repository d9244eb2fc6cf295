// The gate's log: pino, one JSON object a line on process.stdout (level, time, name,
// msg, context fields), the lowest level from GATE_LOG_LEVEL. Synchronous and without
// a pino transport, which would be one more thread on the cores the check threads use.
// Code logs through GateLog, so tests pass silentLog or messageLog(...).
import { pino, type DestinationStream, type Logger } from 'pino';

export type LogFields = Record<string, unknown>;

export interface GateLog {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same log with `fields` on every line (a check thread's `thread`, a worker's name). */
  child(fields: LogFields): GateLog;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
type PinoLevel = (typeof LEVELS)[number];

/** GATE_LOG_LEVEL, or `info`; anything else is refused with the variable named. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): PinoLevel {
  const raw = env.GATE_LOG_LEVEL?.trim().toLowerCase();
  if (raw === undefined || raw === '') return 'info';
  if (!(LEVELS as readonly string[]).includes(raw)) {
    throw new Error(`GATE_LOG_LEVEL must be one of ${LEVELS.join(', ')} (got "${env.GATE_LOG_LEVEL}")`);
  }
  return raw as PinoLevel;
}

// Secret-bearing fields, should any object holding them be logged: request
// headers, the configuration's tokens and keys (src/config/gate-config.ts), the
// webhook and forward secrets, and the environment variables they come from.
const SECRET_KEYS = [
  'authorization',
  'cookie',
  'token',
  'tokens',
  'secret',
  'password',
  'adminToken',
  'publisherTokens',
  'reviewerTokens',
  'rightsHolderTokens',
  'metricsToken',
  'webhookSecret',
  'forwardSecret',
  'redisUrl',
  'key',
  'GATE_ADMIN_TOKEN',
  'GATE_PUBLISHER_TOKENS',
  'GATE_REVIEWER_TOKENS',
  'GATE_RIGHTS_HOLDER_TOKENS',
  'GATE_METRICS_TOKEN',
  'GATE_WEBHOOK_SECRET',
  'GATE_AUDIT_KEY',
  'GATE_REDIS_TLS_KEY',
  'REDIS_URL',
];

/** Redacted at the top, one and two levels down (`headers.authorization`, `config.audit.key`). */
export const REDACTED_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface GateLoggerOptions {
  /** Names the process on every line: `gate`, `supervisor`, `bank-build`, `pack-build`. */
  name: string;
  /** Default: GATE_LOG_LEVEL, else info. */
  level?: PinoLevel;
  /** Default process.stdout; tests pass a stream they read. */
  destination?: DestinationStream;
}

export function createGateLogger(options: GateLoggerOptions): GateLog {
  const logger = pino(
    {
      name: options.name,
      level: options.level ?? logLevelFromEnv(),
      timestamp: pino.stdTimeFunctions.isoTime,
      base: { pid: process.pid },
      redact: { paths: [...REDACTED_PATHS] },
    },
    options.destination ?? process.stdout,
  );
  return fromPino(logger);
}

function fromPino(logger: Logger): GateLog {
  return {
    debug: (message, fields) => (fields ? logger.debug(fields, message) : logger.debug(message)),
    info: (message, fields) => (fields ? logger.info(fields, message) : logger.info(message)),
    warn: (message, fields) => (fields ? logger.warn(fields, message) : logger.warn(message)),
    error: (message, fields) => (fields ? logger.error(fields, message) : logger.error(message)),
    child: (fields) => fromPino(logger.child(fields)),
  };
}

/** A log that writes nothing. */
export const silentLog: GateLog = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLog,
};

/** A log that hands each message (not its fields) to `write`, for tests that look for a line. */
export function messageLog(write: (message: string, level: LogLevel, fields: LogFields) => void, bound: LogFields = {}): GateLog {
  return {
    debug: (message, fields) => write(message, 'debug', { ...bound, ...fields }),
    info: (message, fields) => write(message, 'info', { ...bound, ...fields }),
    warn: (message, fields) => write(message, 'warn', { ...bound, ...fields }),
    error: (message, fields) => write(message, 'error', { ...bound, ...fields }),
    child: (fields) => messageLog(write, { ...bound, ...fields }),
  };
}
