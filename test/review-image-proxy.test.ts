// The review page's image proxy (issue 30 point 5) against real HTTP servers on
// 127.0.0.1: what it fetches, what it refuses, and that a refused URL costs its host
// no request at all. 127.0.0.1 is allow-listed as an address; the "other" host is the
// same loopback reached as `localhost`, a name that is not.
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/gate-config.js';
import { GateError } from '../src/errors/gate-error.js';
import { ImageProxy } from '../src/image-proxy/image-proxy.js';
import { isPublicAddress } from '../src/image-proxy/public-address.js';
import { PNG, startImageHost, type ImageHost } from './helpers/image-host.js';

const MAX_BYTES = 64 * 1024;
let images: ImageHost;
let other: ImageHost;
let proxy: ImageProxy;
const at = (path: string): string => `http://127.0.0.1:${images.port}${path}`;
const elsewhere = (path: string): string => `http://localhost:${other.port}${path}`;

before(async () => {
  other = await startImageHost();
  images = await startImageHost({
    '/page': (r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<script>alert(1)</script>'),
    '/drawing': (r) => r.writeHead(200, { 'content-type': 'image/svg+xml' }).end('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    '/missing': (r) => r.writeHead(404).end(),
    '/away': (r) => r.writeHead(302, { location: elsewhere('/x.png') }).end(),
    '/near': (r) => r.writeHead(301, { location: '/ok.png' }).end(),
    '/loop': (r) => r.writeHead(302, { location: '/loop' }).end(),
    '/big-declared.png': (r) => {
      r.writeHead(200, { 'content-type': 'image/png', 'content-length': String(MAX_BYTES + 1) });
      r.write(Buffer.alloc(1024));
    },
    '/big-chunked.png': (r) => {
      r.writeHead(200, { 'content-type': 'image/png' });
      r.end(Buffer.alloc(MAX_BYTES + 1));
    },
    '/slow.png': (r) => r.writeHead(200, { 'content-type': 'image/png' }), // the body never comes
  });
  proxy = new ImageProxy({ hosts: ['127.0.0.1'], maxBytes: MAX_BYTES, timeoutMs: 300 });
});
after(async () => {
  await images.close();
  await other.close();
});

async function refusal(promise: Promise<unknown>): Promise<{ code: string; reason: unknown }> {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof GateError, `a GateError, got ${String(error)}`);
  return { code: error.code, reason: (error.details as { reason?: unknown } | undefined)?.reason };
}

describe('what it fetches', () => {
  it('passes on an allow-listed PNG, sending no referrer, cookie or authorization', async () => {
    const image = await proxy.fetch(at('/ok.png'));
    assert.equal(image.type, 'image/png');
    assert.deepEqual(image.bytes, PNG);
    const sent = images.requests.at(-1)?.headers ?? {};
    assert.deepEqual(Object.keys(sent).sort(), ['accept', 'connection', 'host', 'user-agent']);
  });

  it('follows a redirect within the host', async () => {
    assert.deepEqual((await proxy.fetch(at('/near'))).bytes, PNG);
  });

  it('fetches from a name resolving to a loopback address only when that address is allow-listed itself', async () => {
    const before = images.requests.length;
    const byName = new ImageProxy({ hosts: ['localhost'] });
    assert.deepEqual(await refusal(byName.fetch(`http://localhost:${images.port}/ok.png`)), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'address' });
    assert.equal(images.requests.length, before, 'no connection was made');
    const explicit = new ImageProxy({ hosts: ['localhost', '127.0.0.1', '[::1]'] });
    assert.deepEqual((await explicit.fetch(`http://localhost:${images.port}/ok.png`)).bytes, PNG);
  });
});

describe('what it refuses before any request', () => {
  const cases: Array<[string, () => string, string]> = [
    ['a host not allow-listed', () => elsewhere('/x.png'), 'host'],
    ['a data: URL', () => `data:image/png;base64,${PNG.toString('base64')}`, 'scheme'],
    ['a javascript: URL', () => 'javascript:alert(1)', 'scheme'],
    ['a protocol-relative URL, even to an allow-listed host', () => `//127.0.0.1:${images.port}/ok.png`, 'not_absolute'],
    ['a relative URL', () => '/ok.png', 'not_absolute'],
    ['a URL with credentials', () => `http://user:secret@127.0.0.1:${images.port}/ok.png`, 'credentials'],
  ];
  for (const [what, url, reason] of cases) {
    it(`refuses ${what}`, async () => {
      const counts = [images.requests.length, other.requests.length];
      assert.deepEqual(await refusal(proxy.fetch(url())), { code: 'GATE_ERR_IMAGE_REFUSED', reason });
      assert.deepEqual([images.requests.length, other.requests.length], counts);
    });
  }

  it('fetches nothing when no host is allow-listed', async () => {
    const before = images.requests.length;
    assert.deepEqual(await refusal(new ImageProxy({ hosts: [] }).fetch(at('/ok.png'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'disabled' });
    assert.equal(images.requests.length, before);
  });
});

describe('what it refuses after asking', () => {
  it('refuses a redirect to another host without following it, allow-listed or not', async () => {
    assert.deepEqual(await refusal(proxy.fetch(at('/away'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'redirect' });
    const both = new ImageProxy({ hosts: ['127.0.0.1', 'localhost', '[::1]'] });
    assert.deepEqual(await refusal(both.fetch(at('/away'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'redirect' });
    assert.equal(other.requests.length, 0);
  });

  it('stops after 3 redirects', async () => {
    const before = images.requests.length;
    assert.deepEqual(await refusal(proxy.fetch(at('/loop'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'redirect' });
    assert.equal(images.requests.length - before, 4);
  });

  it('refuses an image over the size limit, declared or not', async () => {
    assert.deepEqual(await refusal(proxy.fetch(at('/big-declared.png'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'too_large' });
    assert.deepEqual(await refusal(proxy.fetch(at('/big-chunked.png'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'too_large' });
  });

  it('refuses what is not a raster image: HTML, SVG', async () => {
    assert.deepEqual(await refusal(proxy.fetch(at('/page'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'type' });
    assert.deepEqual(await refusal(proxy.fetch(at('/drawing'))), { code: 'GATE_ERR_IMAGE_REFUSED', reason: 'type' });
  });

  it('gives up at the time limit', { timeout: 5000 }, async () => {
    const started = performance.now();
    assert.deepEqual(await refusal(proxy.fetch(at('/slow.png'))), { code: 'GATE_ERR_IMAGE_UNAVAILABLE', reason: 'timeout' });
    const took = performance.now() - started;
    assert.ok(took >= 290 && took < 1500, `took ${took.toFixed(0)} ms`);
  });

  it('names the status of an error answer', async () => {
    const error = await proxy.fetch(at('/missing')).catch((e: unknown) => e);
    assert.ok(error instanceof GateError);
    assert.deepEqual([error.code, error.details], ['GATE_ERR_IMAGE_UNAVAILABLE', { reason: 'status', status: 404 }]);
  });
});

describe('addresses and configuration', () => {
  it('tells public addresses from loopback, private, link-local and mapped ones', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(address), true, address);
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '64:ff9b::a00:1',
      'not an address',
    ]) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });

  it('reads GATE_REVIEW_IMAGE_HOSTS as canonical hosts and names every bad entry', () => {
    assert.deepEqual(loadConfig({ GATE_REVIEW_IMAGE_HOSTS: ' Images.Example.COM, 127.0.0.1,[::1] ' }).reviewImages, {
      hosts: ['images.example.com', '127.0.0.1', '[::1]'],
      maxBytes: 5 * 1024 * 1024,
      timeoutMs: 5000,
    });
    assert.deepEqual(loadConfig({}).reviewImages.hosts, []);
    const bad = ['https://cdn.example.com', '*.example.com', 'cdn.example.com:8080', 'cdn.example.com/img', '::1'];
    assert.throws(
      () => loadConfig({ GATE_REVIEW_IMAGE_HOSTS: bad.join(','), GATE_REVIEW_IMAGE_MAX_BYTES: '10', GATE_REVIEW_IMAGE_TIMEOUT_MS: '0' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const entry of bad)
          assert.ok(
            error.problems.some((p) => p.startsWith('GATE_REVIEW_IMAGE_HOSTS') && p.includes(`"${entry}"`)),
            `names "${entry}": ${error.problems.join('; ')}`,
          );
        assert.ok(error.problems.some((p) => p.startsWith('GATE_REVIEW_IMAGE_MAX_BYTES must be an integer from 1024')));
        assert.ok(error.problems.some((p) => p.startsWith('GATE_REVIEW_IMAGE_TIMEOUT_MS must be an integer from 100')));
        return true;
      },
    );
  });
});
