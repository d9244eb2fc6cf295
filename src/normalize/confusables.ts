// Look-alike letters from other scripts, folded to the Latin letter or digit they
// imitate, from Unicode's own table (UTS #39 confusables.txt, shipped in ./data).
// Only letters and digits outside ASCII are folded, and only onto ASCII letters and
// digits: mapping Latin to Latin would make a letter stand for another letter
// (UTS #39 maps `I` and `1` onto `l`, and `IV` must not read as `LV`), and mapping
// symbols would turn separators such as `∣` into letters.
import { readFileSync } from 'node:fs';
import { repoPath } from '../config/repo-root.js';

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const ASCII_ALNUM = /^[a-z0-9]+$/;
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}]$/u;

export const CONFUSABLES_FILE = repoPath('src', 'normalize', 'data', 'confusables.txt');

function parseHexSequence(field: string): string {
  return field
    .trim()
    .split(/\s+/)
    .map((hex) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .join('');
}

/** Parses confusables.txt into source code point -> lower-case ASCII prototype. */
export function parseConfusables(text: string): Map<number, string> {
  const folds = new Map<number, string>();
  for (const line of text.split('\n')) {
    const hash = line.indexOf('#');
    const body = (hash >= 0 ? line.slice(0, hash) : line).trim();
    if (body.length === 0) continue;
    const [sourceField, targetField] = body.split(';');
    if (sourceField === undefined || targetField === undefined) continue;
    const source = parseHexSequence(sourceField);
    const sourceCp = source.codePointAt(0);
    if (sourceCp === undefined || [...source].length !== 1 || sourceCp < 0x80) continue;
    if (!LETTER_OR_NUMBER.test(source) || CJK.test(source)) continue;
    const target = parseHexSequence(targetField).normalize('NFKD').toLowerCase();
    if (!ASCII_ALNUM.test(target)) continue;
    folds.set(sourceCp, target);
  }
  return folds;
}

let loaded: Map<number, string> | undefined;

export function confusableFolds(): Map<number, string> {
  loaded ??= parseConfusables(readFileSync(CONFUSABLES_FILE, 'utf8'));
  return loaded;
}
