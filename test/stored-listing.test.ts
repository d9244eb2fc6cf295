// A verdict record keeps the listing as a positional array (stored-listing.ts):
// every listing the contract accepts comes back equal, and records of earlier
// versions (objects, with or without the id) are read as before.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CheckRequest } from '../src/gate/check-request.js';
import { packStoredListing, sellerOfStoredListing, unpackStoredListing } from '../src/review/stored-listing.js';

const text = fc.string({ maxLength: 40 });
const listingArbitrary: fc.Arbitrary<CheckRequest> = fc.record(
  {
    listingId: fc.string({ minLength: 1, maxLength: 20 }),
    sellerId: fc.string({ minLength: 1, maxLength: 20 }),
    shopId: text,
    title: text,
    description: text,
    brand: text,
    category: text,
    price: fc.record({ amount: fc.double({ min: 0, max: 1e9, noNaN: true }), currency: fc.constantFrom('CNY', 'USD', 'EUR') }, { noNullPrototype: true }),
    images: fc.array(fc.record({ url: fc.webUrl(), phash: fc.stringMatching(/^[0-9a-f]{16}$/) }, { requiredKeys: [], noNullPrototype: true }), {
      maxLength: 4,
    }),
    seller: fc.record({ phoneHash: text, deviceId: text, paymentAccountHash: text, addressHash: text }, { requiredKeys: [], noNullPrototype: true }),
    attributes: fc.dictionary(fc.string({ maxLength: 8 }), text, { maxKeys: 3, noNullPrototype: true }),
  },
  { requiredKeys: ['listingId', 'sellerId', 'title'], noNullPrototype: true },
);

describe('the listing as a verdict record keeps it', () => {
  it('gives back every listing it packed, field for field', () => {
    fc.assert(
      fc.property(listingArbitrary, (listing) => {
        const packed = packStoredListing(listing);
        assert.deepEqual(unpackStoredListing(listing.listingId, packed), listing);
        assert.equal(sellerOfStoredListing(packed), listing.sellerId);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps no key names and no id, and is smaller than the object', () => {
    const listing: CheckRequest = {
      listingId: 'L1',
      sellerId: 's-1',
      title: 'UA quality sandisk USB drive',
      description: '',
      category: 'storage',
      price: { amount: 9, currency: 'CNY' },
      images: [{ phash: '89b821637fd973f0' }],
    };
    const packed = packStoredListing(listing);
    assert.equal(packed, '["s-1","UA quality sandisk USB drive","","storage",[9,"CNY"],[["89b821637fd973f0"]]]');
    const { listingId: _id, ...object } = listing;
    assert.ok(packed.length < JSON.stringify(object).length - 60, `${packed.length} vs ${JSON.stringify(object).length}`);
  });

  it('reads the objects earlier versions kept, with or without the id', () => {
    const listing: CheckRequest = { listingId: 'L2', sellerId: 's-2', title: 'tote', images: [{ url: 'https://img.example/1.jpg' }] };
    const { listingId: _id, ...withoutId } = listing;
    assert.deepEqual(unpackStoredListing('L2', JSON.stringify(withoutId)), listing);
    assert.deepEqual(unpackStoredListing('L2', JSON.stringify(listing)), listing);
    assert.equal(sellerOfStoredListing(JSON.stringify(withoutId)), 's-2');
  });
});
