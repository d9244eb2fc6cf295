// The document's error answers, made from the one error registry: each status
// lists the codes that answer with it, so a code added to gate-error.ts shows up
// here without anyone remembering to.
import { GATE_ERRORS, type GateErrorCode } from '../errors/gate-error.js';
import type { Header, Response, Schema } from './openapi-types.js';

/** Never an HTTP answer: the error of an intake entry's dead letter. */
type NotHttp = 'GATE_ERR_DEAD_LETTER';
export type HttpErrorCode = Exclude<GateErrorCode, NotHttp>;
export type ErrorStatus = (typeof GATE_ERRORS)[HttpErrorCode]['status'];

/** The component name of each error status's response (a status missing here fails to compile). */
export const ERROR_RESPONSE_NAMES: Readonly<Record<ErrorStatus, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'BodyTooLarge',
  415: 'UnsupportedMediaType',
  426: 'UpgradeRequired',
  429: 'RateLimited',
  500: 'Internal',
  502: 'BadGateway',
  503: 'Unavailable',
};

export const ERROR_STATUSES = Object.keys(ERROR_RESPONSE_NAMES).map(Number) as ErrorStatus[];

function httpCodes(): HttpErrorCode[] {
  return (Object.keys(GATE_ERRORS) as GateErrorCode[]).filter((code): code is HttpErrorCode => code !== 'GATE_ERR_DEAD_LETTER');
}

export function codesOfStatus(status: ErrorStatus): HttpErrorCode[] {
  return httpCodes().filter((code) => GATE_ERRORS[code].status === status);
}

export function errorBodySchema(): Schema {
  return {
    type: 'object',
    description: 'Every error answer (docs/errors.md); MessagePack when the request accepts it.',
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', enum: httpCodes() },
          message: { type: 'string', description: 'For people; may change between versions.' },
          field: {
            type: 'string',
            description:
              'The offending field where there is one: `title`, `images[3].phash`, `body`, `content-type`, `x-deadline-ms`, a pack path such as `brands[2].names[0]`.',
          },
          details: {
            description:
              'Validation errors: every problem found, each `{ path, message }`. Other codes: what the code documents (`retryAfterSeconds`, `reason`).',
            anyOf: [{ type: 'array', items: { $ref: '#/components/schemas/FieldIssue' } }, { type: 'object' }],
          },
        },
      },
    },
  };
}

export const FIELD_ISSUE_SCHEMA: Schema = {
  type: 'object',
  required: ['path', 'message'],
  properties: { path: { type: 'string' }, message: { type: 'string' } },
};

export const RETRY_AFTER_HEADER: Header = { description: 'Seconds to wait before retrying.', schema: { type: 'integer', minimum: 1 } };

export function errorResponses(): Record<string, Response> {
  const out: Record<string, Response> = {};
  for (const status of ERROR_STATUSES) {
    const codes = codesOfStatus(status);
    const schema: Schema = { $ref: '#/components/schemas/ErrorBody', properties: { error: { properties: { code: { enum: codes } } } } };
    const response: Response = {
      description: codes.map((code) => `\`${code}\`: ${GATE_ERRORS[code].summary}`).join(' '),
      content: { 'application/json': { schema }, 'application/msgpack': { schema } },
    };
    out[ERROR_RESPONSE_NAMES[status]] =
      status === 429 || status === 503 ? { ...response, headers: { 'retry-after': { $ref: '#/components/headers/RetryAfter' } } } : response;
  }
  return out;
}
