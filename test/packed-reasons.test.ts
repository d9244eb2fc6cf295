import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Reason } from '../src/gate/reason.js';
import { packReasons, unpackReasons } from '../src/review/packed-reasons.js';

describe('a verdict record’s packed reasons', () => {
  const reasons: Reason[] = [
    { code: 'indicator_with_brand', ref: '高仿', field: 'title', start: 8, end: 10 },
    { code: 'blocklist_seller', ref: 's-1' },
    { code: 'ring', ref: 'r|"x"', field: 'sellerId' },
  ];

  it('reads back what it packed, field for field, in fewer bytes than the objects', () => {
    const packed = packReasons(reasons);
    assert.deepEqual(unpackReasons(packed), reasons);
    assert.ok(packed.length < JSON.stringify(reasons).length - 60, `${packed.length} vs ${JSON.stringify(reasons).length}`);
  });

  it('reads the objects records of earlier versions keep', () => {
    assert.deepEqual(unpackReasons(JSON.stringify(reasons)), reasons);
  });
});
