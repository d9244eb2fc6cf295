// The rights holders' API: their brand registry, mark claims, banked
// fingerprints, alliance shares, complaints, trust tier and figures. Every call is
// scoped to the token's holder; an admin acts for one with `?holder=`.
import { FINGERPRINT_KINDS } from '../fingerprint/fingerprint-kind.js';
import { MAX_LISTINGS_PER_COMPLAINT } from '../rights-holder/complaint-desk.js';
import { arrayOf, object, operation, pathParam, queryParam, ref } from './operation.js';
import type { Parameter, Reference, RouteGroup, Schema } from './openapi-types.js';

const tag = 'rights holders';
const base = '/v1/rights-holder';
const holder = ref.parameter('Holder');
const brandId = pathParam('brandId', '1-64 letters, digits, `_`, `.` or `-`, starting with a letter or digit.', {
  type: 'string',
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$',
});
const kind = pathParam('kind', 'A fingerprint bank.', { type: 'string', enum: FINGERPRINT_KINDS });
const withHolder = (...more: Array<Parameter | Reference>): Array<Parameter | Reference> => [holder, ...more];
const strings = (itemMax: number, maxItems: number): Schema => arrayOf({ type: 'string', minLength: 1, maxLength: itemMax }, { minItems: 1, maxItems });
const day: Schema = { type: 'string', format: 'date', pattern: '^\\d{4}-\\d{2}-\\d{2}$' };

const BRAND_INPUT: Schema = object(
  {
    id: { type: 'string', description: 'Absent, or the brand id of the path.' },
    names: arrayOf({ type: 'string', minLength: 1 }, { minItems: 1, description: 'In any script; names not yet verified wait for an admin.' }),
    categories: arrayOf({ type: 'string', minLength: 1 }, { maxItems: 1000 }),
    authorizedSellers: arrayOf({ type: 'string', minLength: 1, maxLength: 128 }, { maxItems: 100_000 }),
    priceFloor: {
      type: 'object',
      propertyNames: { pattern: '^[A-Z]{3}$' },
      additionalProperties: { type: 'number', minimum: 0 },
      description: 'By ISO 4217 currency.',
    },
    soundAlikes: { type: 'boolean' },
  },
  ['names'],
  { additionalProperties: false },
);

const MARK_CLAIM: Schema = object(
  {
    registrationNumber: { type: 'string', minLength: 1, maxLength: 64 },
    jurisdiction: { type: 'string', minLength: 2, maxLength: 16 },
    classes: arrayOf({ type: 'integer', minimum: 1, maximum: 45 }, { minItems: 1, description: 'Nice classes.' }),
    evidence: arrayOf(
      { type: 'string', minLength: 1, maxLength: 512 },
      { minItems: 1, maxItems: 50, description: "References into the holder's document store." },
    ),
    validFrom: day,
    validUntil: day,
  },
  ['registrationNumber', 'jurisdiction', 'classes', 'evidence', 'validFrom', 'validUntil'],
  { additionalProperties: false },
);

const BRAND: Schema = object(
  {
    brandId: { type: 'string' },
    liveId: { type: 'string', description: '`<holder>/<brandId>`: the id the live pack knows the brand by.' },
    names: arrayOf({ type: 'string' }),
    verifiedNames: arrayOf({ type: 'string' }),
    pendingNames: arrayOf({ type: 'string' }),
    categories: arrayOf({ type: 'string' }),
    authorizedSellers: arrayOf({ type: 'string' }),
    priceFloor: { type: 'object', additionalProperties: { type: 'number' } },
    claim: { anyOf: [{ type: 'object' }, { type: 'null' }] },
    verification: object({ status: { type: 'string', enum: ['unverified', 'pending', 'verified', 'rejected'] } }, ['status']),
    enforced: { type: 'boolean' },
    heldBack: { type: ['string', 'null'], description: 'Why the brand is not enforced, when it is not.' },
    updatedAt: { type: 'string', format: 'date-time' },
  },
  ['brandId', 'liveId', 'names', 'verification', 'enforced'],
);

const BANK_ENTRY: Schema = object(
  {
    ref: { type: 'string', minLength: 1, maxLength: 128 },
    phash: { type: 'string', pattern: '^[0-9a-fA-F]{16}$', description: 'Image banks.' },
    text: { type: 'string', maxLength: 20_000, description: 'Text banks; long enough to fingerprint.' },
  },
  ['ref'],
);

const COMPLAINT: Schema = object(
  {
    complaintId: { type: 'string' },
    holder: { type: 'string' },
    brandId: { type: 'string' },
    listingId: { type: 'string' },
    reason: { type: 'string' },
    filedAt: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['pending', 'taken_down', 'upheld', 'rejected', 'overturned', 'lapsed'] },
    takedown: { type: 'boolean', description: 'The listing was taken down at filing (a trusted complainer).' },
    reviewId: { type: 'string' },
    decidedAt: { type: 'string', format: 'date-time' },
    decidedBy: { type: 'string' },
  },
  ['complaintId', 'holder', 'brandId', 'listingId', 'status', 'reviewId'],
);

export const FIGURES_RANGE: Parameter[] = [
  queryParam('from', 'First day, UTC (default: 29 days before `to`).', day),
  queryParam('to', 'Last day, UTC (default: today); at most 366 days.', day),
  queryParam('format', 'JSON, or CSV for a spreadsheet.', { type: 'string', enum: ['json', 'csv'], default: 'json' }),
];

export const csvOr = (schema: Schema): Record<string, { schema: Schema }> => ({
  'application/json': { schema },
  'application/msgpack': { schema },
  'text/csv; charset=utf-8': { schema: { type: 'string' } },
});

export const rightsHolderPaths: RouteGroup = {
  tag: {
    name: tag,
    description:
      'A rights holder (`GATE_RIGHTS_HOLDER_TOKENS`, `holder:token`) sees and changes only its own brands; an admin acts for one with `?holder=<id>`.',
  },
  paths: {
    [`${base}/brands`]: {
      get: operation({
        id: 'holderBrands',
        tag,
        summary: "The holder's brands",
        access: 'rightsHolder',
        parameters: withHolder(),
        answer: { description: 'The brands.', schema: object({ holder: { type: 'string' }, brands: arrayOf(ref.schema('Brand')) }, ['holder', 'brands']) },
      }),
    },
    [`${base}/brands/{brandId}`]: {
      get: operation({
        id: 'holderBrand',
        tag,
        summary: 'One brand',
        access: 'rightsHolder',
        parameters: withHolder(brandId),
        answer: { description: 'The brand.', schema: ref.schema('Brand') },
      }),
      put: operation({
        id: 'registerBrand',
        tag,
        summary: 'Register or update a brand',
        description: 'New names wait for an admin to verify them; verified names stay enforced.',
        access: 'rightsHolder',
        parameters: withHolder(brandId),
        body: { schema: ref.schema('BrandInput') },
        answer: { description: 'The brand.', schema: ref.schema('Brand') },
      }),
      delete: operation({
        id: 'removeBrand',
        tag,
        summary: 'Remove a brand and its banked entries',
        access: 'rightsHolder',
        parameters: withHolder(brandId),
        answer: {
          description: 'Removed.',
          schema: object({ brandId: { type: 'string' }, removed: { const: true }, removedEntries: { type: 'integer' } }, [
            'brandId',
            'removed',
            'removedEntries',
          ]),
        },
      }),
    },
    [`${base}/brands/{brandId}/claim`]: {
      put: operation({
        id: 'submitMarkClaim',
        tag,
        summary: 'Submit the mark claim an admin verifies',
        access: 'rightsHolder',
        parameters: withHolder(brandId),
        body: { schema: ref.schema('MarkClaim') },
        answer: { description: 'The brand, its verification pending.', schema: ref.schema('Brand') },
      }),
    },
    [`${base}/brands/{brandId}/fingerprints/{kind}`]: {
      get: operation({
        id: 'holderBankEntries',
        tag,
        summary: "The brand's banked entries",
        access: 'rightsHolder',
        parameters: withHolder(brandId, kind),
        answer: {
          description: 'The entries.',
          schema: object({
            brandId: { type: 'string' },
            kind: { type: 'string' },
            entries: arrayOf(object({ ref: { type: 'string' }, shared: { type: 'boolean' }, phash: { type: 'string' }, text: { type: 'string' } })),
          }),
        },
      }),
      post: operation({
        id: 'holderBankAdd',
        tag,
        summary: 'Bank images or texts of the brand',
        access: 'rightsHolder',
        parameters: withHolder(brandId, kind),
        body: {
          schema: object(
            {
              entries: arrayOf(ref.schema('BankEntry'), { minItems: 1, maxItems: 100_000 }),
              shared: { type: 'boolean', description: 'Share with the alliance.' },
            },
            ['entries'],
          ),
        },
        answer: {
          description: 'Banked.',
          schema: object({ brandId: { type: 'string' }, kind: { type: 'string' }, added: { type: 'integer' }, shared: { type: 'boolean' } }),
        },
      }),
      delete: operation({
        id: 'holderBankRemove',
        tag,
        summary: 'Remove banked entries of the brand',
        access: 'rightsHolder',
        parameters: withHolder(brandId, kind),
        body: { schema: object({ refs: strings(128, 100_000) }, ['refs']) },
        answer: { description: 'Removed.', schema: object({ brandId: { type: 'string' }, kind: { type: 'string' }, removed: { type: 'integer' } }) },
      }),
    },
    [`${base}/brands/{brandId}/fingerprints/{kind}/sharing`]: {
      post: operation({
        id: 'holderBankSharing',
        tag,
        summary: 'Share banked entries with the alliance, or withdraw them',
        access: 'rightsHolder',
        parameters: withHolder(brandId, kind),
        body: { schema: object({ refs: strings(128, 100_000), shared: { type: 'boolean' } }, ['refs', 'shared']) },
        answer: {
          description: 'What moved.',
          schema: object({
            brandId: { type: 'string' },
            kind: { type: 'string' },
            shared: { type: 'boolean' },
            changed: { type: 'integer' },
            unchanged: arrayOf({ type: 'string' }),
          }),
        },
      }),
    },
    [`${base}/brands/{brandId}/sellers`]: {
      get: operation({
        id: 'holderSharedSellers',
        tag,
        summary: 'Sellers the brand shared with the alliance',
        access: 'rightsHolder',
        parameters: withHolder(brandId),
        answer: { description: 'The sellers.', schema: object({ brandId: { type: 'string' }, sellers: arrayOf({ type: 'string' }) }) },
      }),
      post: operation({
        id: 'holderShareSellers',
        tag,
        summary: 'Vouch that sellers are counterfeit sellers (shared with the alliance)',
        description:
          "Blocks the sellers' listings that name (or match banked items of) this brand; platform-wide only once a reviewer confirms. 409 when the brand is not enforced.",
        access: 'rightsHolder',
        parameters: withHolder(brandId),
        body: { schema: object({ sellerIds: strings(128, 10_000) }, ['sellerIds']) },
        answer: { description: 'Shared.', schema: object({ brandId: { type: 'string' }, shared: { type: 'integer' } }) },
        errors: [409],
      }),
      delete: operation({
        id: 'holderWithdrawSellers',
        tag,
        summary: "Withdraw the brand's share of sellers",
        access: 'rightsHolder',
        parameters: withHolder(brandId),
        body: { schema: object({ sellerIds: strings(128, 10_000) }, ['sellerIds']) },
        answer: {
          description: 'Withdrawn.',
          schema: object({ brandId: { type: 'string' }, withdrawn: { type: 'integer' }, delisted: arrayOf({ type: 'string' }) }),
        },
      }),
    },
    [`${base}/complaints`]: {
      get: operation({
        id: 'holderComplaints',
        tag,
        summary: "The holder's complaints",
        access: 'rightsHolder',
        parameters: withHolder(
          queryParam('limit', 'At most this many.', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          queryParam('status', 'Only those in this status.', { type: 'string', enum: ['pending', 'taken_down', 'upheld', 'rejected', 'overturned', 'lapsed'] }),
        ),
        answer: { description: 'The complaints.', schema: object({ complaints: arrayOf(ref.schema('Complaint')) }, ['complaints']) },
      }),
      post: operation({
        id: 'fileComplaint',
        tag,
        summary: 'Complain about listings',
        description:
          "Each listing becomes a high-priority review item; a trusted complainer's complaint takes the listing down at once. 409 when the brand is not enforced.",
        access: 'rightsHolder',
        parameters: withHolder(),
        body: {
          schema: object(
            {
              brandId: { type: 'string', minLength: 1, maxLength: 64 },
              reason: { type: 'string', minLength: 1, maxLength: 2000 },
              listingIds: strings(128, MAX_LISTINGS_PER_COMPLAINT),
            },
            ['brandId', 'reason', 'listingIds'],
          ),
        },
        answer: {
          description: 'One result per listing.',
          schema: object(
            {
              filed: { type: 'integer' },
              results: arrayOf(
                object({ listingId: { type: 'string' }, created: { type: 'boolean' }, complaint: ref.schema('Complaint'), error: { type: 'string' } }, [
                  'listingId',
                ]),
              ),
            },
            ['filed', 'results'],
          ),
        },
        errors: [409],
      }),
    },
    [`${base}/complaints/{complaintId}`]: {
      get: operation({
        id: 'holderComplaint',
        tag,
        summary: 'One complaint',
        access: 'rightsHolder',
        parameters: withHolder(pathParam('complaintId', 'As filing gave it.')),
        answer: { description: 'The complaint.', schema: ref.schema('Complaint') },
      }),
    },
    [`${base}/trust`]: {
      get: operation({
        id: 'holderTrust',
        tag,
        summary: "The holder's complainer trust tier",
        access: 'rightsHolder',
        parameters: withHolder(),
        answer: {
          description: 'Tier, accuracy and thresholds.',
          schema: object({
            holder: { type: 'string' },
            tier: { type: 'string', enum: ['trusted', 'standard'] },
            filed: { type: 'integer' },
            upheld: { type: 'integer' },
            rejected: { type: 'integer' },
            overturned: { type: 'integer' },
            why: { type: 'string' },
          }),
        },
      }),
    },
    [`${base}/figures`]: {
      get: operation({
        id: 'holderFigures',
        tag,
        summary: "The holder's brands' figures by day",
        access: 'rightsHolder',
        parameters: withHolder(...FIGURES_RANGE),
        answer: {
          description: 'Rows by brand and day.',
          content: csvOr(object({ holder: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, rows: arrayOf(ref.schema('FiguresRow')) })),
        },
      }),
    },
  },
  schemas: {
    Brand: BRAND,
    BrandInput: BRAND_INPUT,
    MarkClaim: MARK_CLAIM,
    BankEntry: BANK_ENTRY,
    Complaint: COMPLAINT,
    FiguresRow: object(
      {
        day: day,
        brandId: { type: 'string' },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
        decisions: { type: 'integer' },
        medianSecondsToDecision: { type: ['number', 'null'] },
      },
      ['day', 'brandId', 'counts'],
    ),
  },
};
