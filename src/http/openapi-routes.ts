// GET /openapi.json, the page that shows it and the pack's JSON Schema (issue 27
// point 1). All are made once at start; the page is served under the reviewer
// page's policy.
import { readFileSync } from 'node:fs';
import { repoPath } from '../config/repo-root.js';
import { openApiDocument } from '../openapi/openapi-document.js';
import { packSchemaDocument } from '../openapi/pack-schema.js';
import { renderDocsPage } from '../openapi/render-docs-page.js';
import { send } from './respond.js';
import { PAGE_HEADERS } from './page-headers.js';
import type { RouteRegistrar } from './route-table.js';
import { route, type RouteOptions } from './route-handler.js';

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });

function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(repoPath('package.json'), 'utf8')) as { version?: unknown };
  return typeof version === 'string' ? version : '0.0.0';
}

export function registerOpenApiRoutes(app: RouteRegistrar, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const document = openApiDocument(packageVersion());
  const files = {
    json: JSON.stringify(document),
    packSchema: JSON.stringify(packSchemaDocument(), null, 2),
    page: renderDocsPage(document),
    css: readFileSync(repoPath('src', 'openapi', 'docs-page.css'), 'utf8'),
  };
  const serve = (body: string, type: string, headers: Readonly<Record<string, string>>) =>
    route(options(), ({ res, state }) => {
      send(res, state, 200, body, type, headers);
      return undefined;
    });
  app.get('/openapi.json', serve(files.json, 'application/json', JSON_HEADERS));
  app.get('/pack.schema.json', serve(files.packSchema, 'application/schema+json', JSON_HEADERS));
  app.get('/docs', serve(files.page, 'text/html; charset=utf-8', PAGE_HEADERS));
  app.get('/docs/', serve(files.page, 'text/html; charset=utf-8', PAGE_HEADERS));
  app.get('/docs/docs.css', serve(files.css, 'text/css; charset=utf-8', PAGE_HEADERS));
}
