import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { validateAndCompilePack } from '../src/pack/compile-pack.js';
import { PackInvalidError } from '../src/pack/pack-invalid-error.js';
import { validatePack } from '../src/pack/validate-pack.js';

const demo = (): Record<string, unknown> => JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as Record<string, unknown>;

describe('pack validation', () => {
  it('accepts the demo pack', () => {
    const result = validatePack(demo());
    assert.equal(result.ok, true);
  });

  it('names every bad entry by its path', () => {
    const pack = demo();
    pack.thresholds = { block: 40, review: 100 };
    pack.brands = [
      { id: 'x', names: ['ok', 42, '...'] },
      { id: 'x', names: [] },
    ];
    pack.indicators = [
      { term: 'replica', score: 'high' },
      { term: 'Replica', score: 10 },
    ];
    pack.exceptions = [{ term: 'not-an-indicator', unlessNear: [] }];
    pack.rules = [{ id: 'r', type: 'glob', pattern: 'x', score: 1, fields: ['price'] }];
    pack.fingerprints = { texts: [{ ref: 't' }], images: [{ ref: 'i', phash: 'xyz' }] };
    pack.extra = true;
    const result = validatePack(pack);
    assert.equal(result.ok, false);
    const paths = result.ok ? [] : result.issues.map((i) => i.path);
    for (const path of [
      'thresholds.review',
      'brands[0].names[1]',
      'brands[0].names[2]',
      'brands[1].id',
      'brands[1].names',
      'indicators[0].score',
      'indicators[1].term',
      'exceptions[0].term',
      'exceptions[0].unlessNear',
      'rules[0].type',
      'rules[0].fields',
      'fingerprints.texts[0].text',
      'fingerprints.images[0].phash',
      'extra',
    ]) {
      assert.ok(paths.includes(path), `expected an issue at ${path}; got ${paths.join(', ')}`);
    }
  });

  it('names every regex rule that does not compile', async () => {
    const pack = demo();
    pack.rules = [
      { id: 'good', type: 'regex', pattern: 'a+b', score: 10 },
      { id: 'bad1', type: 'regex', pattern: 'a(b', score: 10 },
      { id: 'bad2', type: 'regex', pattern: '[z', score: 10 },
    ];
    await assert.rejects(validateAndCompilePack(pack), (error: unknown) => {
      assert.ok(error instanceof PackInvalidError);
      assert.deepEqual(
        error.issues.map((i) => i.path),
        ['rules[1].pattern', 'rules[2].pattern'],
      );
      assert.match(error.issues[0]?.message ?? '', /does not compile/);
      return true;
    });
  });

  it("names a regex rule that does not compile together with the pack's other problems, in one refusal", async () => {
    const pack = demo();
    pack.thresholds = { block: 40, review: 100 };
    pack.rules = [
      { id: 'bad1', type: 'regex', pattern: 'a(b', score: 10 },
      { id: 'bad2', type: 'regex', pattern: 'x', score: 'high' },
    ];
    await assert.rejects(validateAndCompilePack(pack), (error: unknown) => {
      assert.ok(error instanceof PackInvalidError);
      assert.deepEqual(error.issues.map((i) => i.path).sort(), ['rules[0].pattern', 'rules[1].score', 'thresholds.review']);
      return true;
    });
  });

  it('gives the same database key for the same pack and another for a changed one', async () => {
    const a = await validateAndCompilePack(demo());
    const b = await validateAndCompilePack(demo());
    const changed = demo();
    (changed.indicators as Array<{ term: string; score: number }>).push({ term: 'knockoff', score: 60 });
    const c = await validateAndCompilePack(changed);
    assert.equal(a.key, b.key);
    assert.notEqual(a.key, c.key);
  });
});
