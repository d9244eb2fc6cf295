// A pack's brand index is built once, as its brands arrive from the build process
// (or on a thread, from the owners sent with the pack), and serves the copies of the pack made after
// it: the live pack without its seeded entries, what is sent to the threads.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { brandIndexOf, rememberBrandIndex } from '../src/pack/brand-index.js';
import { decodeBrandSlices, encodeBrandSlices } from '../src/pack/brand-slices.js';
import { emptyPackLists, withoutSeededEntries, type BrandEntry } from '../src/pack/policy-pack.js';

function brand(id: string, owner?: string): BrandEntry {
  return { id, names: [id], categories: [], authorizedSellers: [], priceFloor: {}, ...(owner ? { owner } : {}) };
}

describe('brand index', () => {
  it('built while the slices were decoded, serves the live copy of the pack without building again', async () => {
    const brands = Array.from({ length: 2500 }, (_, i) => brand(`b${i}`, i % 2 === 0 ? `holder-${i}` : undefined));
    const { brands: received, index } = await decodeBrandSlices(encodeBrandSlices(brands));
    const built = { pack: { brands: received, lists: emptyPackLists(), fingerprints: { texts: [], images: [] } } };
    rememberBrandIndex(built, index);
    const live = { ...built, pack: withoutSeededEntries(built.pack) };
    assert.equal(brandIndexOf(live), index, 'the index remembered for the pack as received');
    assert.equal(index.owners.size, 1250);
    assert.equal(index.owners.get('b10'), 'holder-10');
    assert.equal(index.owners.has('b11'), false);
  });

  it('is built from the brands of a pack that came without one, once', () => {
    const pack = { pack: { brands: [brand('acme', 'acme-holder'), brand('zeta')] } };
    const index = brandIndexOf(pack);
    assert.deepEqual([...index.owners], [['acme', 'acme-holder']]);
    assert.equal(brandIndexOf({ pack: { ...pack.pack } }), index, 'a copy with the same brand list');
    assert.notEqual(brandIndexOf({ pack: { brands: [brand('acme')] } }), index, 'another brand list has its own');
  });
});
