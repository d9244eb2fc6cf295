// The 64-bit DCT perceptual hash of an image: grey levels at 32 x 32, a 2-D DCT-II,
// the 8 x 8 lowest frequencies, one bit per coefficient above their median (the
// common pHash construction, as in the `imagehash` library). It is the hash the
// gate compares (`images[].phash`, its image banks): a marketplace's upload path
// computes it here, and the gate's own tool (`npm run hash`) is this function, so
// their hashes compare. sharp decodes the image; it is loaded on first use, so a
// client that never hashes needs none.
import type { Sharp, SharpOptions } from 'sharp';

const SIZE = 32;
const LOW = 8;

type SharpFactory = (input: Buffer | string, options?: SharpOptions) => Sharp;
let sharpLoading: Promise<SharpFactory> | undefined;

function loadSharp(): Promise<SharpFactory> {
  sharpLoading ??= import('sharp').then(
    (module) => module.default as SharpFactory,
    (error: unknown) => {
      sharpLoading = undefined;
      throw new Error(`imageHash needs the package sharp (npm install sharp): ${(error as Error).message}`, { cause: error });
    },
  );
  return sharpLoading;
}

const COSINES: Float64Array = (() => {
  const table = new Float64Array(SIZE * SIZE);
  for (let u = 0; u < SIZE; u++) for (let x = 0; x < SIZE; x++) table[u * SIZE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE));
  return table;
})();

function lowFrequencies(pixels: Uint8Array): Float64Array {
  // Rows first, then columns; only the LOW x LOW corner is needed.
  const rows = new Float64Array(SIZE * LOW);
  for (let y = 0; y < SIZE; y++) {
    for (let u = 0; u < LOW; u++) {
      let sum = 0;
      for (let x = 0; x < SIZE; x++) sum += (pixels[y * SIZE + x] ?? 0) * (COSINES[u * SIZE + x] ?? 0);
      rows[y * LOW + u] = sum;
    }
  }
  const out = new Float64Array(LOW * LOW);
  for (let v = 0; v < LOW; v++) {
    for (let u = 0; u < LOW; u++) {
      let sum = 0;
      for (let y = 0; y < SIZE; y++) sum += (rows[y * LOW + u] ?? 0) * (COSINES[v * SIZE + y] ?? 0);
      out[v * LOW + u] = sum;
    }
  }
  return out;
}

const hex32 = (x: number): string => (x >>> 0).toString(16).padStart(8, '0');

/**
 * The gate's perceptual hash of an image, as the 16 hexadecimal characters a
 * check's `images[].phash` takes. `input`: the image's bytes (any format sharp
 * decodes: JPEG, PNG, WebP, AVIF, GIF, SVG...), or a file's path.
 */
export async function imageHash(input: Uint8Array | string): Promise<string> {
  const sharp = await loadSharp();
  const source = typeof input === 'string' ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const pixels = await sharp(source).rotate().greyscale().resize(SIZE, SIZE, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer();
  if (pixels.length !== SIZE * SIZE) throw new Error(`expected ${SIZE * SIZE} grey pixels, got ${pixels.length}`);
  const coefficients = lowFrequencies(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.length));
  const median = [...coefficients].sort((a, b) => a - b)[(LOW * LOW) / 2 - 1] ?? 0;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < LOW * LOW; i++) {
    if ((coefficients[i] ?? 0) <= median) continue;
    if (i < 32) hi |= 1 << (31 - i);
    else lo |= 1 << (63 - i);
  }
  return hex32(hi) + hex32(lo);
}
