// Property tests for contract section 3 on a pack of our own (brands and terms not
// in the dev pack, in Latin, Chinese, Japanese, Korean and Cyrillic): every
// disguise, in any combination, matches its plain term; a Latin term inside a
// longer word never matches.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import * as OpenCC from 'opencc-js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { PatternKind, buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import { normalizeTerm } from '../src/normalize/normalize-text.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { DIGIT_FOR, INVISIBLES, LOOK_ALIKES } from './helpers/disguise-arbitraries.js';

const BRANDS: Array<{ id: string; names: string[] }> = [
  { id: 'gucci', names: ['Gucci', '古驰'] },
  { id: 'rolex', names: ['Rolex', '劳力士'] },
  { id: 'chanel', names: ['Chanel', '香奈儿'] },
  { id: 'uniqlo', names: ['Uniqlo', 'ユニクロ', '优衣库'] },
  { id: 'hermes', names: ['Hermes', '爱马仕'] },
  { id: 'estee-lauder', names: ['Estee Lauder', '雅诗兰黛'] },
  { id: 'amorepacific', names: ['Amorepacific', '아모레퍼시픽'] },
  { id: 'lada', names: ['Лада'] },
  { id: 'philips', names: ['Philips', '飞利浦'] },
  { id: 'apple', names: ['Apple'] },
];
const INDICATORS = ['knockoff', 'mirror grade', '仿品', '高仿货', 'パチモン'];

const pack: PolicyPack = {
  packVersion: 'props-1',
  thresholds: { block: 100, review: 40 },
  brands: BRANDS.map((b) => ({ ...b, categories: [], authorizedSellers: [], priceFloor: {} })),
  indicators: INDICATORS.map((term) => ({ term, score: 60, withBrand: 100 })),
  exceptions: [],
  rules: [],
  lists: { sellers: [], shops: [], phones: [], devices: [], paymentAccounts: [] },
  fingerprints: { texts: [], images: [] },
};
const plan = buildPatternPlan(pack);
const db = rulesEngine.compile(plan.patterns);

interface Term {
  text: string;
  kind: PatternKind;
  ref: number;
}
const TERMS: Term[] = [
  ...pack.brands.flatMap((b, ref) => b.names.map((text) => ({ text, kind: PatternKind.Brand, ref }))),
  ...pack.indicators.map((i, ref) => ({ text: i.term, kind: PatternKind.Indicator, ref })),
];
const LATIN_TERMS = TERMS.filter((t) => /^[A-Za-z]+( [A-Za-z]+)*$/.test(t.text));

function hitsOf(text: string): Array<{ kind: PatternKind; ref: number; start: number; end: number }> {
  return findTextHits(db, plan.meta, [{ name: 'title', bit: 1, text }]);
}

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'hk' });
const isLatinLetter = (c: string): boolean => /^[A-Za-z]$/.test(c);
const isCjk = (c: string): boolean => /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(c);

const SEPARATORS = ['.', ' ', '-', '*', '|', '·', '_', '/', ' . '];

type Transform = (text: string, rand: () => number) => string;

const mapLetters = (text: string, fn: (c: string, i: number) => string): string => Array.from(text, fn).join('');
const pick = <T>(list: readonly T[], rand: () => number): T => list[Math.floor(rand() * list.length)] as T;

const TRANSFORMS: Record<string, Transform> = {
  fullWidth: (t) => mapLetters(t, (c) => (isLatinLetter(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)),
  mathBold: (t) =>
    mapLetters(t, (c) =>
      /[A-Z]/.test(c) ? String.fromCodePoint(0x1d400 + c.charCodeAt(0) - 65) : /[a-z]/.test(c) ? String.fromCodePoint(0x1d41a + c.charCodeAt(0) - 97) : c,
    ),
  circled: (t) =>
    mapLetters(t, (c) =>
      /[a-z]/.test(c) ? String.fromCodePoint(0x24d0 + c.charCodeAt(0) - 97) : /[A-Z]/.test(c) ? String.fromCodePoint(0x24b6 + c.charCodeAt(0) - 65) : c,
    ),
  randomCase: (t, r) => mapLetters(t, (c) => (r() < 0.5 ? c.toUpperCase() : c.toLowerCase())),
  lookAlikes: (t, r) =>
    mapLetters(t, (c) => {
      const options = LOOK_ALIKES.get(c.toLowerCase());
      return options !== undefined && r() < 0.6 ? pick(options, r) : c;
    }),
  invisibles: (t, r) =>
    Array.from(t)
      .map((c, i) => (i > 0 && r() < 0.5 ? pick(INVISIBLES, r) : '') + c)
      .join(''),
  accents: (t, r) => mapLetters(t, (c) => (isLatinLetter(c) && r() < 0.4 ? c + pick(['\u0301', '\u0300', '\u0308', '\u0302'], r) : c)),
  separators: (t, r) => {
    const sep = pick(SEPARATORS, r);
    if (Array.from(t).every(isCjk)) return Array.from(t).join(sep);
    // Inside each word; words stay apart, as a seller would write `L.o.u.i.s V.u.i.t.t.o.n`.
    return t
      .split(' ')
      .map((word) => Array.from(word).join(sep))
      .join(' ');
  },
  digits: (t, r) =>
    t
      .split(' ')
      .map((word) => {
        const chars = Array.from(word);
        const swappable = chars.map((c, i) => (DIGIT_FOR[c.toLowerCase()] !== undefined ? i : -1)).filter((i) => i >= 0);
        // Keep at least one letter a letter, or the word is a number and not a disguised word.
        const keep = chars.length - swappable.length > 0 ? -1 : (swappable[0] ?? -1);
        return chars.map((c, i) => (i !== keep && swappable.includes(i) && r() < 0.7 ? DIGIT_FOR[c.toLowerCase()] : c)).join('');
      })
      .join(' '),
  traditional: (t) => toTraditional(t),
  halfWidthKana: (t) => t.replace(/ユニクロ/g, 'ﾕﾆｸﾛ'),
};

// Transformations that cannot be stacked in this order (each rewrites letters the other produced).
const LETTER_STYLES = ['fullWidth', 'mathBold', 'circled', 'lookAlikes'];

const seededRandom = (seed: number): (() => number) => {
  let s = seed % 2147483647 || 1;
  return () => (s = (s * 48271) % 2147483647) / 2147483647;
};

describe('evasion: property tests on a pack of other brands and scripts', () => {
  it('matches every disguise of every term, in any combination of transformations', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TERMS),
        fc.subarray(Object.keys(TRANSFORMS)),
        fc.integer({ min: 1, max: 2 ** 30 }),
        fc.constantFrom(['', ''], ['Buy ', ' now!'], ['特价', '包邮'], ['【', '】正品'], ['new ', ' bag, 2024']),
        (term, chosen, seed, [before, after]) => {
          const rand = seededRandom(seed);
          // One letter style at most, applied after the case change and before the separators.
          const style = chosen.filter((c) => LETTER_STYLES.includes(c)).slice(0, 1);
          const order = ['randomCase', 'traditional', 'halfWidthKana', 'digits', ...style, 'separators', 'accents', 'invisibles'];
          let disguised = term.text;
          for (const name of order) if (chosen.includes(name) || style.includes(name)) disguised = TRANSFORMS[name]!(disguised, rand);
          const text = `${before}${disguised}${after}`;
          const hit = hitsOf(text).find((h) => h.kind === term.kind && h.ref === term.ref);
          assert.ok(hit, `${JSON.stringify(text)} (${chosen.join('+')}) -> ${JSON.stringify(normalizeTerm(text))} does not match ${term.text}`);
          // The reason highlights the disguise itself, inside the caller's text.
          assert.ok(
            hit.start >= before.length - 1 && hit.end <= before.length + disguised.length + 1,
            `offsets ${hit.start}-${hit.end} in ${JSON.stringify(text)}`,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never finds a Latin term inside a longer word', () => {
    const plainTerms = new Set(TERMS.map((t) => normalizeTerm(t.text)));
    fc.assert(
      fc.property(
        fc.constantFrom(...LATIN_TERMS.filter((t) => !t.text.includes(' '))),
        fc.stringMatching(/^[a-z]{0,4}$/),
        fc.stringMatching(/^[a-z]{0,4}$/),
        fc.constantFrom('plain', 'upper', 'fullWidth'),
        fc.constantFrom(['', ''], ['a ', ' b'], ['特价', '包邮']),
        (term, prefix, suffix, style, [before, after]) => {
          fc.pre(prefix.length + suffix.length > 0);
          let word = `${prefix}${term.text.toLowerCase()}${suffix}`;
          fc.pre(!plainTerms.has(word));
          if (style === 'upper') word = word.toUpperCase();
          if (style === 'fullWidth') word = TRANSFORMS.fullWidth!(word, () => 0);
          const text = `${before}${word}${after}`;
          const hit = hitsOf(text).find((h) => h.kind === term.kind && h.ref === term.ref);
          assert.equal(hit, undefined, `${JSON.stringify(text)} matched ${term.text}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('never lets a letter stand for another letter', () => {
    const lvPack: PolicyPack = { ...pack, brands: [{ id: 'lv', names: ['LV'], categories: [], authorizedSellers: [], priceFloor: {} }], indicators: [] };
    const lvPlan = buildPatternPlan(lvPack);
    const lvDb = rulesEngine.compile(lvPlan.patterns);
    const found = (text: string): boolean => findTextHits(lvDb, lvPlan.meta, [{ name: 'title', bit: 1, text }]).length > 0;
    for (const innocent of ['IV drip', 'I V drip', 'Ⅳ drip', 'silver', 'LVL 3', 'lv18c3h1y2', 'solve']) assert.equal(found(innocent), false, innocent);
    for (const disguised of ['LV', 'L.V', 'L V', 'Ｌ.Ｖ', 'l-v', 'L\u200bV', 'ⓁⓋ']) assert.equal(found(disguised), true, disguised);
    lvDb.close();
  });
});
