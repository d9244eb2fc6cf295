// What the pack's text signals compile to: Hyperscan patterns with stable ids,
// and for each id what it means. The ids are positions in a deterministic walk of
// the pack, and the compiled-database cache key covers every expression with its
// id, so a database is never reused with shifted ids.
import { normalizeTerm } from '../normalize/normalize-text.js';
import { patternFlags, type PatternSpec } from '../native/rules-engine.js';

/** How a pack's regex rule is compiled. */
export const REGEX_RULE_FLAGS = patternFlags.UTF8 | patternFlags.SOM_LEFTMOST | patternFlags.CASELESS;
import { DEFAULT_SOUND_ALIKES, type PolicyPack, type RuleField } from '../pack/policy-pack.js';
import { termShape } from './term-expression.js';
import { soundAlikeForms } from '../brands/sound-alike-forms.js';
import { buildSoundFold } from '../brands/sound-fold.js';
import { escapeLiteral } from '../native/rules-engine.js';
import { SKELETON_OTHER } from './term-skeleton.js';
import { packSkeletons } from './term-skeleton.js';

export const enum PatternKind {
  Brand = 0,
  Indicator = 1,
  /** An `unlessNear` term of an exception; `ref` is the indicator it excuses. */
  Near = 2,
  Rule = 3,
  /** A CJK brand name written by its sound (pinyin, initials, same-sound characters); `ref` is the brand. */
  SoundAlike = 4,
}

export const FIELD_BITS: Readonly<Record<RuleField, number>> = { title: 1, description: 2, brand: 4, attributes: 8 };
export const ALL_FIELDS = 15;

const BOUNDARY_LEFT = 1;
const BOUNDARY_RIGHT = 2;
/** A regex rule: it scans the normalized text as it is, spaces included, not the spaceless text terms scan. */
const PLAIN_TEXT = 4;
/** A brand name folded by sound: it scans the spaceless text folded by sound (sound-fold.ts). */
const SOUND_TEXT = 8;

/** Per-id meaning, as flat typed arrays so that worker threads can share it without copying. */
export interface PatternMeta {
  kinds: Uint8Array;
  refs: Uint32Array;
  boundaries: Uint8Array;
  fieldMasks: Uint8Array;
  /** Each pattern's skeleton (term-skeleton.ts), for the disguise guard. */
  skeletons: Uint8Array;
  skeletonStarts: Uint32Array;
  /** The fold by sound the SoundAlike patterns were made with (sound-fold.ts); empty when the pack has none. */
  soundFold: Uint16Array;
}

export interface PatternPlan {
  patterns: PatternSpec[];
  meta: PatternMeta;
  /** Which pack entry each pattern came from, to name it when it fails to compile. */
  sources: string[];
}

export function hasLeftBoundary(meta: PatternMeta, id: number): boolean {
  return ((meta.boundaries[id] ?? 0) & BOUNDARY_LEFT) !== 0;
}

export function hasRightBoundary(meta: PatternMeta, id: number): boolean {
  return ((meta.boundaries[id] ?? 0) & BOUNDARY_RIGHT) !== 0;
}

export function readsPlainText(meta: PatternMeta, id: number): boolean {
  return ((meta.boundaries[id] ?? 0) & PLAIN_TEXT) !== 0;
}

export function readsSoundText(meta: PatternMeta, id: number): boolean {
  return ((meta.boundaries[id] ?? 0) & SOUND_TEXT) !== 0;
}

export function buildPatternPlan(pack: PolicyPack): PatternPlan {
  const patterns: PatternSpec[] = [];
  const kinds: number[] = [];
  const refs: number[] = [];
  const boundaries: number[] = [];
  const fieldMasks: number[] = [];
  const sources: string[] = [];
  const skeletons: Uint8Array[] = [];
  const termFlags = patternFlags.UTF8 | patternFlags.SOM_LEFTMOST;

  const addTerm = (term: string, kind: PatternKind, ref: number, mask: number, source: string): void => {
    const shape = termShape(normalizeTerm(term), kind !== PatternKind.SoundAlike);
    patterns.push({ id: patterns.length, expression: shape.expression, flags: termFlags });
    kinds.push(kind);
    refs.push(ref);
    boundaries.push((shape.leftBoundary ? BOUNDARY_LEFT : 0) | (shape.rightBoundary ? BOUNDARY_RIGHT : 0));
    fieldMasks.push(mask);
    sources.push(source);
    skeletons.push(shape.skeleton);
  };

  pack.brands.forEach((brand, b) => {
    brand.names.forEach((name, n) => addTerm(name, PatternKind.Brand, b, ALL_FIELDS, `brands[${b}].names[${n}]`));
  });
  const soundAlikeBrands = pack.brands.filter((brand) => brand.soundAlikes ?? DEFAULT_SOUND_ALIKES);
  const soundFold = soundAlikeBrands.length > 0 ? buildSoundFold() : new Uint16Array(0);
  let soundFolded = false;
  pack.brands.forEach((brand, b) => {
    if (!(brand.soundAlikes ?? DEFAULT_SOUND_ALIKES)) return;
    brand.names.forEach((name, n) => {
      const forms = soundAlikeForms(name, soundFold);
      if (!forms) return;
      const source = `brands[${b}].names[${n}] (sound-alike)`;
      for (const romanized of forms.romanized) addTerm(romanized, PatternKind.SoundAlike, b, ALL_FIELDS, source);
      if (forms.soundFolded === undefined) return;
      soundFolded = true;
      // Chinese characters only: no word boundaries, one character of text per character of the name.
      patterns.push({ id: patterns.length, expression: escapeLiteral(forms.soundFolded), flags: termFlags });
      kinds.push(PatternKind.SoundAlike);
      refs.push(b);
      boundaries.push(SOUND_TEXT);
      fieldMasks.push(ALL_FIELDS);
      sources.push(source);
      skeletons.push(new Uint8Array(Array.from(forms.soundFolded).length).fill(SKELETON_OTHER));
    });
  });
  const indicatorIndex = new Map<string, number>();
  pack.indicators.forEach((indicator, i) => {
    indicatorIndex.set(normalizeTerm(indicator.term), i);
    addTerm(indicator.term, PatternKind.Indicator, i, ALL_FIELDS, `indicators[${i}].term`);
  });
  pack.exceptions.forEach((exception, e) => {
    const excused = indicatorIndex.get(normalizeTerm(exception.term));
    if (excused === undefined) return;
    exception.unlessNear.forEach((near, n) => addTerm(near, PatternKind.Near, excused, ALL_FIELDS, `exceptions[${e}].unlessNear[${n}]`));
  });
  pack.rules.forEach((rule, r) => {
    const mask = rule.fields.reduce((m, f) => m | FIELD_BITS[f], 0);
    if (rule.type === 'literal') {
      addTerm(rule.pattern, PatternKind.Rule, r, mask, `rules[${r}].pattern`);
      return;
    }
    patterns.push({ id: patterns.length, expression: rule.pattern, flags: REGEX_RULE_FLAGS });
    kinds.push(PatternKind.Rule);
    refs.push(r);
    boundaries.push(PLAIN_TEXT);
    fieldMasks.push(mask);
    sources.push(`rules[${r}].pattern`);
    skeletons.push(new Uint8Array(0));
  });
  const packed = packSkeletons(skeletons);

  return {
    patterns,
    meta: {
      kinds: Uint8Array.from(kinds),
      refs: Uint32Array.from(refs),
      boundaries: Uint8Array.from(boundaries),
      fieldMasks: Uint8Array.from(fieldMasks),
      skeletons: packed.bytes,
      skeletonStarts: packed.starts,
      soundFold: soundFolded ? soundFold : new Uint16Array(0),
    },
    sources,
  };
}
