// A pack from the build process reaches a thread as brand slices with their count
// and owners (pack-for-threads.ts): the thread sees the same brands and the same
// index as the event loop, and decodes a slice only when a check reads one of its brands.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { repoPath } from '../src/config/repo-root.js';
import { brandIndexOf, rememberBrandIndex } from '../src/pack/brand-index.js';
import { decodeBrandSlices, encodeBrandSlices } from '../src/pack/brand-slices.js';
import { compilePack } from '../src/pack/compile-pack.js';
import type { CompiledPack } from '../src/pack/compiled-pack.js';
import { packForThreads, receivePackForThreads } from '../src/pack/pack-for-threads.js';
import type { BrandEntry } from '../src/pack/policy-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';

function brand(i: number): BrandEntry {
  return {
    id: `brand-${i}`,
    names: [`Name${i}`, `名${i}`],
    categories: ['bags'],
    authorizedSellers: [`official-${i}`],
    priceFloor: { CNY: 100 + i },
    ...(i % 1000 === 7 ? { owner: `holder-${i}` } : {}),
  };
}

/** The demo pack compiled, its brands replaced by `brands` as the build process sends them. */
async function builtWith(brands: readonly BrandEntry[]): Promise<CompiledPack> {
  const validation = validatePack(JSON.parse(readFileSync(repoPath('src', 'pack', 'demo-pack.json'), 'utf8')));
  assert.ok(validation.ok);
  const demo = await compilePack(validation.pack);
  const brandSlices = encodeBrandSlices(brands);
  const { brands: decoded, index } = await decodeBrandSlices(brandSlices);
  const built: CompiledPack = { ...demo, pack: { ...demo.pack, brands: decoded }, brandSlices };
  rememberBrandIndex(built, index);
  return built;
}

describe('a pack sent to a thread', () => {
  it('has the same brands and brand index on the thread as on the event loop, through a structured clone', async () => {
    const brands = Array.from({ length: 2500 }, (_, i) => brand(i));
    const built = await builtWith(brands);
    const received = receivePackForThreads(structuredClone(packForThreads(built)));
    const list = received.pack.brands;
    assert.equal(list.length, 2500);
    assert.ok(Array.isArray(list));
    assert.deepEqual(list[1234], brands[1234]);
    assert.equal(list[2500], undefined);
    assert.deepEqual(list.slice(0, 3), brands.slice(0, 3));
    assert.deepEqual([...list], brands);
    assert.equal(list.filter((b) => b.owner !== undefined).length, 3, 'array methods see every brand');
    let seen = 0;
    list.forEach(() => seen++);
    assert.equal(seen, 2500);
    assert.equal(Object.keys(list).length, 2500);
    assert.equal(1999 in list, true);
    assert.deepEqual([...brandIndexOf(received).owners].sort(), [
      ['brand-1007', 'holder-1007'],
      ['brand-2007', 'holder-2007'],
      ['brand-7', 'holder-7'],
    ]);
  });

  it('decodes a slice of brands only when one of them is read', async () => {
    const built = await builtWith(Array.from({ length: 3000 }, (_, i) => brand(i)));
    const sent = structuredClone(packForThreads(built));
    const slices = [...(sent.brandSlices ?? [])];
    slices[1] = new Uint8Array([0xc1, 0xc1, 0xc1]); // not MessagePack: reading it throws
    const received = receivePackForThreads({ ...sent, brandSlices: slices });
    assert.equal(received.pack.brands.length, 3000);
    assert.equal(received.pack.brands[5]?.id, 'brand-5');
    assert.equal(received.pack.brands[2999]?.id, 'brand-2999');
    assert.equal(brandIndexOf(received).owners.get('brand-1007'), 'holder-1007', 'the index comes with the pack, not from the slices');
    assert.throws(() => received.pack.brands[1500]);
  });

  it('is sent whole when it came without slices', async () => {
    const built = await builtWith([brand(1)]);
    const { brandSlices: _slices, ...unsliced } = built;
    const received = receivePackForThreads(structuredClone(packForThreads({ ...unsliced, pack: { ...built.pack, brands: [brand(1), brand(2)] } })));
    assert.deepEqual(received.pack.brands, [brand(1), brand(2)]);
  });
});
