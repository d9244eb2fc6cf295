// The reviewer's page (src/review-ui/) and the proxy its seller images come through
// (issue 30 point 5). The page holds a reviewer's token and shows sellers' text and
// images, so it runs behind a strict policy: its own scripts and styles only, images
// only from itself (blob: ones it made of what the proxy answered), never framed,
// never sending a referrer, never cached.
import type { RouteRegistrar } from './route-table.js';
import { readFileSync } from 'node:fs';
import type { TokenRegistry } from '../auth/token-registry.js';
import { repoPath } from '../config/repo-root.js';
import { GateError } from '../errors/gate-error.js';
import type { ImageProxy } from '../image-proxy/image-proxy.js';
import type { GateMetrics } from '../observability/gate-metrics.js';
import { send } from './respond.js';
import { route, type RouteOptions } from './route-handler.js';

export interface ReviewPageParts {
  images: ImageProxy;
  tokens: TokenRegistry;
  metrics: GateMetrics;
  log: (message: string) => void;
}

/**
 * No inline script or style anywhere in the page (CSP Level 3). img-src takes blob:
 * because the page fetches each image with its bearer token (an <img> cannot send
 * one) and shows the bytes through a blob: URL of its own making.
 */
export const REVIEW_PAGE_CSP = "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const REVIEW_PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': REVIEW_PAGE_CSP,
  // frame-ancestors' counterpart for browsers that predate it (clickjacking).
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
});

/** A proxied image is bytes, never a document: nothing in it may run, even opened on its own. */
const IMAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': "default-src 'none'; sandbox",
  'cross-origin-resource-policy': 'same-origin',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
});

const PAGE_FILES = [
  ['index.html', 'text/html; charset=utf-8'],
  ['review.js', 'text/javascript; charset=utf-8'],
  ['review.css', 'text/css; charset=utf-8'],
] as const;

export function registerReviewPageRoutes(app: RouteRegistrar, p: ReviewPageParts, options: (extra?: Partial<RouteOptions>) => RouteOptions): void {
  // Read once at start: the page does not change while the gate runs.
  const files = new Map(PAGE_FILES.map(([name, type]) => [name, { type, body: readFileSync(repoPath('src', 'review-ui', name), 'utf8') }]));
  const serve = (name: (typeof PAGE_FILES)[number][0]) =>
    route(options(), ({ res, state }) => {
      const file = files.get(name);
      if (!file) throw new GateError('GATE_ERR_NOT_FOUND', `no page file ${name}`);
      send(res, state, 200, file.body, file.type, REVIEW_PAGE_HEADERS);
      return undefined;
    });
  app.get('/review', serve('index.html'));
  app.get('/review/', serve('index.html'));
  app.get('/review/review.js', serve('review.js'));
  app.get('/review/review.css', serve('review.css'));

  app.get(
    '/review/image',
    route(options({ auth: { roles: ['reviewer'], name: 'review' } }), async ({ head, res, state }) => {
      const src = new URLSearchParams(head.query).get('src');
      if (src === null || src === '' || src.length > 4096) throw new GateError('GATE_ERR_INVALID_FIELD', 'src must be the image URL, 1 to 4096 characters', { field: 'src' });
      const image = await p.images.fetch(src);
      send(res, state, 200, image.bytes, image.type, IMAGE_HEADERS);
      return undefined;
    }),
  );
}
