// A pack as its uploaded bytes (JSON or MessagePack) in shared memory. The bytes
// go to the pack-build process through a file written on libuv's pool and are
// decoded there: decoding a 100 MB pack takes the better part of a second, which
// the event loop answering checks cannot spare.
import { GateError } from '../errors/gate-error.js';
import { decodeBody, type BodyFormat } from '../http/decode-body.js';

/** A pack's bytes in memory (backed by a SharedArrayBuffer: read from Redis or a file at start). */
export interface PackBytes {
  bytes: Uint8Array;
  format: BodyFormat;
}

/** A pack's bytes in a file: an admin's upload, written there as it arrived, never whole in the gate's memory. */
export interface PackFile {
  file: string;
  size: number;
  format: BodyFormat;
}

export type PackSource = PackBytes | PackFile;

export function packSourceSize(source: PackSource): number {
  return 'file' in source ? source.size : source.bytes.byteLength;
}

/** One shared buffer holding `parts` back to back. */
export function sharedBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const out = new Uint8Array(new SharedArrayBuffer(total));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export class PackUnreadableError extends Error {
  constructor(
    message: string,
    readonly code: 'GATE_ERR_INVALID_BODY' | 'GATE_ERR_EMPTY_BODY',
  ) {
    super(message);
    this.name = 'PackUnreadableError';
  }

  /** What the API answers for an upload of such bytes. */
  toGateError(): GateError {
    return new GateError(this.code, this.message, { field: 'body' });
  }
}

/** The pack as a value; throws PackUnreadableError when the bytes are not UTF-8 JSON or MessagePack. */
export function decodePackSource(source: PackBytes): unknown {
  try {
    return decodeBody(source.bytes, source.format);
  } catch (error) {
    if (error instanceof GateError && (error.code === 'GATE_ERR_INVALID_BODY' || error.code === 'GATE_ERR_EMPTY_BODY')) {
      throw new PackUnreadableError(error.message, error.code);
    }
    throw error;
  }
}
