import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clusterKeys, packClusterKeys, unpackClusterKeys } from '../src/review/review-cluster.js';

const listing = {
  title: 'Original leather handbag with gold chain strap and dust bag',
  description: 'Genuine calfskin, bought last spring, barely used, comes with its receipt',
  images: [
    { url: 'https://img.example/a.jpg', phash: 'A1B2C3D4E5F60718' },
    { url: 'https://img.example/b.jpg', phash: '0f0e0d0c0b0a0908' },
  ],
};

describe('review cluster keys as an item keeps them', () => {
  it('packs text bands in 4 bytes each and gets back every key, image keys included', () => {
    const keys = clusterKeys(listing);
    assert.ok(keys.filter((k) => k.startsWith('t')).length >= 16, 'the listing has text bands');
    const packed = packClusterKeys(keys);
    assert.deepEqual(unpackClusterKeys(packed), keys);
    assert.ok(packed.length < keys.join(' ').length / 2, `${packed.length} bytes for ${keys.join(' ').length} of text`);
  });

  it('packs a listing with images only, or with nothing', () => {
    const imagesOnly = clusterKeys({ title: 'x', images: listing.images });
    assert.deepEqual(imagesOnly, ['i:a1b2c3d4e5f60718', 'i:0f0e0d0c0b0a0908']);
    assert.deepEqual(unpackClusterKeys(packClusterKeys(imagesOnly)), imagesOnly);
    assert.deepEqual(unpackClusterKeys(packClusterKeys([])), []);
    assert.deepEqual(unpackClusterKeys(null), []);
  });

  it('reads the forms earlier versions kept: spaces with bare band buckets, and JSON', () => {
    const keys = ['t0:4081223181', 't1:12', 'i:a1b2'];
    assert.deepEqual(unpackClusterKeys(Buffer.from('4081223181 12 i:a1b2')), keys);
    assert.deepEqual(unpackClusterKeys(Buffer.from(JSON.stringify(keys))), keys);
  });
});
