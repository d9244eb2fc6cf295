// An NDJSON upload of check requests made into a job's source stream, one entry
// per line (field `listing`, the line as sent), as the intake's entries are. Every
// line is decoded and validated first, as a POST /v1/check body: one bad line
// refuses the upload with its coded error naming the line and the field (lines
// counted from 1), and nothing of it is kept.
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import { GateError } from '../errors/gate-error.js';
import { checkRequestOf } from '../http/check-input.js';
import { decodeBody } from '../http/decode-body.js';
import { checkJsonDepth } from '../http/json-depth.js';

/** Entries appended in one pipeline. */
const APPEND_BATCH = 1000;

function lineError(line: number, error: unknown): GateError {
  if (!(error instanceof GateError)) throw error;
  const inner = error.field === undefined || error.field === 'body' ? '' : `.${error.field}`;
  return new GateError(error.code, `line ${line}: ${error.message.replace(/^the body/, 'the line')}`, { field: `lines[${line}]${inner}` });
}

/** Appends each line of `file` to `stream` (then removes the file); returns the entries appended. */
export async function appendUpload(redis: Redis, stream: string, file: string, maxLineBytes: number): Promise<number> {
  let appended = 0;
  let lineNumber = 0;
  let pipeline = redis.pipeline();
  let queued = 0;
  const flush = async (): Promise<void> => {
    if (queued === 0) return;
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    appended += queued;
    queued = 0;
    pipeline = redis.pipeline();
  };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === '') continue;
      const bytes = Buffer.from(line);
      try {
        if (bytes.length > maxLineBytes)
          throw new GateError('GATE_ERR_BODY_TOO_LARGE', `the line is ${bytes.length} bytes; the limit is ${maxLineBytes} (GATE_MAX_BODY_BYTES)`);
        checkJsonDepth(bytes);
        checkRequestOf(decodeBody(bytes, 'json'));
      } catch (error) {
        throw lineError(lineNumber, error);
      }
      pipeline.xadd(stream, '*', 'listing', bytes);
      if (++queued >= APPEND_BATCH) await flush();
    }
    await flush();
  } catch (error) {
    lines.close();
    await redis.del(stream);
    throw error;
  } finally {
    await rm(file, { force: true });
  }
  if (appended === 0) throw new GateError('GATE_ERR_EMPTY_BODY', 'the upload holds no line with a check request', { field: 'body' });
  return appended;
}
