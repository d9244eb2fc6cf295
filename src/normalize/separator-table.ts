// Which separators are soft: a run made only of them between two words becomes
// one space (`Louis-Vuitton` reads as `louis vuitton`). Hard punctuation is kept
// as it is, so that `1:1` stays distinct from `1.1` and `AAA+` from `AAA`.
// Other symbols (`★`, `♥`, `※`, `©`) are soft too: sellers put them inside a
// term (`L★V`) as they put dots, and no price or ratio is written with them.
// Currency and mathematical signs (`¥`, `±`) stay as they are, for pack regexes.
import type { NormalizerTables } from '../native/rules-engine.js';

const HARD_PUNCTUATION = new Set([':', '&', '#', '@', '%', '+', '=', '<', '>', '$'].map((c) => c.codePointAt(0) ?? 0));
const SOFT_SYMBOLS = new Set(['|', '~', '^', '`'].map((c) => c.codePointAt(0) ?? 0));
const PUNCTUATION = /^[\p{P}\p{So}]$/u;

/** Contract section 3: a longer run of separators always separates. */
export const MAX_INSIDE_SEPARATOR = 3;
/** What a stretch of soft separators becomes: one ASCII space, as white space folds to. */
const SPACE = 0x20;

/** 1 for a soft separator in the BMP, else 0. */
export function buildSoftSeparatorTable(): Uint8Array {
  const soft = new Uint8Array(0x10000);
  for (let cp = 0; cp < 0x10000; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    soft[cp] = cp === 0x20 || SOFT_SYMBOLS.has(cp) || (PUNCTUATION.test(String.fromCharCode(cp)) && !HARD_PUNCTUATION.has(cp)) ? 1 : 0;
  }
  return soft;
}

/** The separator rules as the native normalizer takes them. */
export function separatorTables(): NormalizerTables['separators'] {
  return { soft: buildSoftSeparatorTable(), space: SPACE, maxInsideRun: MAX_INSIDE_SEPARATOR };
}
