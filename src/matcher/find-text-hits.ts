// Scans a listing's normalized fields in one pass and turns raw matches into text
// hits: whole-word checks for Latin terms, exceptions (`unlessNear`, 20 normalized
// characters either side, same field), rule field filters, and one hit per entry.
import { CharClass } from '../normalize/char-class.js';
import { normalizeText } from '../normalize/normalize-text.js';
import { indexAtByte, originalSpan, type NormalizedText } from '../normalize/normalized-text.js';
import type { NativeDatabase } from '../native/rules-engine.js';
import type { TextField } from './text-field.js';
import { PatternKind, hasLeftBoundary, hasRightBoundary, readsPlainText, readsSoundText, type PatternMeta } from './pattern-plan.js';
import { writeSoundText } from './sound-text.js';
import { normalizedOffset, spacelessText } from './spaceless-text.js';
import type { TextHit } from './text-hit.js';
import { isTermDisguise } from './disguise-guard.js';
import { skeletonOf } from './term-skeleton.js';

/** Contract section 3: an exception term excuses an indicator within this many characters. */
export const NEAR_DISTANCE = 20;
const FIELD_SEPARATOR = 0x0a; // never in normalized text, which turns all white space into spaces
const MAX_MATCHES = 16_384;
/** Occurrences kept per pattern: past a few, more of one term change nothing but the time taken. */
const MAX_MATCHES_PER_PATTERN = 64;
/**
 * Time a listing's text may take, in ms. Past it the fields not reached are left
 * unread and the findings say so (`truncated`): what was found still counts, and
 * the check treats the rest as a signal it could not compute (issue 30: padding a
 * blocked listing with 120 KB of match-dense text made it `review` by deadline).
 */
export const TEXT_BUDGET_MS = 8;

interface FieldSpan {
  field: TextField;
  normalized: NormalizedText;
  byteStart: number;
  byteEnd: number;
}

interface Occurrence {
  id: number;
  span: FieldSpan;
  from: number; // bytes within the field
  to: number;
}

function isWordAt(text: NormalizedText, byte: number): boolean {
  if (byte < 0 || byte >= text.bytes.length) return false;
  return text.classes[indexAtByte(text, byte)] === CharClass.Word;
}

/** Normalizes the fields in order into one buffer, stopping before a field once `until` (performance.now()) has passed. */
export function buildScanBuffer(fields: readonly TextField[], until = Infinity): { buffer: Buffer; spans: FieldSpan[]; truncated: boolean } {
  const spans: FieldSpan[] = [];
  let size = 0;
  let truncated = false;
  for (const field of fields) {
    if (spans.length > 0 && performance.now() > until) {
      truncated = true;
      break;
    }
    const normalized = normalizeText(field.text);
    spans.push({ field, normalized, byteStart: size, byteEnd: size + normalized.bytes.length });
    size += normalized.bytes.length + 1;
  }
  const buffer = Buffer.allocUnsafe(Math.max(size - 1, 0));
  for (const span of spans) {
    span.normalized.bytes.copy(buffer, span.byteStart);
    if (span.byteEnd < buffer.length) buffer[span.byteEnd] = FIELD_SEPARATOR;
  }
  return { buffer, spans, truncated };
}

const plainTextPatterns = new WeakMap<PatternMeta, boolean>();

function hasPlainTextPatterns(meta: PatternMeta): boolean {
  let has = plainTextPatterns.get(meta);
  if (has === undefined) {
    has = meta.kinds.some((_, id) => readsPlainText(meta, id));
    plainTextPatterns.set(meta, has);
  }
  return has;
}

function spanAt(spans: readonly FieldSpan[], byte: number): FieldSpan | undefined {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const span = spans[middle] as FieldSpan;
    if (byte < span.byteStart) high = middle - 1;
    else if (byte >= span.byteEnd) low = middle + 1;
    else return span;
  }
  return undefined;
}

function gap(a: Occurrence, b: Occurrence): number {
  const text = a.span.normalized;
  const aStart = indexAtByte(text, a.from);
  const aEnd = indexAtByte(text, a.to);
  const bStart = indexAtByte(text, b.from);
  const bEnd = indexAtByte(text, b.to);
  return Math.max(bStart - aEnd, aStart - bEnd, 0);
}

export interface TextFindings {
  hits: TextHit[];
  /** Each field's normalized text, in field order, for the fingerprint lookup. */
  normalized: Map<string, NormalizedText>;
  /** Part of the text was left unread (over the time budget or the match caps): hits may be missing. */
  truncated: boolean;
}

export function findTextHits(db: NativeDatabase, meta: PatternMeta, fields: readonly TextField[]): TextHit[] {
  return findText(db, meta, fields).hits;
}

export function findText(db: NativeDatabase, meta: PatternMeta, fields: readonly TextField[], budgetMs = TEXT_BUDGET_MS): TextFindings {
  const { buffer, spans, truncated: unread } = buildScanBuffer(fields, performance.now() + budgetMs);
  // One scan over the texts patterns read, one after another, a line feed between:
  // the spaceless text (terms); the same folded by sound, for brand names folded so,
  // when the fold changed a character (else their matches are the spaceless text's);
  // the normalized text, for regex rules, when the pack has any.
  const readsPlain = hasPlainTextPatterns(meta);
  const views = Buffer.allocUnsafe(2 * buffer.length + 1 + (readsPlain ? buffer.length + 1 : 0));
  const spaceless = spacelessText(buffer, views);
  let size = spaceless.bytes.length;
  let soundFrom = -1;
  if (meta.soundFold.length > 0 && writeSoundText(spaceless.bytes, meta.soundFold, views.subarray(size + 1, 2 * size + 1))) {
    views[size] = FIELD_SEPARATOR;
    soundFrom = size + 1;
    size = 2 * size + 1;
  }
  let plainFrom = -1;
  if (readsPlain) {
    views[size] = FIELD_SEPARATOR;
    plainFrom = size + 1;
    size = plainFrom + buffer.copy(views, plainFrom);
  }
  const texts = 1 + (soundFrom >= 0 ? 1 : 0) + (plainFrom >= 0 ? 1 : 0);
  const scan = db.scan(views.subarray(0, size), MAX_MATCHES * texts, MAX_MATCHES_PER_PATTERN * texts);
  const occurrences: Occurrence[] = [];
  const nearByIndicator = new Map<number, Occurrence[]>();
  const consider = (id: number, from: number, to: number): void => {
    const span = spanAt(spans, from);
    if (!span || to > span.byteEnd || to <= from) return;
    if (((meta.fieldMasks[id] ?? 0) & span.field.bit) === 0) return;
    const local: Occurrence = { id, span, from: from - span.byteStart, to: to - span.byteStart };
    if (hasLeftBoundary(meta, id) && isWordAt(span.normalized, local.from - 1)) return;
    if (hasRightBoundary(meta, id) && isWordAt(span.normalized, local.to)) return;
    if (!isTermDisguise(span.normalized, span.field.text, local.from, local.to, skeletonOf(meta.skeletons, meta.skeletonStarts, id))) return;
    if (meta.kinds[id] === PatternKind.Near) {
      const ref = meta.refs[id] ?? 0;
      const list = nearByIndicator.get(ref) ?? [];
      list.push(local);
      nearByIndicator.set(ref, list);
    } else occurrences.push(local);
  };
  const matches = scan.matches;
  for (let m = 0; m + 2 < matches.length; m += 3) {
    const id = matches[m] ?? 0;
    let from = matches[m + 1] ?? 0;
    let to = matches[m + 2] ?? 0;
    let reads: boolean;
    if (plainFrom >= 0 && from >= plainFrom) {
      if (readsPlainText(meta, id)) consider(id, from - plainFrom, to - plainFrom);
      continue;
    }
    if (soundFrom >= 0 && from >= soundFrom) {
      reads = readsSoundText(meta, id);
      from -= soundFrom;
      to -= soundFrom;
    } else reads = !readsPlainText(meta, id) && (soundFrom < 0 || !readsSoundText(meta, id));
    // Spaceless offsets (the folded text has the same), back to normalized ones.
    if (reads && to > 0) consider(id, normalizedOffset(spaceless, from), normalizedOffset(spaceless, to - 1) + 1);
  }

  const hits: TextHit[] = [];
  const seen = new Set<number>();
  occurrences.sort((a, b) => a.span.byteStart - b.span.byteStart || a.from - b.from || b.to - a.to);
  for (const occ of occurrences) {
    const kind = meta.kinds[occ.id] as PatternKind;
    const ref = meta.refs[occ.id] ?? 0;
    const key = kind * 0x1_0000_0000 + ref;
    if (seen.has(key)) continue;
    if (kind === PatternKind.Indicator) {
      const excuses = nearByIndicator.get(ref);
      if (excuses?.some((near) => near.span === occ.span && gap(occ, near) <= NEAR_DISTANCE)) continue;
    }
    seen.add(key);
    const original = originalSpan(occ.span.normalized, occ.from, occ.to);
    hits.push({ kind, ref, field: occ.span.field.name, start: original.start, end: original.end });
  }
  return { hits, normalized: new Map(spans.map((span) => [span.field.name, span.normalized])), truncated: unread || scan.truncated };
}
