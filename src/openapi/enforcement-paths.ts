// The admin's side of enforcement: mark claims to verify, the transparency
// report, sellers' rings and their clue packages, demoted causes.
import { arrayOf, object, operation, pathParam, queryParam, ref } from './operation.js';
import type { RouteGroup } from './openapi-types.js';
import { csvOr, FIGURES_RANGE } from './rights-holder-paths.js';

const tag = 'enforcement';
const sellerId = pathParam('sellerId', "The seller's id (percent-encoded).");

const RING = object(
  {
    ringId: { type: 'string' },
    members: arrayOf(
      object({
        sellerId: { type: 'string' },
        confirmedCounterfeit: { type: 'boolean' },
        firstSeen: { type: 'string' },
        lastSeen: { type: 'string' },
        attributes: arrayOf({ type: 'string' }),
        regions: arrayOf({ type: 'string' }),
        listings: arrayOf({ type: 'string' }),
      }),
    ),
    sharedAttributes: arrayOf(object({ attribute: { type: 'string' }, sellers: arrayOf({ type: 'string' }) })),
    firstSeen: { type: 'string' },
    lastSeen: { type: 'string' },
    listingCount: { type: 'integer' },
    confirmedCount: { type: 'integer' },
    regions: arrayOf(object({ region: { type: 'string' }, sellers: { type: 'integer' } })),
    truncated: { type: 'boolean', description: 'More members than a view expands.' },
  },
  ['ringId', 'members'],
);

export const enforcementPaths: RouteGroup = {
  tag: { name: tag, description: "The admin's side of enforcement: claims, transparency, rings, demoted causes." },
  paths: {
    '/v1/admin/claims': {
      get: operation({
        id: 'markClaims',
        tag,
        summary: 'Mark claims to verify',
        access: 'admin',
        parameters: [
          queryParam('status', 'Which claims.', { type: 'string', enum: ['pending', 'verified', 'rejected', 'unverified', 'all'], default: 'pending' }),
        ],
        answer: {
          description: 'The brands with their claims.',
          schema: object({ claims: arrayOf({ $ref: '#/components/schemas/Brand', properties: { holder: { type: 'string' } } }) }, ['claims']),
        },
      }),
    },
    '/v1/admin/claims/{holder}/{brandId}': {
      post: operation({
        id: 'decideMarkClaim',
        tag,
        summary: "Verify or reject a holder's mark claim (audited)",
        description: '409 when the holder submitted no claim for the brand.',
        access: 'admin',
        parameters: [pathParam('holder', 'The rights holder id.'), pathParam('brandId', 'The brand id.')],
        body: { schema: object({ decision: { type: 'string', enum: ['verify', 'reject'] }, note: { type: 'string', maxLength: 2000 } }, ['decision']) },
        answer: { description: 'The brand.', schema: ref.schema('Brand') },
        errors: [409],
      }),
    },
    '/v1/admin/transparency': {
      get: operation({
        id: 'transparencyReport',
        tag,
        summary: "Every brand's figures by day",
        access: 'admin',
        parameters: FIGURES_RANGE,
        answer: {
          description: 'Totals and rows (CSV as an attachment).',
          content: csvOr(
            object({
              from: { type: 'string' },
              to: { type: 'string' },
              totals: { type: 'object', additionalProperties: { type: 'integer' } },
              brands: { type: 'integer' },
              rows: arrayOf(ref.schema('FiguresRow')),
            }),
          ),
        },
      }),
    },
    '/v1/admin/rings/{sellerId}': {
      get: operation({
        id: 'sellerRing',
        tag,
        summary: "The seller's ring",
        description: 'Members, the attributes that link them, listings, first and last seen, counts by region.',
        access: 'admin',
        parameters: [sellerId],
        answer: { description: 'The ring.', schema: ref.schema('Ring') },
      }),
    },
    '/v1/admin/rings/{sellerId}/clue-package': {
      get: operation({
        id: 'ringCluePackage',
        tag,
        summary: "The ring's clue package for a referral (audited)",
        access: 'admin',
        parameters: [sellerId, queryParam('format', 'JSON, or CSV as an attachment.', { type: 'string', enum: ['json', 'csv'], default: 'json' })],
        answer: { description: 'The package.', content: csvOr({ type: 'object' }) },
      }),
    },
    '/v1/admin/demotions': {
      get: operation({
        id: 'demotions',
        tag,
        summary: 'Causes demoted to review-only',
        description: 'A rule, list entry, banked item or indicator whose blocks were overturned too often.',
        access: 'admin',
        answer: {
          description: 'The demoted causes.',
          schema: object(
            {
              demotions: arrayOf(
                object({ cause: { type: 'string' }, blocks: { type: 'integer' }, overturned: { type: 'integer' }, demotedAt: { type: 'string' } }, ['cause']),
              ),
            },
            ['demotions'],
          ),
        },
      }),
    },
    '/v1/admin/demotions/{cause}': {
      delete: operation({
        id: 'reinstateCause',
        tag,
        summary: 'Reinstate a demoted cause',
        access: 'admin',
        parameters: [pathParam('cause', 'As the list of demotions names it (percent-encoded).')],
        answer: { description: 'Reinstated.', schema: object({ cause: { type: 'string' }, reinstated: { const: true } }, ['cause', 'reinstated']) },
      }),
    },
  },
  schemas: { Ring: RING },
};
