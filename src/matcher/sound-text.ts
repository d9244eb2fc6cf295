// The spaceless text folded by sound (src/brands/sound-fold.ts), which the
// patterns of brand names folded so scan. A folded character is a common one of
// the CJK Unified block, three bytes in UTF-8 like the one it replaces, so the
// folded text has the spaceless text's byte offsets.
import { SOUND_FOLD_FIRST } from '../brands/sound-fold.js';

/**
 * Writes the spaceless text folded by sound into `out` (as long as `spaceless`)
 * and says whether any character changed; when none did, `out` is left unwritten
 * (the folded text is the spaceless text itself).
 */
export function writeSoundText(spaceless: Buffer, fold: Uint16Array, out: Buffer): boolean {
  let copied = false;
  for (let b = 0; b + 2 < spaceless.length; b++) {
    const lead = spaceless[b] ?? 0;
    if (lead < 0xe4 || lead > 0xe9) continue; // U+4E00..U+9FFF lead bytes
    const cp = ((lead & 0x0f) << 12) | (((spaceless[b + 1] ?? 0) & 0x3f) << 6) | ((spaceless[b + 2] ?? 0) & 0x3f);
    const folded = cp >= SOUND_FOLD_FIRST ? (fold[cp - SOUND_FOLD_FIRST] ?? 0) : 0;
    if (folded !== 0 && folded !== cp) {
      if (!copied) {
        spaceless.copy(out);
        copied = true;
      }
      out[b] = 0xe0 | (folded >> 12);
      out[b + 1] = 0x80 | ((folded >> 6) & 0x3f);
      out[b + 2] = 0x80 | (folded & 0x3f);
    }
    b += 2;
  }
  return copied;
}
