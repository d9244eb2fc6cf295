// The refs of a bank's entries in index order, as one block of UTF-8 in shared
// memory with an offset per entry: built on the bank-build thread and read on the
// event loop only for the few entries a listing matched, so a million refs cost
// the event loop's heap nothing and cross between threads without a copy.

export interface RefTable {
  readonly count: number;
  /** UTF-8 of every ref, back to back. */
  readonly bytes: Uint8Array;
  /** Ref i is bytes[offsets[i] .. offsets[i + 1]). */
  readonly offsets: Uint32Array;
}

export const EMPTY_REF_TABLE: RefTable = { count: 0, bytes: new Uint8Array(0), offsets: new Uint32Array(1) };

export function refTableOf(refs: readonly string[]): RefTable {
  const offsets = new Uint32Array(new SharedArrayBuffer(4 * (refs.length + 1)));
  let total = 0;
  refs.forEach((ref, i) => {
    total += Buffer.byteLength(ref, 'utf8');
    offsets[i + 1] = total;
  });
  const shared = new SharedArrayBuffer(Math.max(1, total));
  const writer = Buffer.from(shared);
  refs.forEach((ref, i) => writer.write(ref, offsets[i] ?? 0, 'utf8'));
  return { count: refs.length, bytes: new Uint8Array(shared, 0, total), offsets };
}

/** The ref of entry `i`, or undefined past the end. */
export function refAt(table: RefTable, i: number): string | undefined {
  if (!Number.isInteger(i) || i < 0 || i >= table.count) return undefined;
  const start = table.offsets[i] ?? 0;
  const end = table.offsets[i + 1] ?? start;
  return Buffer.from(table.bytes.buffer, table.bytes.byteOffset + start, end - start).toString('utf8');
}

/** Bytes the table holds, for /metrics. */
export function refTableBytes(table: RefTable): number {
  return table.bytes.byteLength + table.offsets.byteLength;
}
