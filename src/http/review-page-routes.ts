// The reviewer's page (src/review-ui/) and the proxy its seller images come through
// (issue 30 point 5). The page holds a reviewer's token and shows sellers' text and
// images, so it runs behind a strict policy: its own scripts and styles only, images
// only from itself (blob: ones it made of what the proxy answered), never framed,
// never sending a referrer, never cached.
import type { RouteRegistrar } from './route-table.js';
import type { TokenRegistry } from '../auth/token-registry.js';
import { GateError } from '../errors/gate-error.js';
import type { ImageProxy } from '../image-proxy/image-proxy.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import { send } from './respond.js';
import { route, type RouteOptions } from './route-handler.js';
import { registerStaticPage } from './static-page.js';
import type { GateLog } from '../observability/gate-logger.js';

export interface ReviewPageParts {
  images: ImageProxy;
  tokens: TokenRegistry;
  metrics: GateMetrics;
  log: GateLog;
}

/** A proxied image is bytes, never a document: nothing in it may run, even opened on its own. */
const IMAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

export function registerReviewPageRoutes(app: RouteRegistrar, p: ReviewPageParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  registerStaticPage(app, 'review', 'review-ui', ['index.html', 'review.js', 'review.css'], options);

  app.get(
    '/review/image',
    route(options({ auth: { roles: ['reviewer'], name: 'review' } }), async ({ head, res, state }) => {
      const src = new URLSearchParams(head.query).get('src');
      if (src === null || src === '' || src.length > 4096)
        throw new GateError('GATE_ERR_INVALID_FIELD', 'src must be the image URL, 1 to 4096 characters', { field: 'src' });
      const image = await p.images.fetch(src);
      send(res, state, 200, image.bytes, image.type, IMAGE_HEADERS);
      return undefined;
    }),
  );
}
