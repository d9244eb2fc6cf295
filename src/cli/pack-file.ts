// A pack file as the gate would receive it: its bytes, and the format its upload
// names (MessagePack for .msgpack or .mpk, JSON otherwise).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { PackBytes } from '../pack/pack-source.js';
import { usageError } from './cli-errors.js';

export const MSGPACK_EXTENSIONS = ['.msgpack', '.mpk'];

export function contentTypeOf(source: PackBytes): string {
  return source.format === 'msgpack' ? 'application/msgpack' : 'application/json';
}

export async function readPackFile(path: string): Promise<PackBytes> {
  try {
    const bytes = await readFile(path);
    return { bytes, format: MSGPACK_EXTENSIONS.includes(extname(path).toLowerCase()) ? 'msgpack' : 'json' };
  } catch (error) {
    throw usageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
