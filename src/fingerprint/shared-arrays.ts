// Many Uint32Arrays in one SharedArrayBuffer: a task to a worker then carries one
// shared handle and a few numbers, whatever the size of the indexes.
export interface SharedArrays {
  buffer: SharedArrayBuffer;
  /** [offset, length] in elements, per array. */
  layout: number[];
}

export function shareArrays(arrays: readonly Uint32Array[]): SharedArrays {
  const total = arrays.reduce((sum, a) => sum + a.length, 0);
  const buffer = new SharedArrayBuffer(Math.max(total, 1) * 4);
  const view = new Uint32Array(buffer);
  const layout: number[] = [];
  let offset = 0;
  for (const array of arrays) {
    view.set(array, offset);
    layout.push(offset, array.length);
    offset += array.length;
  }
  return { buffer, layout };
}

export function viewArrays(shared: SharedArrays): Uint32Array[] {
  const out: Uint32Array[] = [];
  for (let i = 0; i + 1 < shared.layout.length; i += 2) {
    out.push(new Uint32Array(shared.buffer, (shared.layout[i] ?? 0) * 4, shared.layout[i + 1] ?? 0));
  }
  return out;
}
