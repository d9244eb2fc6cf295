// The listings a check thread rehearses before it is ready are valid checks (a
// thread that threw on one would never be ready) and reach the branches real
// traffic does: brand names with and without indicators, CJK, images, identities.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { rehearsalListings } from '../src/check-thread/rehearsal-listings.js';
import { repoPath } from '../src/config/repo-root.js';
import { checkRequestOf } from '../src/http/check-input.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';

const demoPack = JSON.parse(readFileSync(repoPath('src', 'pack', 'demo-pack.json'), 'utf8')) as PolicyPack;

describe('rehearsal listings', () => {
  it('are valid checks, made from the pack’s brands and indicators', () => {
    const listings = rehearsalListings(demoPack);
    for (const listing of listings) assert.deepEqual(checkRequestOf(JSON.parse(JSON.stringify(listing))), listing, listing.listingId);
    const titles = listings.map((listing) => `${listing.title} ${listing.description ?? ''}`).join('\n');
    const brand = demoPack.brands[0];
    const indicator = demoPack.indicators.find((entry) => entry.mode !== 'shadow');
    assert.ok(brand && indicator, 'the demo pack has a brand and an indicator');
    for (const name of brand.names) assert.ok(titles.includes(name), `a title names ${name}`);
    assert.ok(titles.includes(indicator.term), `a title carries the indicator ${indicator.term}`);
    assert.ok(/[\u4e00-\u9fff]/.test(titles), 'some text is CJK');
    assert.ok(
      listings.some((listing) => listing.images?.some((image) => image.phash)),
      'some listing has an image hash',
    );
    assert.ok(
      listings.some((listing) => listing.seller?.phoneHash),
      'some listing has a seller identity',
    );
    assert.ok(
      listings.some((listing) => brand.authorizedSellers.includes(listing.sellerId)),
      'some listing comes from an authorized seller',
    );
  });

  it('are made for a pack without brands or indicators too', () => {
    const listings = rehearsalListings({ ...demoPack, brands: [], indicators: [] });
    assert.ok(listings.length >= 3);
    for (const listing of listings) checkRequestOf(JSON.parse(JSON.stringify(listing)));
  });
});
