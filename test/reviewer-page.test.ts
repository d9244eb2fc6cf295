// The reviewer's page in headless Chromium: sign in, see the evidence highlighted
// in the seller's text, decide with the keyboard, and the listing's final verdict
// changes. A screenshot is saved in test-results/.
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import { after, before, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, noChromium as skip } from './helpers/headless-chromium.js';
import { repoPath } from '../src/config/repo-root.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { startTestGate, type TestGate } from './helpers/test-gate.js';

const TOKEN = 'carol-reviewer-token-0123456789';

/**
 * Waits for an element's text to match. A locator, not a string predicate: the page's
 * CSP has no 'unsafe-eval', and Playwright evaluates a string predicate with eval.
 */
function textOf(page: Page, id: string, text: RegExp): Promise<void> {
  return page.locator(`#${id}`, { hasText: text }).waitFor();
}

let redis: TestRedis;
let gate: TestGate;
let browser: Browser;
before(async () => {
  if (skip) return;
  redis = await startTestRedis();
  gate = await startTestGate({ redisUrl: redis.url, env: { GATE_REVIEWER_TOKENS: `carol:${TOKEN}` } });
  browser = await launchChromium();
});
after(async () => {
  if (skip) return;
  await browser.close();
  await gate.stop();
  await redis.stop();
});

it('lets a reviewer sign in, see highlighted evidence and block with the keyboard', { skip, timeout: 60_000 }, async () => {
  const title = 'Ｌ.Ｖ 同款 手提包 same style as the original';
  const checked = (await (await gate.post('/v1/check', { listingId: 'UI-1', sellerId: 's-ui', title, category: 'misc' })).json()) as { verdict: string };
  assert.equal(checked.verdict, 'review');

  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${gate.url}/review/`);
  await page.fill('#token', TOKEN);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#item:not([hidden])');
  assert.equal(await page.textContent('#listing-id'), 'UI-1');
  const marks = await page.$$eval('#title mark', (nodes) => nodes.map((n) => n.textContent));
  assert.ok(marks.includes('同款'), `highlighted: ${marks.join(', ')}`);
  assert.ok(marks.includes('same style as'), `highlighted: ${marks.join(', ')}`);
  await textOf(page, 'queue', /claimed/);

  mkdirSync(repoPath('test-results'), { recursive: true });
  await page.screenshot({ path: repoPath('test-results', 'reviewer-page.png'), fullPage: true });

  await page.keyboard.press('b');
  await textOf(page, 'status', /^Blocked/);
  const verdict = (await (await gate.get('/v1/listings/UI-1/verdict')).json()) as { verdict: string; decidedBy: string };
  assert.deepEqual([verdict.verdict, verdict.decidedBy], ['block', 'reviewer:carol']);
  await page.waitForSelector('#empty:not([hidden])'); // the queue is empty afterwards

  await page.keyboard.press('u');
  await textOf(page, 'status', /^Undone/);
  await page.waitForSelector('#item:not([hidden])');
  assert.equal(await page.textContent('#listing-id'), 'UI-1', 'the undone item comes back');
  const reverted = (await (await gate.get('/v1/listings/UI-1/verdict')).json()) as { verdict: string };
  assert.equal(reverted.verdict, 'review');
  await page.keyboard.press('a');
  await textOf(page, 'status', /^Allowed/);
  assert.equal(((await (await gate.get('/v1/listings/UI-1/verdict')).json()) as { verdict: string }).verdict, 'allow');
});

it('tells the reviewer when the gate kept no copy of a reported listing', { skip, timeout: 60_000 }, async () => {
  const checked = (await (await gate.post('/v1/check', { listingId: 'UI-2', sellerId: 's-ui-2', title: 'plain cotton tote', category: 'misc' })).json()) as {
    verdict: string;
  };
  assert.equal(checked.verdict, 'allow');
  // Once its compact record is written, the gate holds the listing's ids only.
  await new Promise((r) => setTimeout(r, 100));
  const reported = await gate.post('/v1/reports', { listingId: 'UI-2', reporterId: 'buyer-1', reason: 'looks fake' });
  assert.equal(reported.status, 200, await reported.clone().text());

  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  await page.goto(`${gate.url}/review/`);
  await page.fill('#token', TOKEN);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#item:not([hidden])');
  assert.equal(await page.textContent('#listing-id'), 'UI-2');
  await textOf(page, 'context', /keeps no copy of a listing it allowed/);
  await textOf(page, 'context', /looks fake/);
  await page.keyboard.press('a');
  await textOf(page, 'status', /^Allowed/);
});
