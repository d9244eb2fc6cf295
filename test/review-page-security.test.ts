// The reviewer's page behind its policy (issue 30 point 5): the headers it is served
// with, the image proxy through the gate's HTTP API, and in headless Chromium that a
// seller's image URL costs its host no request from the reviewer's browser and that
// right-to-left overrides in seller text stay inside an isolating element. A
// screenshot is saved in test-results/.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, noChromium } from './helpers/headless-chromium.js';
import { repoPath } from '../src/config/repo-root.js';
import { PNG, startImageHost, type ImageHost } from './helpers/image-host.js';
import { startTestGate, type TestGate } from './helpers/test-gate.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';

const TOKEN = 'dana-reviewer-token-0123456789';
const reviewer = { authorization: `Bearer ${TOKEN}` };

let redis: TestRedis;
let gate: TestGate;
/** Allow-listed: GATE_REVIEW_IMAGE_HOSTS=127.0.0.1. */
let images: ImageHost;
/** Not allow-listed: the same loopback, reached as `localhost`. */
let other: ImageHost;
const at = (path: string): string => `http://127.0.0.1:${images.port}${path}`;
const elsewhere = (path: string): string => `http://localhost:${other.port}${path}`;
const imageUrl = (src: string): string => `/review/image?src=${encodeURIComponent(src)}`;

before(async () => {
  images = await startImageHost();
  other = await startImageHost();
  redis = await startTestRedis();
  gate = await startTestGate({ redisUrl: redis.url, env: { GATE_REVIEWER_TOKENS: `dana:${TOKEN}`, GATE_REVIEW_IMAGE_HOSTS: '127.0.0.1' } });
});
after(async () => {
  await gate.stop();
  await redis.stop();
  await images.close();
  await other.close();
});

describe('the page', () => {
  it('is served with a strict policy, unframeable, without referrer, never cached', async () => {
    for (const path of ['/review', '/review/', '/review/review.js', '/review/review.css']) {
      const response = await gate.get(path);
      assert.equal(response.status, 200, path);
      const headers = Object.fromEntries(
        ['content-security-policy', 'x-frame-options', 'referrer-policy', 'x-content-type-options', 'cache-control'].map((h) => [h, response.headers.get(h)]),
      );
      assert.deepEqual(
        headers,
        {
          'content-security-policy': "default-src 'self'; img-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-store',
        },
        path,
      );
    }
  });

  it('has no inline script, style or event handler for the policy to refuse', () => {
    const html = readFileSync(repoPath('src', 'review-ui', 'index.html'), 'utf8');
    assert.deepEqual(html.match(/<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:/gi), null);
  });
});

describe('GET /review/image', () => {
  it('needs a reviewer token', async () => {
    assert.equal((await gate.get(imageUrl(at('/ok.png')))).status, 401);
    assert.equal((await gate.get(imageUrl(at('/ok.png')), { authorization: 'Bearer not-a-known-token-0123456789' })).status, 401);
  });

  it('passes on an allow-listed image as bytes that cannot run', async () => {
    const response = await gate.get(imageUrl(at('/ok.png')), reviewer);
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), PNG);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(images.requests.at(-1)?.headers.authorization, undefined, "the reviewer's token stays in the gate");
  });

  it('refuses what it may not fetch with a coded error, and asks nobody', async () => {
    for (const [src, reason] of [
      [elsewhere('/x.png'), 'host'],
      [`data:image/png;base64,${PNG.toString('base64')}`, 'scheme'],
      [`//localhost:${other.port}/x.png`, 'not_absolute'],
    ] as const) {
      const response = await gate.get(imageUrl(src), reviewer);
      const body = (await response.json()) as { error: { code: string; details: { reason: string } } };
      assert.deepEqual([response.status, body.error.code, body.error.details.reason], [403, 'GATE_ERR_IMAGE_REFUSED', reason], src);
    }
    assert.equal(other.requests.length, 0);
    const missing = await gate.get('/review/image', reviewer);
    assert.deepEqual([missing.status, ((await missing.json()) as { error: { field: string } }).error.field], [400, 'src']);
  });
});

describe('in the browser', () => {
  let browser: Browser;
  before(async () => {
    if (noChromium) return;
    browser = await launchChromium();
  });
  after(async () => {
    if (!noChromium) await browser.close();
  });

  it("fetches seller images only through the proxy and isolates the seller's text", { skip: noChromium, timeout: 60_000 }, async () => {
    const checked = await gate.post('/v1/check', {
      listingId: 'SEC-1',
      sellerId: 's-\u202Eevil',
      // Shown without isolation, the override makes the end read "invoiceexe.pdf".
      title: 'Ｌ.Ｖ 同款 手提包 invoice\u202Efdp.exe',
      description: 'W'.repeat(600),
      category: 'misc',
      images: [
        { url: at('/ok.png') },
        { url: elsewhere('/trap.png') },
        { url: `data:image/png;base64,${PNG.toString('base64')}` },
        { url: `//localhost:${other.port}/relative.png` },
      ],
    });
    assert.equal(((await checked.json()) as { verdict: string }).verdict, 'review');

    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    const refusedByPolicy: string[] = [];
    page.on('console', (message) => {
      if (message.text().includes('Content Security Policy')) refusedByPolicy.push(message.text());
    });
    await page.goto(`${gate.url}/review/`);
    await page.fill('#token', TOKEN);
    await page.click('#signin button[type=submit]');
    await page.waitForSelector('#item:not([hidden])');
    // Locators, not waitForFunction: Playwright evals a string predicate, which the page's CSP refuses.
    await page.locator('#images .image-refused').nth(2).waitFor();
    await page.waitForLoadState('networkidle'); // whatever the page would load has been asked for
    assert.equal(other.requests.length, 0, 'no request reached the host that is not allow-listed');
    assert.deepEqual([...origins], [gate.url], 'the browser talked to the gate only');
    assert.deepEqual(refusedByPolicy, [], 'the page does nothing its policy refuses');
    const refused = await page.$$eval('#images .image-refused', (nodes) => nodes.map((n) => n.textContent ?? ''));
    assert.deepEqual(refused, ['Image 2 not shown (host): ', 'Image 3 not shown (scheme): ', 'Image 4 not shown (not_absolute): ']);
    // Expressions evaluated in the page are strings: this file has no DOM types.
    await page.locator('#images img[src^="blob:"]').waitFor();
    const shown = await page.evaluate<Array<[string, number]>>(
      "Promise.all([...document.querySelectorAll('#images img')].map((img) => img.decode().then(() => [img.src.slice(0, 5), img.naturalWidth])))",
    );
    assert.deepEqual(shown, [['blob:', 1]], 'the allow-listed image alone is shown, from a blob: URL of the page');

    // The override is shown as a marker inside a <bdi>, and is no longer in the text.
    const title = await page.evaluate<{ isolate: string; text: string; markers: number }>(`(() => {
      const p = document.getElementById('title');
      const bdi = p.querySelector('bdi');
      return { isolate: bdi ? getComputedStyle(bdi).unicodeBidi : 'no bdi', text: p.textContent, markers: p.querySelectorAll('.bidi-control').length };
    })()`);
    assert.deepEqual([title.isolate, title.markers, title.text.includes('\u202E')], ['isolate', 1, false]);
    assert.ok(title.text.endsWith('invoice[RLO]fdp.exe'), title.text);
    const seller = await page.evaluate<string[]>(
      "(() => { const s = document.getElementById('seller'); return [s.tagName, getComputedStyle(s).unicodeBidi, s.textContent]; })()",
    );
    assert.deepEqual(seller, ['BDI', 'isolate', 's-[RLO]evil']);
    // An unbroken run of 600 characters wraps instead of widening the page.
    const [scrollWidth, clientWidth] = await page.$eval('#description', (d) => [d.scrollWidth, d.clientWidth]);
    assert.ok(scrollWidth <= clientWidth, `description ${scrollWidth} px wide in ${clientWidth} px`);
    mkdirSync(repoPath('test-results'), { recursive: true });
    await page.screenshot({ path: repoPath('test-results', 'review-page-security.png'), fullPage: true });
    await page.close();
  });
});
