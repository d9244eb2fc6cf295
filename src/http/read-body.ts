// Collects a request body with a hard size limit. uWS hands chunks that are only
// valid during the callback, so each is copied out.
import { GateError } from '../errors/gate-error.js';
import type { HttpResponse } from './http-types.js';

export function readBody(res: HttpResponse, contentLength: string, limit: number): Promise<Buffer> {
  const declared = contentLength === '' ? undefined : Number(contentLength);
  if (declared !== undefined && Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new GateError('GATE_ERR_BODY_TOO_LARGE', `the body is ${declared} bytes; the limit is ${limit}`, { field: 'body' }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        reject(new GateError('GATE_ERR_BODY_TOO_LARGE', `the body is over the limit of ${limit} bytes`, { field: 'body' }));
        return;
      }
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (isLast) resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
  });
}
