// Which seller-supplied image URLs the review page's proxy fetches (issue 30 point 5):
// absolute http(s) URLs without credentials whose host is allow-listed. The URL is
// parsed once here and the parsed URL is what gets fetched, so the check and the
// request cannot read one string two ways ('https:\\evil.example' is evil.example to both).
import { GateError } from '../errors/gate-error.js';

export type ImageRefusal = 'disabled' | 'not_absolute' | 'scheme' | 'credentials' | 'host' | 'address' | 'redirect' | 'type' | 'too_large';

export function refuseImage(reason: ImageRefusal, message: string): GateError {
  return new GateError('GATE_ERR_IMAGE_REFUSED', message, { field: 'src', details: { reason } });
}

/** The URL to fetch, or a GATE_ERR_IMAGE_REFUSED naming why not. `hosts` holds canonical hosts (image-host.ts). */
export function checkImageUrl(raw: string, hosts: ReadonlySet<string>): URL {
  if (hosts.size === 0) throw refuseImage('disabled', 'images are not fetched: GATE_REVIEW_IMAGE_HOSTS is empty');
  // A protocol-relative '//host/x' has no scheme of its own: it would take the page's.
  if (!URL.canParse(raw)) throw refuseImage('not_absolute', 'the image URL is not an absolute URL');
  const url = new URL(raw);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuseImage('scheme', `only http: and https: images are fetched, not ${url.protocol}`);
  if (url.username !== '' || url.password !== '') throw refuseImage('credentials', 'image URLs with a user or password are not fetched');
  if (!hosts.has(url.hostname)) throw refuseImage('host', `${url.hostname} is not in GATE_REVIEW_IMAGE_HOSTS`);
  return url;
}
