// Builds an operation from what differs between routes (who may call, the body,
// the answer); the errors every route of a kind shares are added here once.
import { ERROR_RESPONSE_NAMES, type ErrorStatus } from './error-responses.js';
import type { MediaType, Operation, Parameter, Reference, Response, Schema, SecurityRequirement } from './openapi-types.js';

/** Who may call a route: a role's bearer token (an admin's token acts in every role), or anyone. */
export type Access = 'open' | 'publisher' | 'metrics' | 'reviewer' | 'rightsHolder' | 'admin';

const SECURITY: Readonly<Record<Access, readonly SecurityRequirement[]>> = {
  open: [],
  // `{}`: open to all while no token of the role is configured.
  publisher: [{ publisher: [] }, { admin: [] }, {}],
  metrics: [{ metrics: [] }, { admin: [] }, {}],
  reviewer: [{ reviewer: [] }, { admin: [] }],
  rightsHolder: [{ rightsHolder: [] }, { admin: [] }],
  admin: [{ admin: [] }],
};

export function securityOf(access: Access): readonly SecurityRequirement[] {
  return SECURITY[access];
}

/** API bodies and answers are JSON, or MessagePack by content type and `accept`. */
export function encoded(schema: Schema, example?: MediaType['example']): Readonly<Record<string, MediaType>> {
  const json: MediaType = example === undefined ? { schema } : { schema, example };
  return { 'application/json': json, 'application/msgpack': { schema } };
}

export const ref = {
  schema: (name: string): Schema => ({ $ref: `#/components/schemas/${name}` }),
  parameter: (name: string): Reference => ({ $ref: `#/components/parameters/${name}` }),
};

export function pathParam(name: string, description: string, schema: Schema = { type: 'string', minLength: 1 }): Parameter {
  return { name, in: 'path', required: true, description, schema };
}

export function queryParam(name: string, description: string, schema: Schema, required = false): Parameter {
  return required ? { name, in: 'query', required, description, schema } : { name, in: 'query', description, schema };
}

export interface OperationSpec {
  id: string;
  summary: string;
  description?: string;
  tag: string;
  access: Access;
  parameters?: readonly (Parameter | Reference)[];
  body?: { description?: string; schema: Schema; content?: Readonly<Record<string, MediaType>>; example?: MediaType['example'] };
  answer: { status?: 101 | 200 | 202; description: string; schema?: Schema; content?: Readonly<Record<string, MediaType>>; headers?: Response['headers'] };
  /** Answers besides the main one that are not error bodies (GET /readyz's 503). */
  otherAnswers?: Readonly<Record<string, Response>>;
  /** Errors besides those implied: auth (401, 403, 429) for a role, body (400, 413, 415) with a body, 404 with a path parameter, 500, and 503 unless `redis` is false. */
  errors?: readonly ErrorStatus[];
  /** The route reads Redis or the live pack, so it may answer 503. Default: true. */
  redis?: boolean;
}

function errorRef(status: ErrorStatus): Reference {
  return { $ref: `#/components/responses/${ERROR_RESPONSE_NAMES[status]}` };
}

export function operation(spec: OperationSpec): Operation {
  const statuses = new Set<ErrorStatus>(spec.errors ?? []);
  if (spec.access !== 'open') [401, 403, 429].forEach((s) => statuses.add(s as ErrorStatus));
  if (spec.body) [400, 413, 415].forEach((s) => statuses.add(s as ErrorStatus));
  if (spec.parameters?.some((p) => 'in' in p && p.in === 'path')) statuses.add(404);
  if (spec.redis ?? true) statuses.add(503);
  statuses.add(500);
  const answer: Response = { description: spec.answer.description };
  const content = spec.answer.content ?? (spec.answer.schema ? encoded(spec.answer.schema) : undefined);
  const responses: Record<string, Response | Reference> = {
    [String(spec.answer.status ?? 200)]: { ...answer, ...(content ? { content } : {}), ...(spec.answer.headers ? { headers: spec.answer.headers } : {}) },
  };
  for (const status of [...statuses].sort((a, b) => a - b)) responses[String(status)] = errorRef(status);
  Object.assign(responses, spec.otherAnswers);
  const op: Operation = { operationId: spec.id, summary: spec.summary, tags: [spec.tag], security: SECURITY[spec.access], responses };
  if (spec.description !== undefined) op.description = spec.description;
  if (spec.parameters?.length) op.parameters = spec.parameters;
  if (spec.body)
    op.requestBody = {
      required: true,
      ...(spec.body.description ? { description: spec.body.description } : {}),
      content: spec.body.content ?? encoded(spec.body.schema, spec.body.example),
    };
  return op;
}

/** An object schema with these properties, these of them required. */
export function object(properties: Readonly<Record<string, Schema>>, required: readonly string[] = [], extra: Schema = {}): Schema {
  return required.length > 0 ? { type: 'object', properties, required, ...extra } : { type: 'object', properties, ...extra };
}

export function arrayOf(items: Schema, extra: Schema = {}): Schema {
  return { type: 'array', items, ...extra };
}
