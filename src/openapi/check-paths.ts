// What a publish service calls: checks (HTTP and the socket), the shop-opening
// check, consumer reports, verdict lookups and sellers' appeals
// (docs/contract.md sections 1, 5 and 6; docs/check-socket.md).
import { CHECK_REQUEST, CHECK_RESPONSE, REASON, SELLER_CHECK_REQUEST, SELLER_CHECK_RESPONSE, SELLER_IDENTITY, VERDICT } from './check-schemas.js';
import { arrayOf, object, operation, pathParam, ref } from './operation.js';
import type { RouteGroup, Schema } from './openapi-types.js';

const tag = 'checks';
const listingId = pathParam('listingId', "The marketplace's listing id (percent-encoded).");

const LISTING_VERDICT: Schema = object(
  {
    listingId: { type: 'string' },
    verdict: ref.schema('Verdict'),
    decidedBy: { type: 'string', description: '`gate`, `reviewer:<name>` or `admin`.' },
    decidedAt: { type: 'string', format: 'date-time' },
    checkId: { type: 'string' },
    reviewId: { type: 'string' },
    policyVersion: { type: 'string' },
    reasons: arrayOf(ref.schema('Reason')),
    complaintId: { type: 'string' },
    contentHash: { type: 'string' },
    version: { type: 'integer', description: 'Up by one with each decision and undo: a receiver keeps the highest.' },
    brands: arrayOf({ type: 'string' }),
  },
  ['listingId', 'verdict', 'decidedBy', 'decidedAt'],
);

const APPEAL: Schema = object(
  {
    appealId: { type: 'string' },
    listingId: { type: 'string' },
    sellerId: { type: 'string' },
    reason: { type: 'string' },
    filedAt: { type: 'string', format: 'date-time' },
    blockedBy: { type: 'string' },
    blockedAt: { type: 'string', format: 'date-time' },
    windowClosesAt: { type: 'string', format: 'date-time' },
    status: { type: 'string', enum: ['pending', 'overturned', 'upheld', 'lapsed'] },
    reviewId: { type: 'string' },
    decidedAt: { type: 'string', format: 'date-time' },
    decidedBy: { type: 'string' },
  },
  ['appealId', 'listingId', 'sellerId', 'reason', 'filedAt', 'status', 'reviewId'],
);

const STREAM_MESSAGE: Schema = object(
  {
    seq: { type: 'integer', description: 'Echoed in the answer; a message without a usable seq closes the socket (1008).' },
    listing: ref.schema('CheckRequest'),
    deadlineMs: { type: 'integer', minimum: 1, maximum: 60_000 },
  },
  ['seq', 'listing'],
  { description: 'A message on the check socket: JSON in a text frame or MessagePack in a binary frame.' },
);

const STREAM_ANSWER: Schema = {
  description: 'The answer to a message, in its encoding: `{ seq, …the check response }` or `{ seq, error }`; answers may come out of order.',
  anyOf: [
    { ...CHECK_RESPONSE, properties: { seq: { type: 'integer' }, ...CHECK_RESPONSE.properties }, required: ['seq', ...(CHECK_RESPONSE.required ?? [])] },
    object({ seq: { type: 'integer' }, error: { $ref: '#/components/schemas/ErrorBody/properties/error' } }, ['seq', 'error']),
  ],
};

const deadline = ref.parameter('DeadlineMs');
const timing = ref.parameter('GateTiming');
const serverTiming = { 'server-timing': { description: 'With `x-gate-timing`: the phases of the request.', schema: { type: 'string' } } } as const;

export const checkPaths: RouteGroup = {
  tag: { name: tag, description: 'What a publish service calls. A publisher token is needed once `GATE_PUBLISHER_TOKENS` is set.' },
  paths: {
    '/v1/check': {
      post: operation({
        id: 'check',
        tag,
        summary: 'Check a listing',
        description:
          'Answers `allow`, `review` or `block` with the reasons. A check that cannot finish by its deadline answers `review` with reason `degraded` instead of waiting; an overloaded gate refuses with 503 and `retry-after` (or answers `review`/`degraded`, by `GATE_SHED_MODE`).',
        access: 'publisher',
        parameters: [deadline, timing],
        body: {
          schema: ref.schema('CheckRequest'),
          example: { listingId: 'L1', sellerId: 's-42', title: 'Ｌ.Ｖ 高|仿 手提包 包邮', category: 'bags', price: { amount: 199, currency: 'CNY' } },
        },
        answer: { description: 'The verdict.', schema: ref.schema('CheckResponse'), headers: serverTiming },
      }),
    },
    '/v1/check/stream': {
      get: operation({
        id: 'checkStream',
        tag,
        summary: 'The check socket (WebSocket)',
        description:
          'Upgrades to a WebSocket carrying `CheckStreamMessage`s, each answered by a `CheckStreamAnswer` (docs/check-socket.md). The token is checked before the upgrade; a GET without `upgrade: websocket` gets 426 after the token check.',
        access: 'publisher',
        answer: { status: 101, description: 'Switching to the WebSocket protocol.' },
        errors: [426],
      }),
    },
    '/v1/check/seller': {
      post: operation({
        id: 'checkSeller',
        tag,
        summary: 'Shop-opening check of a seller',
        access: 'publisher',
        parameters: [deadline],
        body: { schema: ref.schema('SellerCheckRequest') },
        answer: { description: 'The verdict on the seller.', schema: ref.schema('SellerCheckResponse') },
      }),
    },
    '/v1/reports': {
      post: operation({
        id: 'report',
        tag,
        summary: "File a consumer's report on a listing",
        description: "One low-tier review item per listing, its priority the number of distinct reporters; 429 past the reporter's rate limit.",
        access: 'publisher',
        body: {
          schema: object(
            {
              listingId: { type: 'string', minLength: 1, maxLength: 128 },
              reporterId: { type: 'string', minLength: 1, maxLength: 128 },
              reason: { type: 'string', minLength: 1, maxLength: 500 },
              evidence: { type: 'string', maxLength: 5000 },
            },
            ['listingId', 'reporterId', 'reason'],
          ),
        },
        answer: {
          description: 'The report, counted or not.',
          schema: object(
            {
              listingId: { type: 'string' },
              reviewId: { type: 'string' },
              counted: { type: 'boolean', description: 'False when this reporter had reported the listing already.' },
              reporters: { type: 'integer' },
              tier: { type: 'string', enum: ['low', 'normal'] },
            },
            ['listingId', 'reviewId', 'counted', 'reporters', 'tier'],
          ),
        },
      }),
    },
    '/v1/listings/{listingId}/verdict': {
      get: operation({
        id: 'listingVerdict',
        tag,
        summary: "A listing's current verdict",
        description: '`allow`, `block`, or `review` while pending, with who or what decided it and when.',
        access: 'publisher',
        parameters: [listingId],
        answer: { description: 'The verdict.', schema: ref.schema('ListingVerdict') },
      }),
    },
    '/v1/listings/{listingId}/appeal': {
      post: operation({
        id: 'appeal',
        tag,
        summary: 'A seller contests a block',
        description:
          "Within `GATE_APPEAL_WORKING_DAYS` of the block; a reviewer's `allow` overturns it. 409 when the listing is not blocked or the window has closed.",
        access: 'publisher',
        parameters: [listingId],
        body: {
          schema: object({ sellerId: { type: 'string', minLength: 1, maxLength: 128 }, reason: { type: 'string', minLength: 1, maxLength: 2000 } }, [
            'sellerId',
            'reason',
          ]),
        },
        answer: {
          description: 'The appeal (`created` false when it had been filed already).',
          schema: object({ created: { type: 'boolean' }, appeal: ref.schema('Appeal') }, ['created', 'appeal']),
        },
        errors: [409],
      }),
    },
    '/v1/appeals/{appealId}': {
      get: operation({
        id: 'getAppeal',
        tag,
        summary: 'An appeal and its status',
        access: 'publisher',
        parameters: [pathParam('appealId', 'As the appeal answer gave it.')],
        answer: { description: 'The appeal.', schema: ref.schema('Appeal') },
      }),
    },
  },
  schemas: {
    CheckRequest: CHECK_REQUEST,
    CheckResponse: CHECK_RESPONSE,
    Reason: REASON,
    Verdict: VERDICT,
    SellerIdentity: SELLER_IDENTITY,
    SellerCheckRequest: SELLER_CHECK_REQUEST,
    SellerCheckResponse: SELLER_CHECK_RESPONSE,
    CheckStreamMessage: STREAM_MESSAGE,
    CheckStreamAnswer: STREAM_ANSWER,
    ListingVerdict: LISTING_VERDICT,
    Appeal: APPEAL,
  },
};
