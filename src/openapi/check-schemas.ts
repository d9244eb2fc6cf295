// The check's request and answer as JSON Schema (docs/contract.md section 1),
// with the limits validate-check-request.ts enforces; test/openapi.test.ts sends
// samples to the gate and checks that the schema and the gate agree on each.
// Fields the schema does not name are ignored by the gate, so objects stay open.
import { REASON_CODES } from '../gate/reason.js';
import type { Schema } from './openapi-types.js';

const ID: Schema = { type: 'string', minLength: 1, maxLength: 128 };
const IDENTITY_HASH: Schema = { type: 'string', minLength: 1, maxLength: 128 };

export const SELLER_IDENTITY: Schema = {
  type: 'object',
  description: "The seller's identity attributes, hashed by the caller.",
  properties: { phoneHash: IDENTITY_HASH, deviceId: IDENTITY_HASH, paymentAccountHash: IDENTITY_HASH, addressHash: IDENTITY_HASH },
};

export const CHECK_REQUEST: Schema = {
  type: 'object',
  description: 'A listing to check. Fields not named here are ignored.',
  required: ['listingId', 'sellerId', 'title'],
  properties: {
    listingId: { ...ID, description: "The marketplace's id: the same id with the same content gets the same verdict and no second review item." },
    sellerId: ID,
    shopId: ID,
    title: { type: 'string', minLength: 1, maxLength: 512 },
    description: { type: 'string', maxLength: 20_000 },
    brand: { type: 'string', maxLength: 512, description: 'What the seller typed in the brand field.' },
    category: { type: 'string', maxLength: 128, description: 'Marketplace category id, e.g. `bags`.' },
    price: {
      type: 'object',
      required: ['amount', 'currency'],
      properties: {
        amount: { type: 'number', minimum: 0, maximum: 1e12 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'ISO 4217, e.g. `CNY`.' },
      },
    },
    images: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        properties: {
          url: { type: 'string', minLength: 1, maxLength: 2048 },
          phash: { type: 'string', pattern: '^[0-9a-fA-F]{16}$', description: '64-bit DCT perceptual hash, computed at upload time.' },
        },
      },
    },
    seller: { $ref: '#/components/schemas/SellerIdentity' },
    attributes: {
      type: 'object',
      description: 'Scanned as text too.',
      maxProperties: 50,
      propertyNames: { minLength: 1, maxLength: 128 },
      additionalProperties: { type: 'string', maxLength: 2000 },
    },
  },
};

export const REASON: Schema = {
  type: 'object',
  required: ['code', 'ref'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', enum: REASON_CODES },
    ref: { type: 'string', description: 'What matched: a term, a rule id, a list, a banked item, a ring or the degraded signal.' },
    field: { type: 'string', description: 'Where, e.g. `title`, `attributes.material`, `images[0]`.' },
    start: { type: 'integer', minimum: 0, description: "Offset into the caller's original field text (UTF-16 units), not the normalized text." },
    end: { type: 'integer', minimum: 0 },
  },
};

export const VERDICT: Schema = { type: 'string', enum: ['allow', 'review', 'block'] };

export const CHECK_RESPONSE: Schema = {
  type: 'object',
  required: ['checkId', 'listingId', 'verdict', 'score', 'reasons', 'policyVersion', 'tookMicros'],
  additionalProperties: false,
  properties: {
    checkId: { type: 'string' },
    listingId: { type: 'string' },
    verdict: { $ref: '#/components/schemas/Verdict' },
    score: { type: 'number' },
    reasons: { type: 'array', items: { $ref: '#/components/schemas/Reason' } },
    policyVersion: { type: 'string' },
    reviewId: { type: 'string', description: 'Only when the verdict is `review`.' },
    tookMicros: { type: 'integer', minimum: 0 },
  },
};

export const SELLER_CHECK_REQUEST: Schema = {
  type: 'object',
  required: ['sellerId', 'businessName'],
  properties: {
    sellerId: ID,
    shopId: ID,
    businessName: { type: 'string', minLength: 1, maxLength: 256 },
    region: { type: 'string', minLength: 1, maxLength: 64, description: 'Where the seller is based or ships from (free text).' },
    seller: { $ref: '#/components/schemas/SellerIdentity' },
  },
};

export const SELLER_CHECK_RESPONSE: Schema = {
  type: 'object',
  required: ['checkId', 'sellerId', 'verdict', 'score', 'reasons', 'policyVersion', 'tookMicros'],
  properties: {
    checkId: { type: 'string' },
    sellerId: { type: 'string' },
    verdict: { $ref: '#/components/schemas/Verdict' },
    score: { type: 'number' },
    reasons: {
      type: 'array',
      description: 'Reasons as a listing check gives them, and `business_name_brand` for a business name imitating a brand.',
      items: {
        type: 'object',
        required: ['code', 'ref'],
        properties: { code: { type: 'string', enum: [...REASON_CODES, 'business_name_brand'] }, ref: { type: 'string' } },
      },
    },
    policyVersion: { type: 'string' },
    reviewId: { type: 'string' },
    tookMicros: { type: 'integer', minimum: 0 },
  },
};
