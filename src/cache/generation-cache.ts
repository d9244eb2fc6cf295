// An LRU cache of answers (lru-cache) that forgets everything in constant time.
// lru-cache's clear() resets arrays as long as its `max`: with 100,000-200,000
// entries that held the event loop for 20-80 ms (measured here), every check in
// flight with it, and the caches are cleared on each Redis reconnect and, for
// rings, on each ring change announced. Here each entry carries the generation it
// was cached in; clear() starts a new generation, and an entry of an older one is
// a miss (and is dropped when read, or ages out with the LRU).

import { LRUCache } from 'lru-cache';
import { primeLruCache } from './prime-lru-cache.js';

/** Stands for a value while the cache is primed (never read: the entry is deleted at once). */
const PRIMING: NonNullable<unknown> = {};

export interface GenerationCacheOptions {
  /** Entries kept. */
  max: number;
  /** An entry is a miss this long after it was cached, in ms. */
  ttlMs: number;
}

interface Entry<V> {
  generation: number;
  value: V;
}

export class GenerationCache<V extends NonNullable<unknown>> {
  private readonly entries: LRUCache<string, Entry<V>>;
  private generation = 0;

  constructor(options: GenerationCacheOptions) {
    this.entries = new LRUCache<string, Entry<V>>({ max: options.max, ttl: options.ttlMs });
    primeLruCache(this.entries, '', { generation: -1, value: PRIMING as V });
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.generation === this.generation) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  set(key: string, value: V): void {
    this.entries.set(key, { generation: this.generation, value });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every entry cached so far, in constant time. */
  clear(): void {
    this.generation++;
  }
}
