// Re-check jobs (docs/rechecks.md) and the webhook's dead letters (README
// "Review"): the admin's background work.
import { RECHECK_STATES } from '../recheck/recheck-job.js';
import { NDJSON_TYPES, RECHECKS_PATH } from '../http/recheck-routes.js';
import { WEBHOOK_DEAD_LETTERS_PATH } from '../http/webhook-routes.js';
import { arrayOf, encoded, object, operation, pathParam, queryParam, ref } from './operation.js';
import type { MediaType, RouteGroup, Schema } from './openapi-types.js';

const tag = 'jobs';
const deadLetterId = pathParam('id', "The dead letter's id as the list gives it (`<ms>-<seq>`).", { type: 'string', pattern: '^\\d{1,20}-\\d{1,20}$' });

const RECHECK_JOB: Schema = object(
  {
    id: { type: 'string' },
    state: { type: 'string', enum: RECHECK_STATES },
    source: object({ kind: { type: 'string', enum: ['stream', 'upload'] }, stream: { type: 'string' } }, ['kind', 'stream']),
    onlyChanged: { type: 'boolean' },
    trigger: { type: 'object', description: 'What started the job: `{ by: "admin" }`, or the change it follows.' },
    total: { type: 'integer' },
    done: { type: 'integer' },
    rate: { type: 'number', description: 'Listings a second now (0 unless running).' },
    etaSeconds: { type: ['number', 'null'] },
    changed: object({ total: { type: 'integer' }, byKind: { type: 'object', additionalProperties: { type: 'integer' } } }),
    unrecorded: { type: 'integer' },
    invalid: { type: 'integer' },
    outOfScope: {
      type: 'integer',
      description: 'Listings a job scoped to a change skipped without matching: the change cannot move their verdict (never emitted).',
    },
    scope: {
      type: 'object',
      description:
        'What the change that started the job changed: `kind` (`sellers`, `list`, `images`, `texts`, `pack`) and counts; absent for a job over every listing.',
    },
    verdictsStream: { type: 'string' },
    createdAt: { type: 'string' },
    updatedAt: { type: 'string' },
    finishedAt: { type: 'string' },
  },
  ['id', 'state', 'source', 'total', 'done'],
);

const START: Schema = object({ source: ref.schema('RecheckSource'), onlyChanged: { type: 'boolean', default: false } }, ['source'], {
  additionalProperties: false,
});
const ndjson: Record<string, MediaType> = Object.fromEntries(
  NDJSON_TYPES.map((type) => [type, { schema: { type: 'string', description: 'One check request (JSON) a line.' } }]),
);

export const recheckPaths: RouteGroup = {
  tag: { name: tag, description: "The admin's background work: re-check jobs and the webhook's dead letters." },
  paths: {
    [RECHECKS_PATH]: {
      get: operation({
        id: 'recheckJobs',
        tag,
        summary: 'Re-check jobs',
        access: 'admin',
        answer: { description: 'Every job.', schema: object({ jobs: arrayOf(ref.schema('RecheckJob')) }, ['jobs']) },
      }),
      post: operation({
        id: 'startRecheck',
        tag,
        summary: 'Start a re-check job over a stream of listings or an NDJSON upload',
        access: 'admin',
        parameters: [queryParam('onlyChanged', 'For an upload: emit only verdicts that changed.', { type: 'string', enum: ['true', 'false', '1', '0'] })],
        body: { schema: START, content: { ...encoded(START), ...ndjson } },
        answer: { status: 202, description: 'Started.', schema: object({ id: { type: 'string' }, total: { type: 'integer' } }, ['id', 'total']) },
      }),
    },
    [`${RECHECKS_PATH}/{id}`]: {
      get: operation({
        id: 'recheckJob',
        tag,
        summary: 'A re-check job',
        access: 'admin',
        parameters: [pathParam('id', "The job's id.")],
        answer: { description: 'The job.', schema: ref.schema('RecheckJob') },
      }),
    },
    [`${RECHECKS_PATH}/{id}/{action}`]: {
      post: operation({
        id: 'recheckJobAction',
        tag,
        summary: 'Pause, resume or cancel a re-check job',
        access: 'admin',
        parameters: [pathParam('id', "The job's id."), pathParam('action', 'What to do.', { type: 'string', enum: ['pause', 'resume', 'cancel'] })],
        answer: { description: 'The job.', schema: ref.schema('RecheckJob') },
        errors: [409],
      }),
    },
    [WEBHOOK_DEAD_LETTERS_PATH]: {
      get: operation({
        id: 'webhookDeadLetters',
        tag,
        summary: 'Webhook events whose attempts ran out, oldest first',
        access: 'admin',
        parameters: [
          queryParam('count', 'At most this many (1 to 1000).', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
          queryParam('after', 'List after this id.', { type: 'string', pattern: '^\\d{1,20}-\\d{1,20}$' }),
        ],
        answer: {
          description: 'The dead letters and how many there are.',
          schema: object(
            {
              items: arrayOf(
                object(
                  {
                    id: { type: 'string' },
                    eventId: { type: 'string' },
                    event: {},
                    attempts: { type: 'integer' },
                    error: { type: 'string' },
                    deadAt: { type: 'string' },
                  },
                  ['id', 'eventId', 'event', 'attempts', 'error', 'deadAt'],
                ),
              ),
              total: { type: 'integer' },
            },
            ['items', 'total'],
          ),
        },
        errors: [400],
      }),
    },
    [`${WEBHOOK_DEAD_LETTERS_PATH}/{id}/redeliver`]: {
      post: operation({
        id: 'redeliverWebhook',
        tag,
        summary: 'Send a dead letter again (same event id, attempts from zero)',
        description: '409 without `GATE_WEBHOOK_URL`.',
        access: 'admin',
        parameters: [deadLetterId],
        answer: {
          description: 'Back in the outbox.',
          schema: object({ id: { type: 'string' }, redelivered: { const: true }, outboxId: { type: 'string' } }, ['id', 'redelivered', 'outboxId']),
        },
        errors: [400, 409],
      }),
    },
    [`${WEBHOOK_DEAD_LETTERS_PATH}/{id}`]: {
      delete: operation({
        id: 'dropWebhook',
        tag,
        summary: 'Drop a dead letter',
        access: 'admin',
        parameters: [deadLetterId],
        answer: { description: 'Dropped.', schema: object({ id: { type: 'string' }, dropped: { const: true } }, ['id', 'dropped']) },
        errors: [400],
      }),
    },
  },
  schemas: { RecheckJob: RECHECK_JOB },
};
