// The gate's OpenAPI 3.1 document (issue 27 point 1), assembled from one file per
// route group. GET /openapi.json answers it and /docs/ renders it;
// test/openapi.test.ts checks it names exactly the routes the server registers.
import { adminPaths } from './admin-paths.js';
import { checkPaths } from './check-paths.js';
import { enforcementPaths } from './enforcement-paths.js';
import { errorBodySchema, errorResponses, FIELD_ISSUE_SCHEMA, RETRY_AFTER_HEADER } from './error-responses.js';
import { HTTP_METHODS, type OpenApiDocument, type PathItem, type RouteGroup, type Schema } from './openapi-types.js';
import { PACK_SCHEMA } from './pack-schema.js';
import { policyPaths } from './policy-paths.js';
import { recheckPaths } from './recheck-paths.js';
import { reviewPaths } from './review-paths.js';
import { rightsHolderPaths } from './rights-holder-paths.js';
import { servicePaths } from './service-paths.js';

export const ROUTE_GROUPS: readonly RouteGroup[] = [
  servicePaths,
  checkPaths,
  reviewPaths,
  rightsHolderPaths,
  enforcementPaths,
  adminPaths,
  policyPaths,
  recheckPaths,
];

const bearer = (who: string) => ({ type: 'http', scheme: 'bearer', description: who }) as const;

/** Paths of several groups merged; the same operation in two groups is a mistake. */
function mergePaths(groups: readonly RouteGroup[]): Record<string, PathItem> {
  const paths: Record<string, PathItem> = {};
  for (const group of groups) {
    for (const [path, item] of Object.entries(group.paths)) {
      const into: PathItem = (paths[path] ??= {});
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (!op) continue;
        if (into[method]) throw new Error(`${method.toUpperCase()} ${path} is described twice`);
        into[method] = op;
      }
    }
  }
  return paths;
}

function mergeSchemas(groups: readonly RouteGroup[], base: Record<string, Schema>): Record<string, Schema> {
  const schemas = { ...base };
  for (const group of groups) {
    for (const [name, schema] of Object.entries(group.schemas ?? {})) {
      if (schemas[name]) throw new Error(`schema ${name} is defined twice`);
      schemas[name] = schema;
    }
  }
  return schemas;
}

export function openApiDocument(version: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    info: {
      title: 'Listing gate',
      version,
      description:
        'A real-time anti-counterfeit gate: `POST /v1/check` answers `allow`, `review` or `block` with the reasons. The promises behind these routes are in docs/contract.md; error codes in docs/errors.md. Every API answer is JSON, or MessagePack when `accept` asks for `application/msgpack`; bodies likewise by `content-type`. A route asked with a method it does not take answers 405 `GATE_ERR_METHOD_NOT_ALLOWED`, an unknown path 404 `GATE_ERR_NOT_FOUND`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    tags: ROUTE_GROUPS.map((group) => group.tag),
    paths: mergePaths(ROUTE_GROUPS),
    components: {
      schemas: mergeSchemas(ROUTE_GROUPS, { ErrorBody: errorBodySchema(), FieldIssue: FIELD_ISSUE_SCHEMA, PolicyPack: PACK_SCHEMA }),
      responses: errorResponses(),
      parameters: {
        DeadlineMs: {
          name: 'x-deadline-ms',
          in: 'header',
          description: "The caller's deadline in ms (default `GATE_DEFAULT_DEADLINE_MS`); past it the check answers `review` with reason `degraded`.",
          schema: { type: 'number', exclusiveMinimum: 0, maximum: 60_000 },
        },
        GateTiming: {
          name: 'x-gate-timing',
          in: 'header',
          description: 'Any value: the answer carries the phases of the request in `server-timing`.',
          schema: { type: 'string' },
        },
        Holder: {
          name: 'holder',
          in: 'query',
          description: 'The rights holder an admin acts for (a rights holder token acts for its own).',
          schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' },
        },
      },
      headers: { RetryAfter: RETRY_AFTER_HEADER },
      securitySchemes: {
        admin: bearer('`GATE_ADMIN_TOKEN`: every route, acting in any role.'),
        publisher: bearer('One of `GATE_PUBLISHER_TOKENS`; while none is configured, these routes need no token.'),
        reviewer: bearer('One of `GATE_REVIEWER_TOKENS`.'),
        rightsHolder: bearer("One of `GATE_RIGHTS_HOLDER_TOKENS` (`holder:token`): sees only that holder's brands."),
        metrics: bearer('`GATE_METRICS_TOKEN`; while it is unset, `/metrics` needs no token.'),
      },
    },
  };
}
