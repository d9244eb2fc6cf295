// Traditional Chinese folded to Simplified, character by character, from OpenCC's
// dictionaries (opencc-js). Pack terms and listing text go through the same fold,
// so a term written either way matches text written either way. Character-level
// folding ignores OpenCC's phrase rules on purpose: it keeps one normalized
// character per original character, which the offset map relies on.
import * as OpenCC from 'opencc-js';

const HAN_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0x20000, 0x2a6df],
];

let loaded: Map<number, number> | undefined;

export function traditionalToSimplified(): Map<number, number> {
  if (loaded) return loaded;
  const converters = (['t', 'tw', 'hk'] as const).map((from) => OpenCC.Converter({ from, to: 'cn' }));
  const folds = new Map<number, number>();
  for (const [first, last] of HAN_RANGES) {
    for (let cp = first; cp <= last; cp++) {
      const ch = String.fromCodePoint(cp);
      for (const convert of converters) {
        const out = convert(ch);
        const outCp = out.codePointAt(0);
        if (out !== ch && outCp !== undefined && [...out].length === 1) {
          folds.set(cp, outCp);
          break;
        }
      }
    }
  }
  loaded = folds;
  return folds;
}
