// The scope of a re-check job started with an admin's change (issue 25 point 3,
// src/recheck/recheck-scope.ts), without servers: which listings each kind of
// change can move, the image bank's match distance at its edge, the stored
// scope read back, and a pack's scope from a diff.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import type { CheckRequest } from '../src/gate/check-request.js';
import { formatPhash, hammingDistance, parsePhash } from '../src/fingerprint/phash.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { packScope } from '../src/recheck/pack-scope.js';
import { parseScope, scopeFilter, scopeSummary, type RecheckScope } from '../src/recheck/recheck-scope.js';

function listing(sellerId: string, extra: Partial<CheckRequest> = {}): CheckRequest {
  return { listingId: `l-${sellerId}`, sellerId, title: 'a plain mug', ...extra };
}

/** `hex` with its lowest `bits` bits flipped: at Hamming distance `bits` from it. */
function flipped(hex: string, bits: number): string {
  const { hi, lo } = parsePhash(hex);
  const mask = bits >= 32 ? 0xffffffff : (2 ** bits - 1) >>> 0;
  return formatPhash({ hi, lo: (lo ^ mask) >>> 0 });
}

const BANKED = 'f0e1d2c3b4a59687';

describe('re-check scope', () => {
  it('without a scope, every listing is re-checked and every verdict reported', () => {
    const filter = scopeFilter(undefined);
    assert.equal(filter.mayAffect(listing('anyone')), true);
    assert.equal(filter.changesOnly, false);
  });

  it('a seller list change: only listings of the sellers it names (the ring members are named by the caller)', () => {
    const filter = scopeFilter({ kind: 'sellers', sellers: ['s-bad', 's-ring'] });
    assert.equal(filter.mayAffect(listing('s-bad')), true);
    assert.equal(filter.mayAffect(listing('s-ring')), true);
    assert.equal(filter.mayAffect(listing('s-other')), false);
    assert.equal(filter.mayAffect(listing('s-BAD')), false, 'seller ids are compared as the list compares them, exactly');
    assert.equal(filter.changesOnly, false);
  });

  it('another list: only listings carrying an added value in the field that list is looked up by', () => {
    const phones = scopeFilter({ kind: 'list', list: 'phones', values: ['ph-1', 'ph-2'] });
    assert.equal(phones.mayAffect(listing('a', { seller: { phoneHash: 'ph-2' } })), true);
    assert.equal(phones.mayAffect(listing('b', { seller: { phoneHash: 'ph-3' } })), false);
    assert.equal(phones.mayAffect(listing('c', { seller: { deviceId: 'ph-1' } })), false, "the value in another field is another list's");
    assert.equal(phones.mayAffect(listing('ph-1')), false, 'nor as a seller id');
    assert.equal(phones.mayAffect(listing('d')), false);
    const shops = scopeFilter({ kind: 'list', list: 'shops', values: ['shop-9'] });
    assert.equal(shops.mayAffect(listing('e', { shopId: 'shop-9' })), true);
    assert.equal(shops.mayAffect(listing('f', { shopId: 'shop-8' })), false);
    const payments = scopeFilter({ kind: 'list', list: 'paymentAccounts', values: ['pay-1'] });
    assert.equal(payments.mayAffect(listing('g', { seller: { paymentAccountHash: 'pay-1' } })), true);
  });

  it('an image bank: only listings with an image within distance 8 of an added hash', () => {
    const filter = scopeFilter({ kind: 'images', bank: 'images', phashes: [BANKED, '0000000000000000'] });
    for (let bits = 0; bits <= 8; bits++)
      assert.equal(filter.mayAffect(listing('a', { images: [{ phash: flipped(BANKED, bits) }] })), true, `distance ${bits}`);
    for (const bits of [9, 10, 20]) assert.equal(filter.mayAffect(listing('a', { images: [{ phash: flipped(BANKED, bits) }] })), false, `distance ${bits}`);
    assert.equal(filter.mayAffect(listing('b', { images: [{ phash: 'ffffffffffffffff' }, { phash: '00000000000000ff' }] })), true, 'any image of the listing');
    assert.equal(filter.mayAffect(listing('b', { images: [{ phash: BANKED.toUpperCase() }] })), true, 'hex in either case');
    assert.equal(filter.mayAffect(listing('c')), false, 'no image');
    assert.equal(
      filter.mayAffect(listing('d', { images: [{ url: 'https://img.example/1.jpg' }] })),
      false,
      'an image without a hash is not matched by a re-check',
    );
    assert.equal(filter.mayAffect(listing('e', { images: [{ phash: 'not-a-hash' }] })), false);
    assert.equal(
      scopeFilter({ kind: 'images', bank: 'negative-images', phashes: [BANKED] }).mayAffect(listing('f', { images: [{ phash: flipped(BANKED, 3) }] })),
      true,
      'a negative hash moves listings near it too',
    );
  });

  it('an image bank of many hashes answers as a scan of them would', () => {
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const banked = Array.from({ length: 5000 }, () => formatPhash({ hi: next(), lo: next() }));
    const filter = scopeFilter({ kind: 'images', bank: 'images', phashes: banked });
    const parsed = banked.map(parsePhash);
    for (let i = 0; i < 300; i++) {
      const near = i % 2 === 0;
      const base = banked[i * 7] as string;
      const hex = near ? flipped(base, i % 9) : formatPhash({ hi: next(), lo: next() });
      const y = parsePhash(hex);
      const scanned = parsed.some((x) => hammingDistance(x.hi, x.lo, y.hi, y.lo) <= 8);
      assert.equal(filter.mayAffect(listing(`s${i}`, { images: [{ phash: hex }] })), scanned, hex);
      if (near) assert.equal(scanned, true);
    }
  });

  it('a text bank or a pack: every listing is matched, only changed verdicts reported', () => {
    for (const scope of [
      { kind: 'texts', bank: 'texts', entries: 3 },
      { kind: 'pack', from: 'a', to: 'b', added: {}, removed: {}, changed: {}, settings: [] },
    ] as RecheckScope[]) {
      const filter = scopeFilter(scope);
      assert.equal(filter.mayAffect(listing('anyone')), true, scope.kind);
      assert.equal(filter.changesOnly, true, scope.kind);
    }
  });

  it('a stored scope reads back as it was; a damaged one is refused, not read as "every listing"', () => {
    const scopes: RecheckScope[] = [
      { kind: 'sellers', sellers: ['a', 'b'] },
      { kind: 'list', list: 'devices', values: ['d1'] },
      { kind: 'images', bank: 'negative-images', phashes: [BANKED] },
      { kind: 'texts', bank: 'negative-texts', entries: 2 },
      { kind: 'pack', from: '1', to: '2', added: { brand: ['x'] }, removed: { rule: ['r1'] }, changed: { indicator: ['i'] }, settings: ['thresholds.block'] },
    ];
    for (const scope of scopes) assert.deepEqual(parseScope(JSON.stringify(scope)), scope);
    assert.deepEqual(scopeSummary(scopes[0] as RecheckScope), { kind: 'sellers', sellers: 2 });
    assert.deepEqual(scopeSummary(scopes[4] as RecheckScope), {
      kind: 'pack',
      from: '1',
      to: '2',
      added: 1,
      removed: 1,
      changed: 1,
      settings: ['thresholds.block'],
    });
    for (const bad of [
      '{"kind":"everything"}',
      '{"kind":"sellers","sellers":[1]}',
      '{"kind":"list","list":"sellers","values":[]}',
      '{"kind":"images","phashes":["xyz"]}',
      '{"kind":"sellers"}',
    ]) {
      assert.throws(() => parseScope(bad), /re-check scope/, bad);
    }
  });

  it("a pack's scope names the entries added, removed and changed against the pack it replaced", () => {
    const before = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as PolicyPack;
    const after = JSON.parse(JSON.stringify(before)) as PolicyPack;
    after.packVersion = `${before.packVersion}-next`;
    const removed = after.brands.pop();
    const changed = after.rules[0];
    assert.ok(removed && changed, 'the demo pack has brands and rules');
    changed.score += 1;
    after.thresholds.block += 5;
    const scope = packScope(before, after);
    assert.equal(scope.kind, 'pack');
    if (scope.kind !== 'pack') return;
    assert.deepEqual(scope.removed, { brand: [removed.id] });
    assert.deepEqual(scope.changed, { rule: [changed.id] });
    assert.deepEqual(scope.added, {});
    assert.deepEqual(scope.settings, ['thresholds.block']);
    assert.equal(scope.to, after.packVersion);
    const first = packScope(undefined, before);
    assert.ok(first.kind === 'pack' && (first.added.brand ?? []).length === before.brands.length, 'with no pack before, every entry is added');
  });
});
