// The admin's pack, lists, fingerprint banks and erasure (docs/contract.md
// section 2; README "Fingerprints"; docs/redis-keys.md for erasure).
import { FINGERPRINT_KINDS } from '../fingerprint/fingerprint-kind.js';
import { LIST_KINDS } from '../pack/policy-pack.js';
import { arrayOf, object, operation, pathParam, queryParam, ref } from './operation.js';
import type { RouteGroup, Schema } from './openapi-types.js';

const tag = 'admin';
const listKind = pathParam('kind', 'A list of the pack.', { type: 'string', enum: LIST_KINDS });
const bankKind = pathParam('kind', 'A fingerprint bank.', { type: 'string', enum: FINGERPRINT_KINDS });
const recheckId: Schema = { type: 'string', description: 'With `recheck: true`: the re-check job started once the change was made.' };
const boolQuery: Schema = { type: 'string', enum: ['true', 'false', '1', '0'] };

/** The fields any list or bank change may add to start a re-check job after it (docs/rechecks.md). */
const RECHECK_AFTER: Readonly<Record<string, Schema>> = {
  recheck: {
    type: 'boolean',
    description:
      'Re-check the listings of `source` once the change is made, scoped to it: only listings the change can move are matched (docs/rechecks.md), the others counted `outOfScope`.',
  },
  source: { $ref: '#/components/schemas/RecheckSource' },
  onlyChanged: {
    type: 'boolean',
    default: true,
    description: 'Emit only verdicts that changed; false is refused for a text bank (every listing is matched, only changes reported).',
  },
};

const LIVE_PACK: Schema = object(
  {
    packVersion: { type: 'string' },
    key: { type: 'string', description: "The compiled database's key." },
    patternCount: { type: 'integer' },
    compileMillis: { type: 'integer' },
    fromCache: { type: 'boolean' },
  },
  ['packVersion', 'key', 'patternCount'],
);

export const adminPaths: RouteGroup = {
  tag: { name: tag, description: 'The admin token (`GATE_ADMIN_TOKEN`) may call every route; without one configured the admin API is refused (403).' },
  paths: {
    '/v1/admin/pack': {
      get: operation({
        id: 'livePack',
        tag,
        summary: 'The live pack',
        access: 'admin',
        answer: { description: 'Its version and compiled database.', schema: ref.schema('LivePack') },
      }),
      put: operation({
        id: 'replacePack',
        tag,
        summary: 'Upload a pack: make it live, or stage it for a share of sellers',
        description:
          'A pack that fails validation is refused whole (400 `GATE_ERR_INVALID_PACK`, every bad entry in `details`); the old pack stays live. Up to 512 MiB.',
        access: 'admin',
        parameters: [
          queryParam('rolloutPercent', 'Stage the upload as a candidate judging this share of sellers (0-100, two decimals) instead of making it live.', {
            type: 'number',
            minimum: 0,
            maximum: 100,
          }),
          queryParam(
            'recheck',
            'Re-check `source` once the pack is live: every listing is matched, only changed verdicts are reported. Refused (400, field `recheck`) with `rolloutPercent`: a candidate is not the live pack a re-check decides with.',
            boolQuery,
          ),
          queryParam('source', 'The Redis stream of listings to re-check.', { type: 'string' }),
          queryParam('onlyChanged', 'Emit only verdicts that changed: true (the default) or absent; false is refused for a pack change.', boolQuery),
        ],
        body: { description: 'A policy pack (docs/contract.md section 2; its schema alone at /pack.schema.json).', schema: ref.schema('PolicyPack') },
        answer: {
          description: 'The live pack, or the candidate and its rollout.',
          schema: { anyOf: [{ $ref: '#/components/schemas/LivePack', properties: { recheckId } }, ref.schema('Rollout')] },
        },
      }),
    },
    '/v1/admin/lists/{kind}': {
      post: operation({
        id: 'listAdd',
        tag,
        summary: 'Add values to a list',
        description:
          'A seller listed here is a confirmed counterfeit seller: its ring gets the `ring` reason. While Redis is away the change is spooled on disk and applied once.',
        access: 'admin',
        parameters: [listKind],
        body: { schema: ref.schema('ListChange') },
        answer: {
          description: 'Values newly listed (or the spooled change).',
          schema: object({ kind: { type: 'string' }, added: { type: 'integer' }, spooled: { type: 'integer' }, changeId: { type: 'string' }, recheckId }, [
            'kind',
          ]),
        },
      }),
      delete: operation({
        id: 'listRemove',
        tag,
        summary: 'Remove values from a list',
        access: 'admin',
        parameters: [listKind],
        body: { schema: ref.schema('ListChange') },
        answer: {
          description: 'Values no longer listed (or the spooled change).',
          schema: object({ kind: { type: 'string' }, removed: { type: 'integer' }, spooled: { type: 'integer' }, changeId: { type: 'string' }, recheckId }, [
            'kind',
          ]),
        },
      }),
    },
    '/v1/admin/lists/{kind}/{value}': {
      get: operation({
        id: 'listHas',
        tag,
        summary: 'Whether a value is listed',
        access: 'admin',
        parameters: [listKind, pathParam('value', 'The value (percent-encoded).')],
        answer: {
          description: 'Listed or not.',
          schema: object({ kind: { type: 'string' }, value: { type: 'string' }, listed: { type: 'boolean' } }, ['kind', 'value', 'listed']),
        },
      }),
    },
    '/v1/admin/fingerprints/{kind}': {
      get: operation({
        id: 'bankSize',
        tag,
        summary: "A bank's size",
        access: 'admin',
        parameters: [bankKind],
        answer: { description: 'Entries banked.', schema: object({ kind: { type: 'string' }, size: { type: 'integer' } }, ['kind', 'size']) },
      }),
      post: operation({
        id: 'bankAdd',
        tag,
        summary: 'Bank images or texts',
        access: 'admin',
        parameters: [bankKind],
        body: { schema: object({ entries: arrayOf(ref.schema('BankEntry'), { minItems: 1, maxItems: 100_000 }), ...RECHECK_AFTER }, ['entries']) },
        answer: {
          description: 'Banked.',
          schema: object({ kind: { type: 'string' }, added: { type: 'integer' }, size: { type: 'integer' }, recheckId }, ['kind', 'added', 'size']),
        },
      }),
      delete: operation({
        id: 'bankRemove',
        tag,
        summary: 'Remove banked entries',
        access: 'admin',
        parameters: [bankKind],
        body: { schema: object({ refs: arrayOf({ type: 'string', minLength: 1, maxLength: 128 }, { minItems: 1, maxItems: 100_000 }) }, ['refs']) },
        answer: {
          description: 'Removed.',
          schema: object({ kind: { type: 'string' }, removed: { type: 'integer' }, size: { type: 'integer' } }, ['kind', 'removed', 'size']),
        },
      }),
    },
    '/v1/admin/listings/{listingId}': {
      delete: operation({
        id: 'eraseListing',
        tag,
        summary: 'Erase every trace of a listing',
        description: 'Except the audit record of the erasure. An id never seen answers zeros.',
        access: 'admin',
        parameters: [pathParam('listingId', '1-128 characters (percent-encoded).', { type: 'string', minLength: 1, maxLength: 128 })],
        errors: [400],
        answer: {
          description: 'Counts by key family.',
          schema: object({ listingId: { type: 'string' }, erased: { type: 'object', additionalProperties: { type: 'integer' } } }, ['listingId', 'erased']),
        },
      }),
    },
    '/v1/admin/sellers/{sellerId}/data': {
      delete: operation({
        id: 'eraseSeller',
        tag,
        summary: 'Erase every trace of a seller and its listings',
        description: 'List entries and banked items are policy and are kept.',
        access: 'admin',
        parameters: [pathParam('sellerId', '1-128 characters (percent-encoded).', { type: 'string', minLength: 1, maxLength: 128 })],
        errors: [400],
        answer: { description: 'Counts by key family.', schema: object({ sellerId: { type: 'string' }, erased: { type: 'object' } }, ['sellerId', 'erased']) },
      }),
    },
  },
  schemas: {
    LivePack: LIVE_PACK,
    ListChange: object({ values: arrayOf({ type: 'string', minLength: 1, maxLength: 128 }, { minItems: 1, maxItems: 100_000 }), ...RECHECK_AFTER }, ['values']),
    RecheckSource: object({ stream: { type: 'string', minLength: 1, description: 'A Redis stream of listings, under GATE_REDIS_PREFIX.' } }, ['stream']),
  },
};
