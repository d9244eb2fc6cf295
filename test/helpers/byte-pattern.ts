// Bytes for streaming tests, made on the fly and never held whole: seven fixed
// pseudo-random blocks repeated in turn, so a dropped, doubled or reordered chunk
// changes the hash while a 100 MB stream costs 1.75 MB of memory.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

export const PATTERN_CHUNK = 256 * 1024;

function block(seed: number): Buffer {
  const bytes = Buffer.alloc(PATTERN_CHUNK);
  let x = (seed + 1) * 0x9e3779b9;
  for (let i = 0; i < bytes.length; i += 4) {
    // xorshift32
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes.writeUInt32LE(x >>> 0, i);
  }
  return bytes;
}

const BLOCKS = Array.from({ length: 7 }, (_, i) => block(i));

export function patternChunk(index: number): Buffer {
  return BLOCKS[index % BLOCKS.length] as Buffer;
}

function* chunks(size: number): Generator<Buffer> {
  for (let index = 0, sent = 0; sent < size; index++) {
    const chunk = patternChunk(index);
    const part = sent + chunk.length > size ? chunk.subarray(0, size - sent) : chunk;
    sent += part.length;
    yield part;
  }
}

export function patternStream(size: number): Readable {
  return Readable.from(chunks(size), { objectMode: false, highWaterMark: PATTERN_CHUNK });
}

export function patternSha256(size: number): string {
  const hash = createHash('sha256');
  for (const chunk of chunks(size)) hash.update(chunk);
  return hash.digest('hex');
}
