// The reviewers' API and page, the alliance sellers they rule on, and the
// admin's view of the queue's dead letters and the audit log (README "Review").
import { arrayOf, object, operation, pathParam, queryParam, ref } from './operation.js';
import type { RouteGroup, Schema } from './openapi-types.js';

const tag = 'review';
const reviewId = pathParam('reviewId', 'As the claimed item gives it.');
const sellerId = pathParam('sellerId', "The seller's id (percent-encoded).");
const note: Schema = { type: 'string', maxLength: 2000 };

const DECISION: Schema = object(
  {
    decision: { type: 'string', enum: ['block', 'allow'] },
    note,
    applyToCluster: { type: 'boolean', description: "Decide the item's near-duplicates not held by another reviewer the same way." },
    confirm: object({ seller: { type: 'boolean' }, identity: { type: 'boolean' }, images: { type: 'boolean' }, text: { type: 'boolean' } }, [], {
      description: 'What a block also adds to the lists and banks.',
    }),
  },
  ['decision'],
);

const DECIDED: Schema = object(
  {
    reviewId: { type: 'string' },
    decisionId: { type: 'string' },
    decision: { type: 'string', enum: ['block', 'allow'] },
    cluster: object({ decided: arrayOf({ type: 'string' }), skipped: arrayOf({ type: 'string' }) }),
    spooled: { type: 'boolean', description: 'Redis was unavailable: the decision is kept on disk and applied when it returns.' },
  },
  ['reviewId', 'decisionId', 'decision'],
);

const REVIEW_ITEM: Schema = object(
  {
    reviewId: { type: 'string' },
    listingId: { type: 'string' },
    sellerId: { type: 'string' },
    tier: { type: 'string', description: 'complaint, normal, low or qa.' },
    priority: { type: 'number' },
    score: { type: 'number' },
    source: { type: 'string' },
    policyVersion: { type: 'string' },
    reasons: arrayOf(ref.schema('Reason')),
    listing: { description: 'The listing as checked.' },
    createdAt: { type: 'string', format: 'date-time' },
    deliveries: { type: 'integer' },
    leaseExpiresAt: { type: 'string', format: 'date-time' },
    cluster: arrayOf({ type: 'string' }, { description: 'Pending near-duplicates of this item.' }),
    context: { type: 'object' },
  },
  ['reviewId', 'listingId', 'sellerId', 'tier', 'priority', 'reasons', 'listing', 'deliveries', 'leaseExpiresAt'],
);

const ALLIANCE_RULING: Schema = object(
  { decision: { type: 'string', enum: ['confirm', 'reject'] }, by: { type: 'string' }, at: { type: 'string', format: 'date-time' }, note: { type: 'string' } },
  ['decision', 'by', 'at'],
);

const AUDIT_RECORD: Schema = object(
  {
    id: { type: 'string', description: '`<ms>-<seq>`: what `after` takes.' },
    n: { type: ['integer', 'null'], description: "The record's number in the chain." },
    raw: { type: 'string' },
    previous: { type: 'string' },
    hash: { type: 'string' },
    record: object(
      {
        who: { type: 'string' },
        what: { type: 'string' },
        when: { type: 'string', format: 'date-time' },
        why: { type: 'string' },
        subject: { type: 'string' },
        details: {},
      },
      ['who', 'what', 'when'],
    ),
  },
  ['id', 'record'],
);

const itemAction = (id: string, summary: string, answer: Schema) => ({
  post: operation({ id, tag, summary, access: 'reviewer', parameters: [reviewId], answer: { description: summary, schema: answer }, errors: [409] }),
});

const page = (id: string, summary: string, type: string) => ({
  get: operation({
    id,
    tag,
    summary,
    access: 'open',
    redis: false,
    answer: { description: 'Served under a strict content security policy, never framed or cached.', content: { [type]: { schema: { type: 'string' } } } },
  }),
});

export const reviewPaths: RouteGroup = {
  tag: { name: tag, description: 'Reviewers clear the queue; their decisions feed the lists and banks. Reviewer tokens come from `GATE_REVIEWER_TOKENS`.' },
  paths: {
    '/v1/review/next': {
      get: operation({
        id: 'claimReviewItems',
        tag,
        summary: 'Claim review items',
        description: 'Complaints first, then gate verdicts, then QA samples; a claim lasts `GATE_REVIEW_LEASE_MS`, then the item returns to the queue.',
        access: 'reviewer',
        parameters: [queryParam('count', 'Items to claim.', { type: 'integer', minimum: 1, maximum: 50, default: 1 })],
        answer: {
          description: 'The claimed items.',
          schema: object({ items: arrayOf(ref.schema('ReviewItem')), leaseMs: { type: 'integer' } }, ['items', 'leaseMs']),
        },
      }),
    },
    '/v1/review/{reviewId}/decision': {
      post: operation({
        id: 'decideReviewItem',
        tag,
        summary: 'Decide a claimed item',
        access: 'reviewer',
        parameters: [reviewId],
        body: { schema: ref.schema('ReviewDecision') },
        answer: { description: 'The decision.', schema: ref.schema('ReviewDecided') },
        errors: [409],
      }),
    },
    '/v1/review/decisions': {
      post: operation({
        id: 'decideReviewItems',
        tag,
        summary: 'Decide up to 300 items at once',
        access: 'reviewer',
        body: {
          schema: object(
            {
              decisions: arrayOf(
                { $ref: '#/components/schemas/ReviewDecision', required: ['reviewId'], properties: { reviewId: { type: 'string' } } },
                { minItems: 1, maxItems: 300 },
              ),
            },
            ['decisions'],
          ),
        },
        answer: {
          description: 'Each decision reported on its own.',
          schema: object(
            {
              results: arrayOf({
                anyOf: [
                  { $ref: '#/components/schemas/ReviewDecided', properties: { ok: { const: true } } },
                  object({ ok: { const: false }, reviewId: { type: 'string' }, error: { $ref: '#/components/schemas/ErrorBody/properties/error' } }, [
                    'ok',
                    'error',
                  ]),
                ],
              }),
            },
            ['results'],
          ),
        },
      }),
    },
    '/v1/review/{reviewId}/hold': itemAction(
      'holdReviewItem',
      'Extend the claim',
      object({ reviewId: { type: 'string' }, leaseExpiresAt: { type: 'string', format: 'date-time' } }),
    ),
    '/v1/review/{reviewId}/release': itemAction(
      'releaseReviewItem',
      'Give the item back to the queue',
      object({ reviewId: { type: 'string' }, released: { const: true } }),
    ),
    '/v1/review/{reviewId}/undo': itemAction(
      'undoReviewDecision',
      'Undo a decision within GATE_REVIEW_UNDO_MS',
      object({ reviewId: { type: 'string' }, undone: { const: true } }),
    ),
    '/v1/review/stats': {
      get: operation({
        id: 'reviewStats',
        tag,
        summary: "Queue depth and the reviewer's own throughput",
        access: 'reviewer',
        answer: {
          description: 'The figures.',
          schema: object({
            reviewer: { type: 'string' },
            depth: { type: 'object' },
            decidedLastHour: { type: 'integer' },
            leaseMs: { type: 'integer' },
            undoWindowMs: { type: 'integer' },
          }),
        },
      }),
    },
    '/v1/review/alliance/sellers': {
      get: operation({
        id: 'allianceSellers',
        tag,
        summary: 'Sellers rights holders shared',
        access: 'reviewer',
        parameters: [queryParam('status', '`pending`: those no reviewer has ruled on.', { type: 'string', enum: ['pending', 'all'], default: 'pending' })],
        answer: {
          description: 'The sellers.',
          schema: object(
            {
              sellers: arrayOf(
                object({ sellerId: { type: 'string' }, brands: arrayOf({ type: 'string' }), review: { anyOf: [ALLIANCE_RULING, { type: 'null' }] } }),
              ),
            },
            ['sellers'],
          ),
        },
      }),
    },
    '/v1/review/alliance/sellers/{sellerId}/decision': {
      post: operation({
        id: 'decideAllianceSeller',
        tag,
        summary: 'Rule on a shared seller',
        description: '`confirm` lists the seller platform-wide (and marks its ring); `reject` leaves its shares counting for their own brands only.',
        access: 'reviewer',
        parameters: [sellerId],
        body: { schema: object({ decision: { type: 'string', enum: ['confirm', 'reject'] }, note }, ['decision']) },
        answer: { description: 'The ruling.', schema: { ...ALLIANCE_RULING, properties: { ...ALLIANCE_RULING.properties, sellerId: { type: 'string' } } } },
      }),
    },
    '/v1/review/sellers/{sellerId}/history': {
      get: operation({
        id: 'sellerHistory',
        tag,
        summary: "A seller's earlier decisions, newest first (50 at most)",
        access: 'reviewer',
        parameters: [sellerId],
        answer: {
          description: 'The history.',
          schema: object({ sellerId: { type: 'string' }, history: arrayOf({ type: 'object' }) }, ['sellerId', 'history']),
        },
      }),
    },
    '/v1/admin/review/dead-letters': {
      get: operation({
        id: 'reviewDeadLetters',
        tag,
        summary: 'Review items delivered too often',
        access: 'admin',
        answer: { description: 'The items.', schema: object({ items: arrayOf({ type: 'object' }) }, ['items']) },
      }),
    },
    '/v1/admin/review/dead-letters/{reviewId}/requeue': {
      post: operation({
        id: 'requeueReviewDeadLetter',
        tag,
        summary: 'Put a dead review item back in its queue',
        description:
          'Deliveries start again from zero. `409` (`details.reason`): `lapsed` once `GATE_REVIEW_DEAD_LAPSE_DAYS` passed (or an admin dropped it), `not_dead` for an item not in the dead letters, `no_dead_letter` when the cap (`GATE_REVIEW_DEAD_MAXLEN`) dropped its letter.',
        access: 'admin',
        parameters: [pathParam('reviewId', 'As the dead letter names it.')],
        answer: { description: 'Requeued.', schema: object({ reviewId: { type: 'string' }, requeued: { const: true } }, ['reviewId', 'requeued']) },
        errors: [409],
      }),
    },
    '/v1/admin/review/dead-letters/{reviewId}': {
      delete: operation({
        id: 'dropReviewDeadLetter',
        tag,
        summary: 'Close a dead review item undecided (a lapse now)',
        description:
          "As a lapse: the item closed undecided, its complaint or appeal settled as `lapsed`, its report closed, a `review.lapsed` webhook event; the listing's verdict unchanged. `409` as for a requeue.",
        access: 'admin',
        parameters: [pathParam('reviewId', 'As the dead letter names it.')],
        answer: { description: 'Dropped.', schema: object({ reviewId: { type: 'string' }, dropped: { const: true } }, ['reviewId', 'dropped']) },
        errors: [409],
      }),
    },
    '/v1/admin/audit': {
      get: operation({
        id: 'auditLog',
        tag,
        summary: 'The HMAC-chained audit log',
        access: 'admin',
        parameters: [
          queryParam('count', 'Records to read (1 to 1000).', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          queryParam('after', 'Read after this record id; `-`: from the start.', { type: 'string', pattern: '^(-|\\d{1,20}-\\d{1,20})$', default: '-' }),
        ],
        answer: { description: 'The records, oldest first.', schema: object({ records: arrayOf(ref.schema('AuditRecord')) }, ['records']) },
      }),
    },
    '/v1/admin/audit/verify': {
      get: operation({
        id: 'verifyAuditLog',
        tag,
        summary: 'Check the audit chain against its signed checkpoints',
        access: 'admin',
        answer: {
          description: 'Whether the chain is intact, and if not which check failed.',
          schema: object(
            {
              intact: { type: 'boolean' },
              firstBroken: { type: ['string', 'null'] },
              reason: { type: ['string', 'null'] },
              checkpoint: { type: ['object', 'null'] },
              from: { type: ['integer', 'null'] },
            },
            ['intact', 'firstBroken', 'reason'],
          ),
        },
      }),
    },
    '/review': page('reviewPageBare', 'The reviewer page (same as /review/)', 'text/html; charset=utf-8'),
    '/review/': page('reviewPage', 'The reviewer page', 'text/html; charset=utf-8'),
    '/review/review.js': page('reviewPageScript', "The reviewer page's script", 'text/javascript; charset=utf-8'),
    '/review/review.css': page('reviewPageStyle', "The reviewer page's stylesheet", 'text/css; charset=utf-8'),
    '/policy': page('policyPageBare', 'The policy page (same as /policy/)', 'text/html; charset=utf-8'),
    '/policy/': page('policyPage', "The policy team's page: the live pack, the rollout, each entry's figures", 'text/html; charset=utf-8'),
    '/policy/policy.js': page('policyPageScript', "The policy page's script", 'text/javascript; charset=utf-8'),
    '/policy/policy.css': page('policyPageStyle', "The policy page's stylesheet", 'text/css; charset=utf-8'),
    '/review/image': {
      get: operation({
        id: 'reviewImage',
        tag,
        summary: "A seller's image, through the gate's proxy",
        description:
          'Fetched only from `GATE_REVIEW_IMAGE_HOSTS`; 403 `GATE_ERR_IMAGE_REFUSED` or 502 `GATE_ERR_IMAGE_UNAVAILABLE` with `details.reason` otherwise.',
        access: 'reviewer',
        redis: false,
        parameters: [queryParam('src', 'The image URL.', { type: 'string', minLength: 1, maxLength: 4096 }, true)],
        answer: {
          description: 'The image bytes (PNG, JPEG, GIF, WebP or AVIF), served as bytes that cannot run.',
          content: { 'image/*': { schema: { type: 'string', contentMediaType: 'image/*' } } },
        },
        errors: [400, 502],
      }),
    },
  },
  schemas: { ReviewDecision: DECISION, ReviewDecided: DECIDED, ReviewItem: REVIEW_ITEM, AuditRecord: AUDIT_RECORD },
};
