// The policy pack's JSON Schema (docs/contract.md section 2): the shape
// validate-pack.ts checks, for editors and for `PUT /v1/admin/pack`'s body. What
// needs the gate's code stays there: a term that normalizes to nothing, duplicate
// ids and terms, review above block, exceptions of unknown indicators, texts too
// short to fingerprint, regexes Hyperscan refuses. Self-contained (no $ref), so
// it is served whole at /pack.schema.json and inlined in the OpenAPI document.
import { ENTRY_MODES, LIST_KINDS, RULE_FIELDS } from '../pack/policy-pack.js';
import type { Schema } from './openapi-types.js';

const SCORE: Schema = { type: 'integer', minimum: 0, maximum: 1_000_000 };
const TERM: Schema = { type: 'string', minLength: 1, maxLength: 256, description: 'Matched after normalization; must keep a letter, digit or CJK character.' };
const ID: Schema = { type: 'string', minLength: 1, maxLength: 128 };
const MODE: Schema = {
  type: 'string',
  enum: ENTRY_MODES,
  default: 'enforce',
  description: 'A shadow entry is matched and counted but never changes a verdict, score or reason.',
};

const entry = (properties: Readonly<Record<string, Schema>>, required: readonly string[]): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const listOf = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });

const BRAND = entry(
  {
    id: ID,
    names: listOf(TERM, { minItems: 1 }),
    categories: listOf({ type: 'string', minLength: 1, maxLength: 256 }, { maxItems: 1000 }),
    authorizedSellers: listOf({ type: 'string', minLength: 1, maxLength: 128 }, { maxItems: 100_000 }),
    priceFloor: { type: 'object', propertyNames: { pattern: '^[A-Z]{3}$' }, additionalProperties: { type: 'number', minimum: 0 } },
    soundAlikes: { type: 'boolean' },
    mode: MODE,
  },
  ['id', 'names'],
);

const LIST_VALUE: Schema = { type: 'string', minLength: 1, maxLength: 128 };
const LIST = listOf({ anyOf: [LIST_VALUE, entry({ value: LIST_VALUE, mode: MODE }, ['value'])] }, { maxItems: 10_000_000 });

export const PACK_SCHEMA: Schema = {
  title: 'Listing gate policy pack',
  description: 'Everything the gate enforces, as data (docs/contract.md section 2).',
  type: 'object',
  required: ['packVersion', 'thresholds'],
  additionalProperties: false,
  properties: {
    packVersion: ID,
    thresholds: entry(
      {
        block: { type: 'integer', minimum: 1, maximum: 1_000_000 },
        review: { type: 'integer', minimum: 1, maximum: 1_000_000, description: 'Not above block.' },
      },
      ['block', 'review'],
    ),
    brands: listOf(BRAND),
    indicators: listOf(
      entry({ term: TERM, score: SCORE, withBrand: { ...SCORE, description: 'When a brand is named too (default: score).' }, mode: MODE }, ['term', 'score']),
    ),
    exceptions: listOf(
      entry({ term: { ...TERM, description: 'An indicator term of this pack.' }, unlessNear: listOf(TERM, { minItems: 1 }) }, ['term', 'unlessNear']),
    ),
    rules: listOf(
      entry(
        {
          id: ID,
          type: { type: 'string', enum: ['literal', 'regex'] },
          pattern: {
            type: 'string',
            minLength: 1,
            maxLength: 1024,
            description: 'A literal is a term (at most 256 characters); a regex is compiled by Hyperscan.',
          },
          score: SCORE,
          fields: listOf({ type: 'string', enum: RULE_FIELDS }, { minItems: 1 }),
          mode: MODE,
        },
        ['id', 'type', 'pattern', 'score'],
      ),
    ),
    lists: entry(Object.fromEntries(LIST_KINDS.map((kind) => [kind, LIST])), []),
    fingerprints: entry(
      {
        texts: listOf(entry({ ref: ID, text: { type: 'string', minLength: 1, maxLength: 20_000 }, mode: MODE }, ['ref', 'text'])),
        images: listOf(entry({ ref: ID, phash: { type: 'string', pattern: '^[0-9a-fA-F]{16}$' }, mode: MODE }, ['ref', 'phash'])),
      },
      [],
    ),
    ring: entry({ score: SCORE }, ['score']),
  },
};

/** The schema as a document of its own (GET /pack.schema.json). */
export function packSchemaDocument(): Schema & { $schema: string } {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...PACK_SCHEMA };
}
