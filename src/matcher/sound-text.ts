// The spaceless text folded by sound (src/brands/sound-fold.ts), which the
// patterns of brand names folded so scan. A folded character is a common one of
// the CJK Unified block, three bytes in UTF-8 like the one it replaces, so the
// folded text has the spaceless text's byte offsets.
import { SOUND_FOLD_FIRST } from '../brands/sound-fold.js';

export function soundText(spaceless: Buffer, fold: Uint16Array): Buffer {
  const out = Buffer.from(spaceless);
  for (let b = 0; b + 2 < out.length; b++) {
    const lead = out[b] ?? 0;
    if (lead < 0xe4 || lead > 0xe9) continue; // U+4E00..U+9FFF lead bytes
    const cp = ((lead & 0x0f) << 12) | (((out[b + 1] ?? 0) & 0x3f) << 6) | ((out[b + 2] ?? 0) & 0x3f);
    const folded = cp >= SOUND_FOLD_FIRST ? (fold[cp - SOUND_FOLD_FIRST] ?? 0) : 0;
    if (folded !== 0) {
      out[b] = 0xe0 | (folded >> 12);
      out[b + 1] = 0x80 | ((folded >> 6) & 0x3f);
      out[b + 2] = 0x80 | (folded & 0x3f);
    }
    b += 2;
  }
  return out;
}
