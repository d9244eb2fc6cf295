/** A 64-bit perceptual hash as two 32-bit halves (JavaScript bit operations are 32-bit). */
export interface Phash {
  hi: number;
  lo: number;
}

const HEX16 = /^[0-9a-fA-F]{16}$/;

export function parsePhash(hex: string): Phash {
  if (!HEX16.test(hex)) throw new Error(`"${hex}" is not a 64-bit hash in 16 hexadecimal characters`);
  return { hi: Number.parseInt(hex.slice(0, 8), 16) >>> 0, lo: Number.parseInt(hex.slice(8), 16) >>> 0 };
}

export function formatPhash(hash: Phash): string {
  return (hash.hi >>> 0).toString(16).padStart(8, '0') + (hash.lo >>> 0).toString(16).padStart(8, '0');
}

export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function hammingDistance(aHi: number, aLo: number, bHi: number, bLo: number): number {
  return popcount32((aHi ^ bHi) >>> 0) + popcount32((aLo ^ bLo) >>> 0);
}
