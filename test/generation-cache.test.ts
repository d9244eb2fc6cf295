// The cache of answers that forgets in constant time: what clear() forgot is a miss
// (and stays one), what is cached after is found, and it keeps lru-cache's bound
// and time to live.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { GenerationCache } from '../src/cache/generation-cache.js';

describe('GenerationCache', () => {
  it('forgets on clear() every entry cached before, and finds those cached after', () => {
    const cache = new GenerationCache<boolean>({ max: 100, ttlMs: 60_000 });
    cache.set('a', true);
    cache.set('b', false);
    assert.equal(cache.get('a'), true);
    assert.equal(cache.get('b'), false, 'a cached false is an answer, not a miss');
    cache.clear();
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b'), undefined);
    cache.set('a', false);
    assert.equal(cache.get('a'), false);
    cache.clear();
    cache.clear();
    assert.equal(cache.get('a'), undefined, 'still forgotten after several clears');
  });

  it('drops one entry on delete(), and keeps at most `max` entries', () => {
    const cache = new GenerationCache<number>({ max: 3, ttlMs: 60_000 });
    for (let i = 0; i < 5; i++) cache.set(`k${i}`, i);
    assert.deepEqual(
      [0, 1, 2, 3, 4].map((i) => cache.get(`k${i}`)),
      [undefined, undefined, 2, 3, 4],
    );
    cache.delete('k3');
    assert.equal(cache.get('k3'), undefined);
    assert.equal(cache.get('k4'), 4);
  });

  it('treats an entry older than its time to live as a miss', async () => {
    const cache = new GenerationCache<string>({ max: 10, ttlMs: 30 });
    cache.set('k', 'v');
    assert.equal(cache.get('k'), 'v');
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(cache.get('k'), undefined);
  });
});
