// Validates a policy pack as a whole: every bad entry is named by its path in the
// pack, and a pack with any bad entry is refused (contract section 2).
import { normalizeTerm } from '../normalize/normalize-text.js';
import { textGrams } from '../fingerprint/text-grams.js';
import { MIN_GRAMS } from '../fingerprint/text-index.js';
import {
  FieldIssues,
  checkNumber,
  checkString,
  checkStringArray,
  checkUnknownKeys,
  describeType,
  isPlainObject,
  type FieldIssue,
} from '../validation/field-issues.js';
import { checkEntryMode } from './entry-mode.js';
import {
  emptyPackLists,
  LIST_KINDS,
  RULE_FIELDS,
  type BankedImage,
  type BankedText,
  type BrandEntry,
  type ExceptionEntry,
  type IndicatorEntry,
  type PackLists,
  type PolicyPack,
  type RuleEntry,
  type RuleField,
  type ShadowEntries,
} from './policy-pack.js';

export type PackValidation = { ok: true; pack: PolicyPack } | { ok: false; issues: FieldIssue[] };

const TOP_KEYS = ['packVersion', 'thresholds', 'brands', 'indicators', 'exceptions', 'rules', 'lists', 'fingerprints', 'ring'];
const MAX_TERM = 256;
const MAX_SCORE = 1_000_000;
const PHASH = /^[0-9a-f]{16}$/i;

function arrayAt(issues: FieldIssues, path: string, value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    issues.add(path, `must be an array, got ${describeType(value)}`);
    return [];
  }
  return value;
}

function objectAt(issues: FieldIssues, path: string, value: unknown): Record<string, unknown> | undefined {
  if (!isPlainObject(value)) {
    issues.add(path, `must be an object, got ${describeType(value)}`);
    return undefined;
  }
  return value;
}

/** A term that folds to nothing (only punctuation or invisible characters) could match everywhere. */
function checkTerm(issues: FieldIssues, path: string, value: unknown): string | undefined {
  const term = checkString(issues, path, value, { min: 1, max: MAX_TERM, required: true });
  if (term === undefined) return undefined;
  if (normalizeTerm(term).trim().length === 0) {
    issues.add(path, `"${term}" normalizes to nothing: it has no letter, digit or CJK character`);
    return undefined;
  }
  return term;
}

/** One brand entry at `path` (`brands[3]` in a pack, `` for a rights holder's registry call). */
export function validateBrandEntry(
  issues: FieldIssues,
  path: string,
  item: unknown,
  options: { idRequired: boolean; modes?: boolean } = { idRequired: true },
): BrandEntry | undefined {
  const at = (name: string): string => (path ? `${path}.${name}` : name);
  const entry = objectAt(issues, path || 'body', item);
  if (!entry) return undefined;
  checkUnknownKeys(issues, path, entry, ['id', 'names', 'categories', 'authorizedSellers', 'priceFloor', 'soundAlikes', ...(options.modes ? ['mode'] : [])]);
  const mode = options.modes ? checkEntryMode(issues, at('mode'), entry.mode) : undefined;
  if (entry.soundAlikes !== undefined && typeof entry.soundAlikes !== 'boolean')
    issues.add(at('soundAlikes'), `must be true or false, got ${describeType(entry.soundAlikes)}`);

  const id = options.idRequired ? checkString(issues, at('id'), entry.id, { min: 1, max: 128, required: true }) : '';
  const names: string[] = [];
  const rawNames = arrayAt(issues, at('names'), entry.names);
  if (rawNames.length === 0 && Array.isArray(entry.names)) issues.add(at('names'), 'must name the brand at least once');
  if (entry.names === undefined) issues.add(at('names'), 'is required');
  rawNames.forEach((name, j) => {
    const term = checkTerm(issues, `${at('names')}[${j}]`, name);
    if (term !== undefined) names.push(term);
  });
  const categories = checkStringArray(issues, at('categories'), entry.categories, { maxItems: 1000 }) ?? [];
  const authorizedSellers = checkStringArray(issues, at('authorizedSellers'), entry.authorizedSellers, { maxItems: 100_000, itemMax: 128 }) ?? [];
  const priceFloor: Record<string, number> = {};
  if (entry.priceFloor !== undefined) {
    const floors = objectAt(issues, at('priceFloor'), entry.priceFloor);
    for (const [currency, amount] of Object.entries(floors ?? {})) {
      if (!/^[A-Z]{3}$/.test(currency)) issues.add(`${at('priceFloor')}.${currency}`, 'must be keyed by an ISO 4217 code such as CNY');
      const value = checkNumber(issues, `${at('priceFloor')}.${currency}`, amount, { min: 0 });
      if (value !== undefined) priceFloor[currency] = value;
    }
  }
  if (id === undefined) return undefined;
  const brand: BrandEntry = { id, names, categories, authorizedSellers, priceFloor };
  if (typeof entry.soundAlikes === 'boolean') brand.soundAlikes = entry.soundAlikes;
  if (mode === 'shadow') brand.mode = mode;
  return brand;
}

function validateBrands(issues: FieldIssues, raw: unknown): BrandEntry[] {
  const brands: BrandEntry[] = [];
  const ids = new Set<string>();
  arrayAt(issues, 'brands', raw).forEach((item, i) => {
    const brand = validateBrandEntry(issues, `brands[${i}]`, item, { idRequired: true, modes: true });
    if (!brand) return;
    if (ids.has(brand.id)) issues.add(`brands[${i}].id`, `duplicates brand id "${brand.id}"`);
    ids.add(brand.id);
    brands.push(brand);
  });
  return brands;
}

function validateIndicators(issues: FieldIssues, raw: unknown): IndicatorEntry[] {
  const out: IndicatorEntry[] = [];
  const seen = new Map<string, number>();
  arrayAt(issues, 'indicators', raw).forEach((item, i) => {
    const path = `indicators[${i}]`;
    const entry = objectAt(issues, path, item);
    if (!entry) return;
    checkUnknownKeys(issues, path, entry, ['term', 'score', 'withBrand', 'mode']);
    const mode = checkEntryMode(issues, `${path}.mode`, entry.mode);
    const term = checkTerm(issues, `${path}.term`, entry.term);
    const score = checkNumber(issues, `${path}.score`, entry.score, { min: 0, max: MAX_SCORE, integer: true, required: true });
    const withBrand =
      entry.withBrand === undefined ? score : checkNumber(issues, `${path}.withBrand`, entry.withBrand, { min: 0, max: MAX_SCORE, integer: true });
    if (term !== undefined) {
      const key = normalizeTerm(term);
      const earlier = seen.get(key);
      if (earlier !== undefined) issues.add(`${path}.term`, `"${term}" is the same term as indicators[${earlier}] after normalization`);
      seen.set(key, i);
    }
    if (term !== undefined && score !== undefined && withBrand !== undefined)
      out.push(mode === 'shadow' ? { term, score, withBrand, mode } : { term, score, withBrand });
  });
  return out;
}

function validateExceptions(issues: FieldIssues, raw: unknown, indicators: IndicatorEntry[]): ExceptionEntry[] {
  const indicatorTerms = new Set(indicators.map((ind) => normalizeTerm(ind.term)));
  const out: ExceptionEntry[] = [];
  arrayAt(issues, 'exceptions', raw).forEach((item, i) => {
    const path = `exceptions[${i}]`;
    const entry = objectAt(issues, path, item);
    if (!entry) return;
    checkUnknownKeys(issues, path, entry, ['term', 'unlessNear']);
    const term = checkTerm(issues, `${path}.term`, entry.term);
    if (term !== undefined && !indicatorTerms.has(normalizeTerm(term))) {
      issues.add(`${path}.term`, `"${term}" is not an indicator term of this pack`);
    }
    const near: string[] = [];
    const rawNear = arrayAt(issues, `${path}.unlessNear`, entry.unlessNear);
    if (entry.unlessNear === undefined || rawNear.length === 0) issues.add(`${path}.unlessNear`, 'must list at least one term');
    rawNear.forEach((n, j) => {
      const t = checkTerm(issues, `${path}.unlessNear[${j}]`, n);
      if (t !== undefined) near.push(t);
    });
    if (term !== undefined) out.push({ term, unlessNear: near });
  });
  return out;
}

function validateRules(issues: FieldIssues, raw: unknown): RuleEntry[] {
  const out: RuleEntry[] = [];
  const ids = new Set<string>();
  arrayAt(issues, 'rules', raw).forEach((item, i) => {
    const path = `rules[${i}]`;
    const entry = objectAt(issues, path, item);
    if (!entry) return;
    checkUnknownKeys(issues, path, entry, ['id', 'type', 'pattern', 'score', 'fields', 'mode']);
    const mode = checkEntryMode(issues, `${path}.mode`, entry.mode);
    const id = checkString(issues, `${path}.id`, entry.id, { min: 1, max: 128, required: true });
    if (id !== undefined) {
      if (ids.has(id)) issues.add(`${path}.id`, `duplicates rule id "${id}"`);
      ids.add(id);
    }
    const type = entry.type;
    if (type !== 'literal' && type !== 'regex') issues.add(`${path}.type`, 'must be "literal" or "regex"');
    const pattern =
      type === 'literal'
        ? checkTerm(issues, `${path}.pattern`, entry.pattern)
        : checkString(issues, `${path}.pattern`, entry.pattern, { min: 1, max: 1024, required: true });
    const score = checkNumber(issues, `${path}.score`, entry.score, { min: 0, max: MAX_SCORE, integer: true, required: true });
    let fields: RuleField[] = [...RULE_FIELDS];
    if (entry.fields !== undefined) {
      const list = checkStringArray(issues, `${path}.fields`, entry.fields, { nonEmpty: true });
      if (list) {
        const bad = list.filter((f) => !(RULE_FIELDS as readonly string[]).includes(f));
        if (bad.length > 0) issues.add(`${path}.fields`, `has unknown field(s) ${bad.join(', ')}; allowed: ${RULE_FIELDS.join(', ')}`);
        else fields = list as RuleField[];
      }
    }
    if (id !== undefined && (type === 'literal' || type === 'regex') && pattern !== undefined && score !== undefined) {
      out.push(mode === 'shadow' ? { id, type, pattern, score, fields, mode } : { id, type, pattern, score, fields });
    }
  });
  return out;
}

/** A list entry is a value, or `{ "value": ..., "mode": ... }` to give it a mode. */
function listEntryAt(issues: FieldIssues, path: string, item: unknown): { value: string; shadow: boolean } | undefined {
  if (!isPlainObject(item)) {
    const value = checkString(issues, path, item, { min: 1, max: 128, required: true });
    return value === undefined ? undefined : { value, shadow: false };
  }
  checkUnknownKeys(issues, path, item, ['value', 'mode']);
  const value = checkString(issues, `${path}.value`, item.value, { min: 1, max: 128, required: true });
  const mode = checkEntryMode(issues, `${path}.mode`, item.mode);
  return value === undefined ? undefined : { value, shadow: mode === 'shadow' };
}

function validateLists(issues: FieldIssues, raw: unknown, shadow: ShadowEntries): PackLists {
  const lists: PackLists = emptyPackLists();
  if (raw === undefined) return lists;
  const entry = objectAt(issues, 'lists', raw);
  if (!entry) return lists;
  checkUnknownKeys(issues, 'lists', entry, LIST_KINDS);
  for (const kind of LIST_KINDS) {
    const items = entry[kind];
    if (items === undefined) continue;
    if (!Array.isArray(items)) {
      issues.add(`lists.${kind}`, `must be an array, got ${describeType(items)}`);
      continue;
    }
    if (items.length > 10_000_000) {
      issues.add(`lists.${kind}`, `must have at most 10000000 items, got ${items.length}`);
      continue;
    }
    const enforced = lists[kind];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      // The common case, a plain value, without the object checks.
      if (typeof item === 'string' && item.length >= 1 && item.length <= 128) enforced.push(item);
      else {
        const found = listEntryAt(issues, `lists.${kind}[${i}]`, item);
        if (found) (found.shadow ? shadow.lists[kind] : enforced).push(found.value);
      }
    }
  }
  return lists;
}

function validateFingerprints(issues: FieldIssues, raw: unknown, shadow: ShadowEntries): { texts: BankedText[]; images: BankedImage[] } {
  const out = { texts: [] as BankedText[], images: [] as BankedImage[] };
  if (raw === undefined) return out;
  const entry = objectAt(issues, 'fingerprints', raw);
  if (!entry) return out;
  checkUnknownKeys(issues, 'fingerprints', entry, ['texts', 'images']);
  arrayAt(issues, 'fingerprints.texts', entry.texts).forEach((item, i) => {
    const path = `fingerprints.texts[${i}]`;
    const text = objectAt(issues, path, item);
    if (!text) return;
    checkUnknownKeys(issues, path, text, ['ref', 'text', 'mode']);
    const mode = checkEntryMode(issues, `${path}.mode`, text.mode);
    const ref = checkString(issues, `${path}.ref`, text.ref, { min: 1, max: 128, required: true });
    const body = checkString(issues, `${path}.text`, text.text, { min: 1, max: 20_000, required: true });
    if (body !== undefined && textGrams(body).length < MIN_GRAMS) {
      issues.add(`${path}.text`, `is too short to fingerprint (fewer than ${MIN_GRAMS} distinct 3-grams after normalization)`);
    }
    if (ref !== undefined && body !== undefined) (mode === 'shadow' ? shadow.texts : out.texts).push({ ref, text: body });
  });
  arrayAt(issues, 'fingerprints.images', entry.images).forEach((item, i) => {
    const path = `fingerprints.images[${i}]`;
    const image = objectAt(issues, path, item);
    if (!image) return;
    checkUnknownKeys(issues, path, image, ['ref', 'phash', 'mode']);
    const mode = checkEntryMode(issues, `${path}.mode`, image.mode);
    const ref = checkString(issues, `${path}.ref`, image.ref, { min: 1, max: 128, required: true });
    const phash = checkString(issues, `${path}.phash`, image.phash, { required: true });
    if (phash !== undefined && !PHASH.test(phash)) issues.add(`${path}.phash`, 'must be 16 hexadecimal characters (a 64-bit hash)');
    else if (ref !== undefined && phash !== undefined) (mode === 'shadow' ? shadow.images : out.images).push({ ref, phash: phash.toLowerCase() });
  });
  return out;
}

export function validatePack(raw: unknown): PackValidation {
  const issues = new FieldIssues();
  if (!isPlainObject(raw)) return { ok: false, issues: [{ path: '', message: `a pack must be a JSON object, got ${describeType(raw)}` }] };
  checkUnknownKeys(issues, '', raw, TOP_KEYS);
  const packVersion = checkString(issues, 'packVersion', raw.packVersion, { min: 1, max: 128, required: true });
  let thresholds: PolicyPack['thresholds'] | undefined;
  const t = objectAt(issues, 'thresholds', raw.thresholds);
  if (t) {
    checkUnknownKeys(issues, 'thresholds', t, ['block', 'review']);
    const block = checkNumber(issues, 'thresholds.block', t.block, { min: 1, max: MAX_SCORE, integer: true, required: true });
    const review = checkNumber(issues, 'thresholds.review', t.review, { min: 1, max: MAX_SCORE, integer: true, required: true });
    if (block !== undefined && review !== undefined) {
      if (review > block) issues.add('thresholds.review', `must not be above thresholds.block (${block})`);
      else thresholds = { block, review };
    }
  }
  const brands = validateBrands(issues, raw.brands);
  const indicators = validateIndicators(issues, raw.indicators);
  const exceptions = validateExceptions(issues, raw.exceptions, indicators);
  const rules = validateRules(issues, raw.rules);
  const shadow: ShadowEntries = { lists: emptyPackLists(), texts: [], images: [] };
  const lists = validateLists(issues, raw.lists, shadow);
  const fingerprints = validateFingerprints(issues, raw.fingerprints, shadow);
  let ring: PolicyPack['ring'];
  if (raw.ring !== undefined) {
    const r = objectAt(issues, 'ring', raw.ring);
    if (r) {
      checkUnknownKeys(issues, 'ring', r, ['score']);
      const score = checkNumber(issues, 'ring.score', r.score, { min: 0, max: MAX_SCORE, integer: true, required: true });
      if (score !== undefined) ring = { score };
    }
  }
  if (!issues.empty || packVersion === undefined || thresholds === undefined) return { ok: false, issues: issues.list };
  const pack: PolicyPack = { packVersion, thresholds, brands, indicators, exceptions, rules, lists, fingerprints };
  if (ring) pack.ring = ring;
  const shadowed = brands.some((b) => b.mode === 'shadow') || indicators.some((i) => i.mode === 'shadow') || rules.some((r) => r.mode === 'shadow');
  if (shadowed || shadow.texts.length + shadow.images.length > 0 || LIST_KINDS.some((kind) => shadow.lists[kind].length > 0)) pack.shadow = shadow;
  return { ok: true, pack };
}
