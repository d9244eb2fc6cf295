// Seller images for the review page, fetched by the gate instead of the reviewer's
// browser (issue 30 point 5): the reviewer's address and the page's URL never reach
// the seller's host, and a seller's URL cannot point the browser into the reviewers'
// network. What the gate itself may reach is bounded instead: allow-listed hosts
// only, every address checked as the connection is made (a name that resolves to a
// private address, or starts to, is refused: DNS rebinding), redirects only within
// the host, a size and a time limit, raster images only, no referrer, no cookies.
import { lookup as dnsLookup } from 'node:dns';
import type { IncomingMessage } from 'node:http';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { GateError } from '../errors/gate-error.js';
import { hostOfAddress } from './image-host.js';
import { checkImageUrl, refuseImage } from './image-url.js';
import { isPublicAddress } from './public-address.js';

export interface ImageProxyOptions {
  /** Canonical hosts (image-host.ts) whose images are fetched; empty: no image is. */
  hosts: readonly string[];
  /** Largest image passed on, in bytes. Default 5 MiB. */
  maxBytes?: number;
  /** Time for the whole fetch, redirects and body included, in ms. Default 5000. */
  timeoutMs?: number;
}

export interface ProxiedImage {
  type: (typeof IMAGE_TYPES)[number];
  bytes: Buffer;
}

/** Raster types only: an SVG can carry script, which runs in the page's origin when its blob: URL is opened. */
export const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'] as const;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;

function unavailable(reason: 'timeout' | 'status' | 'network', message: string, extra: Record<string, unknown> = {}): GateError {
  return new GateError('GATE_ERR_IMAGE_UNAVAILABLE', message, { field: 'src', details: { reason, ...extra } });
}

export class ImageProxy {
  private readonly hosts: ReadonlySet<string>;
  readonly maxBytes: number;
  readonly timeoutMs: number;

  constructor(options: ImageProxyOptions) {
    this.hosts = new Set(options.hosts);
    this.maxBytes = options.maxBytes ?? 5 * 1024 * 1024;
    this.timeoutMs = options.timeoutMs ?? 5000;
  }

  /** The image at `src`, or a GATE_ERR_IMAGE_REFUSED / GATE_ERR_IMAGE_UNAVAILABLE saying why not. */
  async fetch(src: string): Promise<ProxiedImage> {
    let url = checkImageUrl(src, this.hosts);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    try {
      for (let hops = 0; ; hops++) {
        const response = await this.get(url, deadline.signal);
        const status = response.statusCode ?? 0;
        if (REDIRECTS.has(status)) {
          response.destroy();
          url = this.redirectTarget(url, response.headers.location, hops);
          continue;
        }
        if (status < 200 || status > 299) {
          response.destroy();
          throw unavailable('status', `the image host answered ${status}`, { status });
        }
        const type = IMAGE_TYPES.find((t) => t === (response.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase());
        if (type === undefined) {
          response.destroy();
          throw refuseImage('type', `only ${IMAGE_TYPES.join(', ')} are passed on, not "${response.headers['content-type'] ?? ''}"`);
        }
        return { type, bytes: await this.readBody(response) };
      }
    } catch (error) {
      if (error instanceof GateError) throw error;
      if (deadline.signal.aborted) throw unavailable('timeout', `the image was not fetched within ${this.timeoutMs} ms`);
      throw unavailable('network', `the image host could not be reached: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private get(url: URL, signal: AbortSignal): Promise<IncomingMessage> {
    // No agent: a connection per fetch, so every connection goes through `lookup`.
    // Only these headers are sent: no referer, no cookie, nothing of the reviewer's.
    const options = {
      agent: false,
      lookup: this.lookup,
      signal,
      headers: { accept: IMAGE_TYPES.join(', '), 'user-agent': 'listing-gate-image-proxy' },
    } as const;
    return new Promise((resolve, reject) => {
      const request = url.protocol === 'https:' ? https.get(url, options, resolve) : http.get(url, options, resolve);
      request.on('error', reject);
    });
  }

  private redirectTarget(from: URL, location: string | undefined, hops: number): URL {
    if (hops + 1 > MAX_REDIRECTS) throw refuseImage('redirect', `more than ${MAX_REDIRECTS} redirects`);
    if (location === undefined || !URL.canParse(location, from.href)) throw refuseImage('redirect', 'a redirect without a usable location');
    const to = new URL(location, from);
    // Another allow-listed host is still another host: a seller's own redirector on one CDN must not pick the next.
    if (to.hostname !== from.hostname) throw refuseImage('redirect', `a redirect from ${from.hostname} to another host`);
    return checkImageUrl(to.href, this.hosts);
  }

  private async readBody(response: IncomingMessage): Promise<Buffer> {
    const tooLarge = (): GateError => refuseImage('too_large', `the image is over ${this.maxBytes} bytes`);
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxBytes) {
      response.destroy();
      throw tooLarge();
    }
    const chunks: Buffer[] = [];
    let size = 0;
    // A body without a length, or longer than it said, is cut off at the limit.
    for await (const chunk of response as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > this.maxBytes) {
        response.destroy();
        throw tooLarge();
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, size);
  }

  /** Resolves a name and refuses it whole when any of its addresses is non-public and not allow-listed itself. */
  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const first = addresses[0];
      if (first === undefined || addresses.some((a) => !isPublicAddress(a.address) && !this.hosts.has(hostOfAddress(a.address)))) {
        return callback(refuseImage('address', `${hostname} resolves to an address that is not public (allow-list the address itself to fetch from it)`), '');
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
