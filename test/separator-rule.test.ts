// Contract section 3, the separator rule in general (issue 24 item 1): a separator
// inside a term never hides it, whatever its scripts (Latin next to CJK, digits
// around the term's own punctuation, full-width forms), while a Latin term still
// matches only as whole words, a letter never stands for another and a number
// stays a number. On the demo pack; reasons point into the disguise.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { PatternKind, buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import { validatePack } from '../src/pack/validate-pack.js';

const validation = validatePack(JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')));
if (!validation.ok) throw new Error('the demo pack does not validate');
const pack = validation.pack;
const plan = buildPatternPlan(pack);
const db = rulesEngine.compile(plan.patterns);

function termRef(kind: PatternKind, term: string): number {
  const ref = kind === PatternKind.Brand ? pack.brands.findIndex((b) => b.names.includes(term)) : pack.indicators.findIndex((i) => i.term === term);
  assert.ok(ref >= 0, `${term} is not in the demo pack`);
  return ref;
}

/** The text found for the term, or undefined. */
function found(text: string, kind: PatternKind, term: string): string | undefined {
  const ref = termRef(kind, term);
  const hit = findTextHits(db, plan.meta, [{ name: 'title', bit: 1, text }]).find((h) => h.kind === kind && h.ref === ref);
  return hit && text.slice(hit.start, hit.end);
}

describe('the separator rule, for every script', () => {
  const disguises: Array<[string, PatternKind, string, string]> = [
    // Latin next to CJK
    ['正品 A 货 包邮', PatternKind.Indicator, 'A货', 'A 货'],
    ['A.货', PatternKind.Indicator, 'A货', 'A.货'],
    ['超·A 品质', PatternKind.Indicator, '超A', '超·A'],
    ['Ａ　货', PatternKind.Indicator, 'A货', 'Ａ　货'],
    // digits around the term's own punctuation
    ['1 : 1 复刻', PatternKind.Indicator, '1:1', '1 : 1'],
    ['１：１', PatternKind.Indicator, '1:1', '１：１'],
    ['AAA + quality copy', PatternKind.Indicator, 'AAA+ quality copy', 'AAA + quality copy'],
    // full-width separators with full-width letters
    ['Ｌ．Ｖ包', PatternKind.Brand, 'LV', 'Ｌ．Ｖ'],
    ['Ｓ　ｏ　ｎ　ｙ耳机', PatternKind.Brand, 'Sony', 'Ｓ　ｏ　ｎ　ｙ'],
    // spaced-out terms next to single letters and digits
    ['Buy a L.V bag', PatternKind.Brand, 'LV', 'L.V'],
    ['2 L.V bags', PatternKind.Brand, 'LV', 'L.V'],
    ['N.i.k.e x 2', PatternKind.Brand, 'Nike', 'N.i.k.e'],
    ['5.o.n.y', PatternKind.Brand, 'Sony', '5.o.n.y'],
    ['L★V', PatternKind.Brand, 'LV', 'L★V'],
    // punctuation inside a word, each word of a term disguised its own way
    ['Can.on EOS', PatternKind.Brand, 'Canon', 'Can.on'],
    ['S4ms-ung', PatternKind.Brand, 'Samsung', 'S4ms-ung'],
    ['1:1 m.i.r.r.o.r q\u200buality', PatternKind.Indicator, '1:1 mirror quality', '1:1 m.i.r.r.o.r q\u200buality'],
    ['Lou.is-Vuit.ton', PatternKind.Brand, 'Louis Vuitton', 'Lou.is-Vuit.ton'],
  ];
  for (const [text, kind, term, expected] of disguises) {
    it(`finds ${term} in ${JSON.stringify(text)}, at ${JSON.stringify(expected)}`, () => {
      assert.equal(found(text, kind, term), expected);
    });
  }

  const innocents: Array<[string, PatternKind, string]> = [
    ['IV drip', PatternKind.Brand, 'LV'],
    ['I V drip', PatternKind.Brand, 'LV'],
    ['silver', PatternKind.Brand, 'LV'],
    ['new-lv18c3h1y2', PatternKind.Brand, 'LV'],
    ['Size 1 V-neck', PatternKind.Brand, 'LV'], // a number is not a letter next to one letter
    ['L    V', PatternKind.Brand, 'LV'], // more than 3 separators separate
    ['a beer can on the table', PatternKind.Brand, 'Canon'], // a space between whole words
    ['Samsung 3 05 5', PatternKind.Brand, 'Sony'],
    ['1.1 mm', PatternKind.Indicator, '1:1'], // the term's own punctuation is needed
    ['Grade AAAA', PatternKind.Indicator, 'AAA'],
  ];
  for (const [text, kind, term] of innocents) {
    it(`does not find ${term} in ${JSON.stringify(text)}`, () => {
      assert.equal(found(text, kind, term), undefined);
    });
  }
});
