// The gate's real logger (pino, redaction and all) writing into memory: each line
// it wrote, as text and parsed.
import { createGateLogger, type GateLog } from '../../src/observability/gate-logger.js';

export interface LogRecord {
  level: number;
  time: string;
  msg: string;
  name: string;
  [field: string]: unknown;
}

export interface CapturedLog {
  log: GateLog;
  /** Everything written, as written. */
  text(): string;
  /** Each line parsed; a line that is not JSON fails the parse. */
  records(): LogRecord[];
}

export function capturedLog(level: 'debug' | 'info' | 'warn' | 'error' = 'debug'): CapturedLog {
  const chunks: string[] = [];
  const log = createGateLogger({ name: 'gate', level, destination: { write: (chunk: string) => void chunks.push(chunk) } });
  const text = (): string => chunks.join('');
  return {
    log,
    text,
    records: () =>
      text()
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as LogRecord),
  };
}
