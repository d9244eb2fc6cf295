// Review ids come from a pool of random bytes: each is 96 fresh bits, never one
// handed out before, across the pool's refills.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { newReviewId } from '../src/review/review-id.js';

describe('review ids', () => {
  it('are rv_ and 16 base64url characters, all different across many refills of the pool', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const id = newReviewId();
      assert.match(id, /^rv_[A-Za-z0-9_-]{16}$/);
      ids.add(id);
    }
    assert.equal(ids.size, 20_000);
  });

  it('spread their bits: every base64url character shows up in the first place', () => {
    const first = new Set<string>();
    for (let i = 0; i < 5_000; i++) first.add(newReviewId()[3] ?? '');
    assert.equal(first.size, 64);
  });
});
