// The pack's lifecycle: versions, rollback, diff, staged rollout and shadow
// entries' figures (docs/policy-lifecycle.md).
import { ENTRY_KINDS } from '../gate/shadow-entry.js';
import { PACK_ACTIONS } from '../policy/pack-history.js';
import { arrayOf, object, operation, pathParam, queryParam, ref } from './operation.js';
import type { RouteGroup, Schema } from './openapi-types.js';

const tag = 'policy';
const how: Schema = {
  type: 'string',
  enum: ['compiled', 'database-cache', 'memory'],
  description: 'How the database was had: compiled, loaded from the compiled-database cache, or already in memory.',
};
const version: Schema = { type: 'string', minLength: 1, maxLength: 128, description: 'A packVersion of the history.' };
const percent: Schema = { type: 'number', minimum: 0, maximum: 100, description: 'Share of sellers, to two decimals.' };

const ROLLOUT: Schema = object(
  {
    version: { type: ['string', 'null'] },
    percent: { type: 'number' },
    live: { type: 'string', description: 'The live version, once a rollout reached 100%.' },
    how,
    at: { type: 'string', format: 'date-time' },
    who: { type: 'string' },
    packVersion: { type: 'string' },
    key: { type: 'string' },
    patternCount: { type: 'integer' },
  },
  ['version', 'percent'],
);

export const policyPaths: RouteGroup = {
  tag: { name: tag, description: "The pack's versions, rollbacks, diffs, staged rollouts and shadow entries (admin)." },
  paths: {
    '/v1/admin/pack/versions': {
      get: operation({
        id: 'packVersions',
        tag,
        summary: "The pack's history",
        access: 'admin',
        answer: {
          description: 'The live version, the rollout and every stored version.',
          schema: object(
            {
              live: { anyOf: [object({ version: { type: 'string' }, packHash: { type: 'string' }, key: { type: 'string' } }), { type: 'null' }] },
              rollout: {
                anyOf: [
                  object({ version: { type: 'string' }, percent: { type: 'number' }, at: { type: 'string' }, who: { type: 'string' } }),
                  { type: 'null' },
                ],
              },
              versions: arrayOf(
                object({
                  version: { type: 'string' },
                  packHash: { type: 'string' },
                  key: { type: 'string' },
                  at: { type: 'string' },
                  who: { type: 'string' },
                  action: { type: 'string', enum: PACK_ACTIONS },
                  patterns: { type: 'integer' },
                  bytes: { type: 'integer' },
                }),
              ),
            },
            ['live', 'rollout', 'versions'],
          ),
        },
      }),
    },
    '/v1/admin/pack/rollback': {
      post: operation({
        id: 'packRollback',
        tag,
        summary: 'Make an earlier version live again',
        description: 'Cancels a rollout in progress.',
        access: 'admin',
        body: { schema: object({ version }, ['version']) },
        answer: {
          description: 'The version made live.',
          schema: object(
            { packVersion: { type: 'string' }, key: { type: 'string' }, how, rolloutCancelled: { type: 'boolean' }, tookMillis: { type: 'integer' } },
            ['packVersion', 'key', 'how', 'rolloutCancelled'],
          ),
        },
        errors: [404],
      }),
    },
    '/v1/admin/pack/diff': {
      get: operation({
        id: 'packDiff',
        tag,
        summary: 'What changed between two versions',
        access: 'admin',
        parameters: [queryParam('from', 'The earlier version.', version, true), queryParam('to', 'The later version.', version, true)],
        answer: {
          description: 'Entries added, removed and changed by kind, and changed settings.',
          schema: object(
            {
              from: { type: 'string' },
              to: { type: 'string' },
              added: { type: 'object' },
              removed: { type: 'object' },
              changed: { type: 'object' },
              settings: arrayOf(object({ field: { type: 'string' }, from: {}, to: {} })),
            },
            ['from', 'to', 'added', 'removed', 'changed', 'settings'],
          ),
        },
        errors: [404],
      }),
    },
    '/v1/admin/pack/backtest': {
      post: operation({
        id: 'packBacktest',
        tag,
        summary: 'Replay the sample of recent listings through a candidate pack and the live one',
        description:
          'The candidate is validated and compiled as for PUT /v1/admin/pack (the same 400), never stored or made live; the sample is the newest `GATE_BACKTEST_SAMPLE` checked listings (409 when it is 0). Verdict changes by transition and by entry, with example listing ids (docs/policy-lifecycle.md).',
        access: 'admin',
        parameters: [
          queryParam('examples', 'Listing ids named per transition and per entry.', { type: 'integer', minimum: 0 }),
          queryParam('against', '`live`: the body is a change against the live pack (`add`, `remove`, `thresholds`, `packVersion`), not a whole pack.', {
            type: 'string',
            enum: ['live'],
          }),
        ],
        body: {
          description:
            "The candidate pack; with `?against=live`, a change: `add` (brands, indicators, exceptions, rules: an entry with a live one's key replaces it; `lists` and `fingerprints` as a pack holds them), `remove` (their ids or terms; list values by kind, banked refs by bank), `thresholds`, `packVersion`. The candidate's side adds what going live would seed to the live lists and banks (at most 10,000 values and items).",
          schema: {
            oneOf: [
              ref.schema('PolicyPack'),
              object({ add: { type: 'object' }, remove: { type: 'object' }, thresholds: { type: 'object' }, packVersion: { type: 'string' } }, []),
            ],
          },
        },
        answer: {
          description: 'What the candidate changes.',
          schema: object(
            {
              live: { type: 'object' },
              candidate: { type: 'object' },
              sample: { type: 'integer' },
              changed: { type: 'integer' },
              transitions: { type: 'object' },
              entries: arrayOf({ type: 'object' }),
              replayMillis: { type: 'integer' },
              tookMillis: { type: 'integer' },
            },
            ['sample', 'changed', 'transitions', 'entries'],
          ),
        },
        errors: [409],
      }),
    },
    '/v1/admin/pack/rollout': {
      get: operation({
        id: 'packRolloutState',
        tag,
        summary: 'The staged rollout',
        access: 'admin',
        answer: { description: 'The candidate and its share; `version: null, percent: 0` without one.', schema: ref.schema('Rollout') },
      }),
      post: operation({
        id: 'packRollout',
        tag,
        summary: 'Stage, raise, promote (100) or cancel (0) a rollout',
        access: 'admin',
        body: { schema: object({ version, percent }, ['version', 'percent']) },
        answer: { description: 'The rollout now.', schema: ref.schema('Rollout') },
        errors: [404, 409],
      }),
    },
    '/v1/admin/entries': {
      get: operation({
        id: 'listEntries',
        tag,
        summary: 'Entries and their figures, most hits in the week first',
        description:
          'Shadow: hits by window, the verdicts they would have caused, how many would change. Enforced: hits by window, the verdicts they were part of, blocks and the share people overturned; list values and banked items counted this week are listed too (docs/policy-lifecycle.md).',
        access: 'admin',
        parameters: [
          queryParam('mode', 'Shadow or enforced entries.', { type: 'string', enum: ['shadow', 'enforce'], default: 'shadow' }),
          queryParam('kind', 'Only entries of this kind.', { type: 'string', enum: ENTRY_KINDS }),
          queryParam('brand', "Only the brand's entry and entries whose content names it.", { type: 'string', minLength: 1 }),
        ],
        answer: {
          description: 'The entries.',
          schema: object(
            {
              mode: { type: 'string', enum: ['shadow', 'enforce'] },
              entries: arrayOf(
                object(
                  { id: { type: 'string' }, kind: { type: 'string' }, mode: { type: 'string' }, policyVersion: { type: 'string' }, hits: { type: 'object' } },
                  ['id', 'kind', 'mode', 'policyVersion'],
                ),
              ),
            },
            ['mode', 'entries'],
          ),
        },
      }),
    },
    '/v1/admin/entries/{entry}': {
      get: operation({
        id: 'getEntry',
        tag,
        summary: "One entry's figures, with its hits in each of the week's 168 hours",
        access: 'admin',
        parameters: [pathParam('entry', '`<kind>:<id>`, percent-encoded (`indicator%3Areplica`).')],
        answer: {
          description: 'The entry.',
          schema: object(
            { id: { type: 'string' }, kind: { type: 'string' }, mode: { type: 'string' }, policyVersion: { type: 'string' }, hits: { type: 'object' } },
            ['id', 'kind', 'mode', 'policyVersion'],
          ),
        },
        errors: [404],
      }),
    },
  },
  schemas: { Rollout: ROLLOUT },
};
