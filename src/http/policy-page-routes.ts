// The policy team's page (src/policy-ui/, issue 26 point 5), served like the
// reviewer's page: it holds an admin token.
import type { RouteRegistrar } from './route-table.js';
import type { RouteOptions } from './route-handler.js';
import { registerStaticPage } from './static-page.js';

export function registerPolicyPageRoutes(app: RouteRegistrar, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  registerStaticPage(app, 'policy', 'policy-ui', ['index.html', 'policy.js', 'policy.css'], options);
}
