// The fingerprint indexes give the same answers as a scan of the whole bank.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildImageIndex, lookupImage, scanImages } from '../src/fingerprint/image-index.js';
import { formatPhash, hammingDistance, parsePhash, popcount32 } from '../src/fingerprint/phash.js';
import { gramSimilarity, gramsOfNormalized, gramsOfNormalizedInJs, textGrams } from '../src/fingerprint/text-grams.js';
import { buildTextIndex, commonGrams, fingerprintGrams, lookupText, minhash, minhashInJs, scanTexts } from '../src/fingerprint/text-index.js';
import { normalizeChars } from '../src/normalize/normalize-text.js';

const sorted = (pairs: Array<[number, number]>): Array<[number, number]> => [...pairs].sort((a, b) => a[0] - b[0]);

function flipBits(hi: number, lo: number, bits: number[]): [number, number] {
  let h = hi;
  let l = lo;
  for (const bit of bits) {
    if (bit < 32) l = (l ^ (1 << bit)) >>> 0;
    else h = (h ^ (1 << (bit - 32))) >>> 0;
  }
  return [h, l];
}

describe('image index (multi-index hashing)', () => {
  it('parses, formats and measures 64-bit hashes', () => {
    assert.equal(formatPhash(parsePhash('d1c4f0e0b0a09080')), 'd1c4f0e0b0a09080');
    assert.equal(popcount32(0xffffffff), 32);
    assert.equal(hammingDistance(0, 0, 0xffffffff, 1), 33);
    assert.throws(() => parsePhash('xyz'), /16 hexadecimal/);
  });

  it('finds exactly what a linear scan finds, for hashes 0 to 12 bits away', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { minLength: 1, maxLength: 300 }),
        fc.array(fc.tuple(fc.nat({ max: 299 }), fc.uniqueArray(fc.nat({ max: 63 }), { maxLength: 12 })), { minLength: 1, maxLength: 20 }),
        (bank, queries) => {
          const index = buildImageIndex(
            Uint32Array.from(bank, (b) => b[0]),
            Uint32Array.from(bank, (b) => b[1]),
          );
          for (const [which, bits] of queries) {
            const [hi0, lo0] = bank[which % bank.length] ?? [0, 0];
            const [hi, lo] = flipBits(hi0, lo0, bits);
            assert.deepEqual(sorted(lookupImage(index, hi, lo)), sorted(scanImages(index, hi, lo)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers an empty bank with nothing', () => {
    const index = buildImageIndex(new Uint32Array(0), new Uint32Array(0));
    assert.deepEqual(lookupImage(index, 1, 2), []);
  });
});

describe('text index (MinHash LSH)', () => {
  const base = [
    '工厂直销 皮料和专柜一致 五金用的是进口的 走线细密 每一个细节都经得起对比，包装盒 防尘袋 说明书 小票 全套配齐',
    'factory direct, leather identical to the boutique piece, imported hardware, tight stitching that survives any comparison',
    'returning buyers love it, message me for a special price, small batch, next batch takes weeks, full set with box',
  ];

  it('finds a reordered, lightly edited copy and not an unrelated text', () => {
    const index = buildTextIndex(base.map((t) => fingerprintGrams(textGrams(t))));
    const edited = 'imported hardware, tight stitching that survives any comparison. Factory direct: leather identical to the boutique piece!';
    const found = lookupText(index, textGrams(edited));
    assert.equal(found[0]?.[0], 1);
    assert.ok((found[0]?.[1] ?? 0) >= 0.7);
    assert.deepEqual(lookupText(index, textGrams('Kids building blocks 200 pcs, free shipping nationwide, order now')), []);
    // Traditional script and full-width letters are the same text after normalization.
    assert.equal(
      lookupText(index, textGrams('工廠直銷 皮料和專櫃一致 五金用的是進口的 走線細密 每一個細節都經得起對比，包裝盒 防塵袋 說明書 小票 全套配齊'))[0]?.[0],
      0,
    );
  });

  it('agrees with a scan of the bank on random edits (recall of the bands)', () => {
    const words = 'leather bag wallet box dust receipt original factory hardware stitch mirror grade copy ship today free return gift new'.split(' ');
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(...words), { minLength: 12, maxLength: 30 }), { minLength: 5, maxLength: 40 }),
        fc.nat(),
        (texts, pickSeed) => {
          const bankTexts = texts.map((w) => w.join(' '));
          const index = buildTextIndex(bankTexts.map((t) => fingerprintGrams(textGrams(t))));
          const source = texts[pickSeed % texts.length] ?? [];
          const edited = [...source.slice(1), 'extra'].join(' ');
          const grams = textGrams(edited);
          const scanned = scanTexts(index, grams)
            .map(([id]) => id)
            .sort();
          const looked = lookupText(index, grams)
            .map(([id]) => id)
            .sort();
          // LSH may only miss a match with probability ~(1 - J^3)^32; at J >= 0.54 that is under 0.5%; these edits are milder.
          assert.deepEqual(looked, scanned);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('leaves grams common to the bank out of signatures and still finds what a scan finds', () => {
    // 3,000 banked texts that share an everyday vocabulary (a third of their words) and have words of their own.
    let seed = 99;
    const rand = (n: number): number => Math.floor(((seed = (seed * 48271) % 2147483647) / 2147483647) * n);
    const everyday = 'genuine leather tote bag shoulder strap new season classic design gift box free shipping handmade quality'.split(' ');
    const word = (): string =>
      rand(3) === 0 ? (everyday[rand(everyday.length)] ?? '') : Array.from({ length: 4 + rand(5) }, () => 'abcdefghijklmnopqrstuvwxyz'[rand(26)]).join('');
    const bank = Array.from({ length: 3000 }, () => Array.from({ length: 16 }, word).join(' '));
    const gramSets = bank.map((t) => textGrams(t));
    const stop = commonGrams(gramSets);
    assert.ok(stop.length > 0, 'the everyday words give common grams');
    const index = buildTextIndex(
      gramSets.map((g) => fingerprintGrams(g, stop)),
      stop,
    );
    for (let q = 0; q < 200; q++) {
      // Half the queries are edited copies of banked texts, half are everyday-vocabulary listings.
      const grams = textGrams(
        q % 2 === 0 ? `${bank[rand(bank.length)] ?? ''} extra` : Array.from({ length: 30 }, () => everyday[rand(everyday.length)]).join(' '),
      );
      assert.deepEqual(
        lookupText(index, grams)
          .map(([id]) => id)
          .sort(),
        scanTexts(index, grams)
          .map(([id]) => id)
          .sort(),
      );
    }
  });

  it('computes grams and signatures natively exactly as the TypeScript references do', () => {
    // Latin, CJK, look-alikes, digits, emoji (outside the BMP), invisible and combining characters.
    const alphabet = [...'abcxyzABC019 .,-_|/高仿路易威登包邮ＬＶ𝐋𝐕аеорсху😀👜\u200b\u00ad\u0301ß'];
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.constantFrom(...alphabet), { maxLength: 60 }).map((cs) => cs.join('')),
          { minLength: 1, maxLength: 3 },
        ),
        (texts) => {
          const parts = texts.map((t) => normalizeChars(t));
          const grams = gramsOfNormalized(parts);
          assert.deepEqual(grams, gramsOfNormalizedInJs(parts));
          assert.deepEqual(minhash(grams), minhashInJs(grams));
        },
      ),
      { numRuns: 2000 },
    );
    assert.deepEqual(gramsOfNormalized([]), new Uint32Array(0));
    assert.deepEqual(gramsOfNormalized([normalizeChars('ab')]), new Uint32Array(0));
    assert.deepEqual(minhash(new Uint32Array(0)), minhashInJs(new Uint32Array(0)));
  });

  it('measures the share of common 3-grams (Dice)', () => {
    const a = textGrams('abcdef');
    assert.equal(gramSimilarity(a, a), 1);
    assert.equal(gramSimilarity(a, textGrams('uvwxyz')), 0);
  });
});
