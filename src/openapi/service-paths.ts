// Liveness, readiness, metrics and this document (docs/contract.md section 4).
import { object, operation } from './operation.js';
import type { RouteGroup, Schema } from './openapi-types.js';

const tag = 'service';

const READINESS: Schema = object(
  {
    ready: { type: 'boolean' },
    pack: { type: ['string', 'null'], description: 'The live pack version, null before one is live.' },
    redis: { type: 'string', enum: ['up', 'down'] },
    draining: { type: 'boolean', description: 'True once SIGTERM was received.' },
    checkThreads: { type: 'string', description: 'With check threads: `<n> of <count> ready`.' },
  },
  ['ready', 'pack', 'redis', 'draining'],
);

const text = (type: string): Schema => ({ type: 'string', description: type });

export const servicePaths: RouteGroup = {
  tag: { name: tag, description: 'Liveness, readiness, metrics and the API description.' },
  paths: {
    '/healthz': {
      get: operation({
        id: 'health',
        tag,
        summary: 'The process lives',
        access: 'open',
        redis: false,
        answer: { description: 'Always, while the process runs.', schema: object({ status: { const: 'ok' }, pid: { type: 'integer' } }, ['status', 'pid']) },
      }),
    },
    '/readyz': {
      get: operation({
        id: 'ready',
        tag,
        summary: 'Ready for checks',
        description: 'Ready once a pack is live, Redis answers, the gate is not draining and every check thread has the live pack.',
        access: 'open',
        redis: false,
        answer: { description: 'Ready.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
        otherAnswers: {
          '503': {
            description: 'Not ready (yet, or draining); the same body says why.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } },
          },
        },
      }),
    },
    '/metrics': {
      get: operation({
        id: 'metrics',
        tag,
        summary: 'Prometheus metrics',
        description: 'Open unless `GATE_METRICS_TOKEN` is set; then that token (or the admin token) is needed.',
        access: 'metrics',
        redis: false,
        answer: {
          description: 'The Prometheus text format.',
          content: { 'text/plain; version=0.0.4': { schema: text('Prometheus exposition format 0.0.4') } },
        },
      }),
    },
    '/openapi.json': {
      get: operation({
        id: 'openApiDocument',
        tag,
        summary: 'This document',
        access: 'open',
        redis: false,
        answer: { description: 'The OpenAPI 3.1 document of every route the gate serves.', content: { 'application/json': { schema: { type: 'object' } } } },
      }),
    },
    '/pack.schema.json': {
      get: operation({
        id: 'packSchema',
        tag,
        summary: "The policy pack's JSON Schema",
        description: 'The shape of a pack; what needs the gate (terms that normalize to nothing, duplicates, review above block) is checked on upload.',
        access: 'open',
        redis: false,
        answer: { description: 'JSON Schema 2020-12.', content: { 'application/schema+json': { schema: { type: 'object' } } } },
      }),
    },
    '/docs': {
      get: operation({
        id: 'docsPageBare',
        tag,
        summary: 'This document as a page (same as /docs/)',
        access: 'open',
        redis: false,
        answer: { description: "HTML, no script; served under the reviewer page's policy.", content: { 'text/html; charset=utf-8': { schema: text('HTML') } } },
      }),
    },
    '/docs/': {
      get: operation({
        id: 'docsPage',
        tag,
        summary: 'This document as a page',
        access: 'open',
        redis: false,
        answer: { description: "HTML, no script; served under the reviewer page's policy.", content: { 'text/html; charset=utf-8': { schema: text('HTML') } } },
      }),
    },
    '/docs/docs.css': {
      get: operation({
        id: 'docsPageStyle',
        tag,
        summary: "The page's stylesheet",
        access: 'open',
        redis: false,
        answer: { description: 'CSS.', content: { 'text/css; charset=utf-8': { schema: text('CSS') } } },
      }),
    },
  },
  schemas: { Readiness: READINESS },
};
