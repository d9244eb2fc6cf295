// How a CJK brand name is written by its sound (issue 24 item 3): its pinyin
// (`lu yi wei deng`; joined and hyphenated forms are the same term read through
// its separators), its initials (`lywd`) for names of three characters or more,
// and, for names of three characters or more, the name written with other
// characters of the same sound (`路易维登`, `鹿易威登`), found by folding both the
// name and the listing by sound (sound-fold.ts). Derived, never typed: pinyin-pro
// and GB 2312 decide.
import { normalizeTerm } from '../normalize/normalize-text.js';
import { syllablesOf } from './homophones.js';
import { foldBySound } from './sound-fold.js';

/** Initials of a two-character name (`hw`, `xm`) are two letters: too many other things. */
export const MIN_CHARS_FOR_INITIALS = 3;

export interface SoundAlikeForms {
  /** Latin terms, matched as terms are: `lu yi wei deng`, `lywd`. */
  readonly romanized: readonly string[];
  /** The name folded by sound (sound-fold.ts), matched against the listing's text folded so; undefined for a two-character name. */
  readonly soundFolded: string | undefined;
}

const HAN = /^\p{Script=Han}+$/u;

/**
 * Same-sound characters only for names of three characters or more: a
 * two-character name with one swapped is one character next to any of a hundred
 * (小米 read `小蜜` in 11 of 12,985 real Taobao titles: `小蜜蜂`, a loudspeaker).
 */
export const MIN_CHARS_FOR_SAME_SOUND = 3;

/** The sound-alike forms of a brand name, or undefined for a name that is not all Chinese characters. */
export function soundAlikeForms(name: string, soundFold: Uint16Array): SoundAlikeForms | undefined {
  const normalized = normalizeTerm(name);
  const chars = Array.from(normalized);
  if (chars.length < 2 || !HAN.test(normalized)) return undefined;
  const syllables = syllablesOf(normalized);
  if (syllables.length !== chars.length || syllables.some((s) => !/^[a-z]+$/.test(s))) return undefined;
  const romanized = [syllables.join(' ')];
  if (chars.length >= MIN_CHARS_FOR_INITIALS) romanized.push(syllables.map((s) => s[0]).join(''));
  return { romanized, soundFolded: chars.length >= MIN_CHARS_FOR_SAME_SOUND ? foldBySound(normalized, soundFold) : undefined };
}
