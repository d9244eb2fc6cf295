// Traditional -> Simplified folding against OpenCC's own test cases
// (../shared/opencc). The gate folds character by character (one normalized
// character per original one, which the offset map relies on; OpenCC's phrase
// conversion costs ~57 us/KB here). So every case that OpenCC itself converts
// character by character must come out equal; cases that need OpenCC's phrase
// rules are counted and reported.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import * as OpenCC from 'opencc-js';
import { normalizeTerm } from '../src/normalize/normalize-text.js';
import { sharedFile } from './helpers/shared-data.js';

const FROM = { t2s: 't', tw2s: 'tw', hk2s: 'hk' } as const;
const file = sharedFile('opencc', 'testcases.json');

it('folds Traditional to Simplified as OpenCC does, character by character', { skip: file.skip }, (t) => {
  // The file has trailing commas.
  const data = JSON.parse(readFileSync(file.path ?? '', 'utf8').replace(/,(\s*[}\]])/g, '$1')) as {
    cases: Array<{ id: string; input: string; expected: Record<string, string> }>;
  };
  let charLevel = 0;
  let phraseLevel = 0;
  let phraseLevelEqual = 0;
  const failures: string[] = [];
  for (const testCase of data.cases) {
    for (const [config, expected] of Object.entries(testCase.expected)) {
      const from = FROM[config as keyof typeof FROM];
      if (!from) continue;
      const convert = OpenCC.Converter({ from, to: 'cn' });
      const characterwise = Array.from(testCase.input, (c) => convert(c)).join('');
      const equal = normalizeTerm(testCase.input) === normalizeTerm(expected);
      if (characterwise === expected) {
        charLevel++;
        if (!equal) failures.push(`${testCase.id} ${config}: ${testCase.input} -> ${normalizeTerm(testCase.input)}, expected ${expected}`);
      } else {
        phraseLevel++;
        if (equal) phraseLevelEqual++;
      }
    }
  }
  t.diagnostic(
    `opencc: ${charLevel - failures.length}/${charLevel} character-level cases equal; ${phraseLevelEqual}/${phraseLevel} cases that need phrase rules equal anyway`,
  );
  assert.ok(charLevel > 50, `expected over 50 character-level cases, found ${charLevel}`);
  assert.deepEqual(failures, []);
});
