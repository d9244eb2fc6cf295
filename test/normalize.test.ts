import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { normalizeTerm, normalizeText } from '../src/normalize/normalize-text.js';
import { originalSpan } from '../src/normalize/normalized-text.js';

describe('normalizeText', () => {
  const cases: Array<[string, string]> = [
    ['Ｌｏｕｉｓ Ｖｕｉｔｔｏｎ', 'louis vuitton'], // full-width
    ['ⓃⒾⓀⒺ 𝐍𝐢𝐤𝐞 ﬁne Ⅳ', 'nike nike fine iv'], // circled, mathematical bold, ligature, Roman numeral
    ['Ѕоnу', 'sony'], // Cyrillic look-alikes
    ['Swarovskí', 'swarovski'], // combining accent
    ['华\u200b为 L\u00adV \ufeffok', '华为 lv ok'], // zero-width space, soft hyphen, BOM
    ['貝|德|瑪洁面 原單', '贝德玛洁面原单'], // Traditional -> Simplified, separators between CJK
    ['路 易 威 登', '路易威登'],
    // Separators between Latin letters stay (one space for a soft run): the matcher
    // reads a term through them, knowing where the term starts and ends.
    ['C a s t r o l', 'c a s t r o l'],
    ['S*h*i*s*e*i*d*o', 's h i s e i d o'],
    ['N-i-k-e', 'n i k e'],
    ['L★V', 'l v'], // symbols are soft separators too
    ['US¥199', 'us¥199'], // currency signs are not
    ['C4n0n 5am5ung', 'canon samsung'], // digits inside a word read as letters
    ['Hu4w31', 'huawe1'], // 1 stays 1: it stands for both i and l
    ['1:1 mirror', '1:1 mirror'], // hard punctuation kept; digits alone are not letters
    ['Louis-Vuitton', 'louis vuitton'], // soft punctuation between words is a space
    ['AAA+ quality', 'aaa+ quality'],
    ['silver', 'silver'],
  ];
  for (const [input, expected] of cases) {
    it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => {
      assert.equal(normalizeTerm(input), expected);
    });
  }

  it('maps normalized offsets back to the original text, disguise included', () => {
    const input = '特价 Ｌ.Ｖ 包';
    const text = normalizeText(input);
    const normalized = text.bytes.toString();
    assert.equal(normalized, '特价 l v 包');
    const from = Buffer.byteLength('特价 ');
    const span = originalSpan(text, from, from + 3);
    assert.equal(input.slice(span.start, span.end), 'Ｌ.Ｖ');
  });

  it('keeps astral characters whole in the offset map', () => {
    const input = '😀 𝐍𝐢𝐤𝐞';
    const text = normalizeText(input);
    const from = text.bytes.indexOf('nike');
    const span = originalSpan(text, from, from + 4);
    assert.equal(input.slice(span.start, span.end), '𝐍𝐢𝐤𝐞');
  });

  it('handles empty text, lone surrogates and control characters without throwing', () => {
    assert.equal(normalizeTerm(''), '');
    assert.equal(normalizeTerm('a\ud800b'), 'ab');
    assert.equal(normalizeTerm('a\u0000b\tc'), 'ab c');
  });
});
