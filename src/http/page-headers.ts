// The headers of the gate's own pages (the reviewer's, the policy team's).
/**
 * The pages hold a person's token and show sellers' text. No inline script or style anywhere in the page (CSP Level 3). img-src takes blob:
 * because the page fetches each image with its bearer token (an <img> cannot send
 * one) and shows the bytes through a blob: URL of its own making.
 */
export const PAGE_CSP = "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

export const PAGE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy': PAGE_CSP,
  // frame-ancestors' counterpart for browsers that predate it (clickjacking).
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
});
