// Common characters by their sound (pinyin without tones, from pinyin-pro), to
// write a brand's name with other characters of the same sound (issue 24 item 3).
// Tones are left out on purpose: sellers pick a character by its syllable.
import { pinyin } from 'pinyin-pro';
import { commonHanzi } from './common-hanzi.js';

/** Toneless syllables, `ü` typed as `v` as every pinyin input method does (`lv`, `nv`). */
const SYLLABLES = { toneType: 'none', type: 'array', v: true } as const;

let loaded: ReadonlyMap<string, readonly string[]> | undefined;

/** Syllable (`lu`, `yi`) -> the common characters read so, in GB 2312 order. */
export function homophonesBySyllable(): ReadonlyMap<string, readonly string[]> {
  if (loaded) return loaded;
  const out = new Map<string, string[]>();
  for (const ch of commonHanzi()) {
    const syllable = pinyin(ch, SYLLABLES)[0];
    if (syllable === undefined || syllable === ch) continue;
    const list = out.get(syllable) ?? [];
    list.push(ch);
    out.set(syllable, list);
  }
  loaded = out;
  return out;
}

/** The syllables of a name as it is read (pinyin-pro picks a reading for each character in context). */
export function syllablesOf(name: string): string[] {
  return pinyin(name, SYLLABLES);
}
