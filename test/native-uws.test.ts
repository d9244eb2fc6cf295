// The gate runs only on uWS's native build: the pinned package falls back to a
// JavaScript server on a Node.js it has no binary for (Node 22: ABI 127).
import { strict as assert } from 'node:assert';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import uWS from '@trufflesuite/uws-js-unofficial';
import { uwsFallbackReason } from '../src/http/native-uws.js';

describe('native uWS', () => {
  it('is what this Node.js loads', () => {
    assert.equal(uwsFallbackReason(uWS, process.versions), undefined);
  });

  it("names the Node.js version when the package's JavaScript fallback is loaded", () => {
    const fallback = createRequire(import.meta.url)('@trufflesuite/uws-js-unofficial/dist/index') as object;
    const reason = uwsFallbackReason(fallback, { node: '22.23.3', modules: '127' });
    assert.match(reason ?? '', /no native build for Node\.js 22\.23\.3 \(ABI 127\).*run the gate on Node\.js 20/);
  });
});
