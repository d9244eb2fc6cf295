// Issue 24 item 3: a CJK brand name written by its sound (pinyin, initials, other
// characters of the same sound) adds `brand_sound_alike`, worth a review and
// never part of a block; whole-word discipline for the romanized forms.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { soundAlikeForms } from '../src/brands/sound-alike-forms.js';
import { buildSoundFold } from '../src/brands/sound-fold.js';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { scoreListing } from '../src/gate/score-listing.js';
import { findTextHits } from '../src/matcher/find-text-hits.js';
import { PatternKind, buildPatternPlan } from '../src/matcher/pattern-plan.js';
import { rulesEngine } from '../src/native/rules-engine.js';
import type { PolicyPack } from '../src/pack/policy-pack.js';
import { validatePack } from '../src/pack/validate-pack.js';

const validation = validatePack(JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')));
if (!validation.ok) throw new Error('the demo pack does not validate');
const pack = validation.pack;
const lv = pack.brands.findIndex((b) => b.names.includes('路易威登'));

function decide(p: PolicyPack, title: string): ReturnType<typeof scoreListing> & { hits: ReturnType<typeof findTextHits> } {
  const plan = buildPatternPlan(p);
  const db = rulesEngine.compile(plan.patterns);
  try {
    const hits = findTextHits(db, plan.meta, [{ name: 'title', bit: 1, text: title }]);
    return { ...scoreListing(p, { sellerId: 's-1', textHits: hits, listHits: [] }), hits };
  } finally {
    db.close();
  }
}

describe('brand sound-alikes', () => {
  it('derives pinyin, initials and the name folded by sound from the name alone', () => {
    const fold = buildSoundFold();
    const forms = soundAlikeForms('路易威登', fold);
    assert.deepEqual(forms?.romanized, ['lu yi wei deng', 'lywd']);
    assert.equal(soundAlikeForms('路易维登', fold)?.soundFolded, forms?.soundFolded); // 维 and 威 are both wei
    assert.notEqual(soundAlikeForms('路易为登', fold)?.soundFolded, undefined);
    const two = soundAlikeForms('小米', fold);
    assert.deepEqual(two, { romanized: ['xiao mi'], soundFolded: undefined }); // no initials, no same-sound characters
    assert.equal(soundAlikeForms('Louis Vuitton', fold), undefined);
  });

  const soundAlikes: Array<[string, string]> = [
    ['鹿易威登 女包 新款', '鹿易威登'],
    ['路易维登老花包', '路易维登'],
    ['lu yi wei deng bag', 'lu yi wei deng'],
    ['LuYiWeiDeng 包包', 'LuYiWeiDeng'],
    ['lywd 正品', 'lywd'],
  ];
  for (const [title, expected] of soundAlikes) {
    it(`sends ${JSON.stringify(title)} to review with brand_sound_alike at ${JSON.stringify(expected)}`, () => {
      const decided = decide(pack, title);
      const reason = decided.reasons.find((r) => r.code === 'brand_sound_alike');
      assert.equal(decided.verdict, 'review');
      assert.equal(reason?.ref, pack.brands[lv]?.id);
      assert.equal(title.slice(reason?.start, reason?.end), expected);
    });
  }

  for (const title of ['xlywd 配件', 'lu yi weidengx', '小蜜蜂扩音器', '华威复红舒', '路易 登']) {
    it(`finds no sound-alike in ${JSON.stringify(title)}`, () => {
      assert.equal(
        decide(pack, title).hits.some((h) => h.kind === PatternKind.SoundAlike),
        false,
      );
    });
  }

  it('never blocks on a sound-alike: with a strong indicator it is a review', () => {
    const decided = decide(pack, '鹿易威登 高仿 女包');
    assert.equal(decided.score, 100);
    assert.equal(decided.verdict, 'review');
    assert.deepEqual(decided.reasons.map((r) => r.code).sort(), ['brand_sound_alike', 'indicator']);
  });

  it('gives no sound-alike reason when the brand itself is named', () => {
    const decided = decide(pack, '路易威登 lu yi wei deng');
    assert.equal(
      decided.reasons.some((r) => r.code === 'brand_sound_alike'),
      false,
    );
  });

  it('is off for a brand whose entry says soundAlikes: false', () => {
    const off = { ...pack, brands: pack.brands.map((b) => ({ ...b, soundAlikes: false })) };
    assert.equal(
      decide(off, '鹿易威登 lywd lu yi wei deng').hits.some((h) => h.kind === PatternKind.SoundAlike),
      false,
    );
  });

  it('refuses a pack whose soundAlikes is not a boolean, naming the field', () => {
    const raw = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as { brands: Array<Record<string, unknown>> };
    (raw.brands[0] as Record<string, unknown>).soundAlikes = 'yes';
    const result = validatePack(raw);
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.issues.map((i) => i.path), ['brands[0].soundAlikes']);
  });
});
