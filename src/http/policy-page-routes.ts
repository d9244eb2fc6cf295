// The policy team's page (src/policy-ui/, issue 26 point 5), served like the
// reviewer's page and under the same strict headers: it holds an admin token.
import type uWS from '@trufflesuite/uws-js-unofficial';
import { readFileSync } from 'node:fs';
import { repoPath } from '../config/repo-root.js';
import { GateError } from '../errors/gate-error.js';
import { send } from './respond.js';
import { REVIEW_PAGE_HEADERS } from './review-page-routes.js';
import { route, type RouteOptions } from './route-handler.js';

const PAGE_FILES = [
  ['index.html', 'text/html; charset=utf-8'],
  ['policy.js', 'text/javascript; charset=utf-8'],
  ['policy.css', 'text/css; charset=utf-8'],
] as const;

export function registerPolicyPageRoutes(app: uWS.TemplatedApp, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  const files = new Map(PAGE_FILES.map(([name, type]) => [name, { type, body: readFileSync(repoPath('src', 'policy-ui', name), 'utf8') }]));
  const serve = (name: (typeof PAGE_FILES)[number][0]) =>
    route(options(), ({ res, state }) => {
      const file = files.get(name);
      if (!file) throw new GateError('GATE_ERR_NOT_FOUND', `no page file ${name}`);
      send(res, state, 200, file.body, file.type, REVIEW_PAGE_HEADERS);
      return undefined;
    });
  app.get('/policy', serve('index.html'));
  app.get('/policy/', serve('index.html'));
  app.get('/policy/policy.js', serve('policy.js'));
  app.get('/policy/policy.css', serve('policy.css'));
}
