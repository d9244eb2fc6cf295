// The native normalizer holds no rule of its own (issue 28): it applies the tables
// src/normalize/ hands it, reports them back as given, and follows a change to any
// of them.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { createNormalizer, type NativeNormalizer, type NormalizerTables } from '../src/native/rules-engine.js';
import { IGNORABLE_ABOVE_DIRECT, DIRECT_TABLE_SIZE } from '../src/normalize/fold-table.js';
import { buildNormalizerTables } from '../src/normalize/normalize-text.js';

const tables = buildNormalizerTables();
const standard = createNormalizer(tables);

/** The normalized text alone, as UTF-8 decoded. */
function normalized(normalizer: NativeNormalizer, text: string): string {
  const packed = normalizer.normalize(text, false);
  const length = packed.readUInt32LE(0);
  const byteLength = packed.readUInt32LE(4);
  return packed.toString('utf8', 8 + length, 8 + length + byteLength);
}

/** A normalizer made from a copy of the tables with one change. */
function changed(change: (copy: NormalizerTables) => void): NativeNormalizer {
  const copy = structuredClone(tables);
  change(copy);
  return createNormalizer(copy);
}

const cp = (ch: string): number => ch.codePointAt(0) ?? 0;

describe('native normalizer tables', () => {
  it('reports the tables it was given, entry for entry', () => {
    assert.deepStrictEqual(standard.tables(), tables);
  });

  it('follows a change to each table', () => {
    const cases: Array<[string, (copy: NormalizerTables) => void, string, string]> = [
      ['fold.direct', (t) => void (t.fold.direct[cp('x')] = cp('y')), 'box', 'boy'],
      ['fold.ignoredAbove', (t) => void (t.fold.ignoredAbove = new Uint32Array(0)), 'a\u{e0041}b', 'a\u{e0041}b'],
      ['classes.above', (t) => void (t.classes.above = new Uint32Array(0)), '高\u{20000}仿', '高仿'],
      ['separators.soft', (t) => void (t.separators.soft[cp('.')] = 0), 'l.v', 'l.v'],
      ['separators.space', (t) => void (t.separators.space = cp('_')), 'louis-vuitton', 'louis_vuitton'],
      ['separators.maxInsideRun', (t) => void (t.separators.maxInsideRun = 0), '路 易', '路 易'],
      ['digits.asLetter', (t) => void (t.digits.asLetter[cp('1')] = cp('i')), 'b1ke', 'bike'],
      ['digits.letters', (t) => void t.digits.letters.fill(0), 'c4n', 'c4n'],
    ];
    const standardOut = new Map<string, string>([
      ['box', 'box'],
      ['a\u{e0041}b', 'ab'],
      ['高\u{20000}仿', '高\u{20000}仿'],
      ['l.v', 'l v'],
      ['louis-vuitton', 'louis vuitton'],
      ['路 易', '路易'],
      ['b1ke', 'b1ke'],
      ['c4n', 'can'],
    ]);
    for (const [table, change, input, expected] of cases) {
      assert.equal(normalized(standard, input), standardOut.get(input), `${input} with the standard tables`);
      assert.equal(normalized(changed(change), input), expected, `${input} after changing ${table}`);
    }
  });

  it('refuses tables of the wrong shape, naming the table', () => {
    assert.throws(() => changed((t) => void (t.digits.asLetter = new Uint8Array(10))), /tables\.digits\.asLetter/);
    assert.throws(() => changed((t) => void (t.classes.direct = new Uint8Array(16))), /tables\.classes\.direct/);
    assert.throws(() => changed((t) => void (t.separators.maxInsideRun = -1)), /tables\.separators\.maxInsideRun/);
    assert.throws(() => changed((t) => void (t.fold.multi = Uint32Array.of(0x41, 3, 0x61))), /tables\.fold\.multi is truncated/);
  });

  it('drops above the direct table exactly the code points Unicode calls default-ignorable there', () => {
    const ignorable = /^[\p{Default_Ignorable_Code_Point}\p{Cf}]$/u;
    for (let code = DIRECT_TABLE_SIZE; code <= 0x10ffff; code++) {
      const dropped = code >= IGNORABLE_ABOVE_DIRECT[0] && code <= IGNORABLE_ABOVE_DIRECT[1];
      if (ignorable.test(String.fromCodePoint(code)) !== dropped) assert.fail(`U+${code.toString(16)}: ignorable and dropped disagree`);
    }
  });
});
