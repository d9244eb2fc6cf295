// Every error the gate answers with has a stable code, defined here once, with the
// HTTP status it maps to. docs/errors.md lists them; a test checks the two agree.
export const GATE_ERRORS = {
  GATE_ERR_INVALID_BODY: { status: 400, summary: 'The body is not valid JSON or MessagePack, or is not valid UTF-8.' },
  GATE_ERR_INVALID_FIELD: { status: 400, summary: 'A field is missing, of the wrong type or out of range; `field` names it.' },
  GATE_ERR_EMPTY_BODY: { status: 400, summary: 'The request has no body.' },
  GATE_ERR_INVALID_PACK: { status: 400, summary: 'A policy pack failed validation; `details` names every bad entry.' },
  GATE_ERR_UNAUTHORIZED: { status: 401, summary: 'No bearer token, or an unknown one.' },
  GATE_ERR_FORBIDDEN: { status: 403, summary: 'The token is valid but its role may not call this endpoint.' },
  GATE_ERR_NOT_FOUND: { status: 404, summary: 'No such route or resource.' },
  GATE_ERR_METHOD_NOT_ALLOWED: { status: 405, summary: 'The route exists but not for this method.' },
  GATE_ERR_CONFLICT: {
    status: 409,
    summary:
      'The resource is not in a state that allows this (a review item decided, claimed or past its window; a listing not blocked or past its appeal window; a brand not verified).',
  },
  GATE_ERR_BODY_TOO_LARGE: { status: 413, summary: 'The body is over the size limit.' },
  GATE_ERR_UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'Content type is neither application/json nor application/msgpack.' },
  GATE_ERR_UPGRADE_REQUIRED: { status: 426, summary: 'The route is a WebSocket (GET /v1/check/stream) and the request asked for no upgrade.' },
  GATE_ERR_RATE_LIMITED: {
    status: 429,
    summary:
      'The caller is over a rate limit (a consumer reporter over its report limit, or an address or token with too many failed authentications); retry after `retry-after` seconds.',
  },
  GATE_ERR_IMAGE_REFUSED: {
    status: 403,
    summary: "The review page's image proxy will not fetch this URL or pass on what it answered; `details.reason` says why.",
  },
  GATE_ERR_OVERLOADED: { status: 503, summary: 'The gate is shedding load; retry after `retry-after` seconds.' },
  GATE_ERR_NOT_READY: { status: 503, summary: 'No pack is live or Redis is unreachable.' },
  GATE_ERR_IMAGE_UNAVAILABLE: {
    status: 502,
    summary: 'An allow-listed image host did not answer in time, failed, or answered with an error status; `details.reason` says which.',
  },
  GATE_ERR_FORWARD_FAILED: {
    status: 502,
    summary:
      'A check thread could not pass the request to the main thread, or the connection to it failed before an answer began (the request may have reached it).',
  },
  GATE_ERR_DEAD_LETTER: {
    status: 500,
    summary:
      'An intake entry was delivered GATE_INTAKE_MAX_DELIVERIES times without an outcome; it was moved to the dead-letter stream (never an HTTP answer).',
  },
  GATE_ERR_INTERNAL: { status: 500, summary: 'An unexpected failure; the log has the details.' },
} as const;

export type GateErrorCode = keyof typeof GATE_ERRORS;

export interface GateErrorBody {
  error: { code: GateErrorCode; message: string; field?: string; details?: unknown };
}

export class GateError extends Error {
  readonly code: GateErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly details: unknown;

  constructor(code: GateErrorCode, message: string, options: { field?: string; details?: unknown } = {}) {
    super(message);
    this.name = 'GateError';
    this.code = code;
    this.status = GATE_ERRORS[code].status;
    this.field = options.field;
    this.details = options.details;
  }

  /** The error a body of `toBody` describes (an error made on another thread). */
  static fromBody({ code, message, ...options }: GateErrorBody['error']): GateError {
    return new GateError(code, message, options);
  }

  toBody(): GateErrorBody {
    const body: GateErrorBody = { error: { code: this.code, message: this.message } };
    if (this.field !== undefined) body.error.field = this.field;
    if (this.details !== undefined) body.error.details = this.details;
    return body;
  }
}
