// The 3,755 most common Chinese characters: level 1 of GB 2312 (rows 16-55), read
// through the platform's GBK decoder rather than typed here. Sellers write a
// brand's sound with characters every input method offers first; a rare
// character of the same sound would only widen what a sound-alike matches.
const FIRST_ROW = 0xb0;
const LAST_ROW = 0xd7;
const FIRST_CELL = 0xa1;
const LAST_CELL = 0xfe;
/** Row 55 ends early: its last five cells are unassigned. */
const LAST_CELL_OF_LAST_ROW = 0xf9;

let loaded: ReadonlySet<string> | undefined;

export function commonHanzi(): ReadonlySet<string> {
  if (loaded) return loaded;
  const decoder = new TextDecoder('gbk', { fatal: true });
  const out = new Set<string>();
  for (let row = FIRST_ROW; row <= LAST_ROW; row++) {
    const last = row === LAST_ROW ? LAST_CELL_OF_LAST_ROW : LAST_CELL;
    for (let cell = FIRST_CELL; cell <= last; cell++) out.add(decoder.decode(Uint8Array.of(row, cell)));
  }
  loaded = out;
  return out;
}
