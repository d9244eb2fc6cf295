// The policy page (issue 26 point 5) in headless Chromium: an admin signs in with
// the same form as the reviewer's page, sees the live pack and each enforced
// entry's figures, then the shadow view. A screenshot is saved in test-results/.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DEMO_PACK_PATH } from '../src/config/gate-config.js';
import { after, before, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, noChromium as skip } from './helpers/headless-chromium.js';
import { repoPath } from '../src/config/repo-root.js';
import { startTestRedis, type TestRedis } from './helpers/test-redis.js';
import { ADMIN_TOKEN, startTestGate, type TestGate } from './helpers/test-gate.js';

let redis: TestRedis;
let gate: TestGate;
let browser: Browser;
before(async () => {
  if (skip) return;
  redis = await startTestRedis();
  gate = await startTestGate({ redisUrl: redis.url });
  browser = await launchChromium();
});
after(async () => {
  if (skip) return;
  await browser.close();
  await gate.stop();
  await redis.stop();
});

it('shows an admin the live pack and what each entry did, enforced and shadow', { skip, timeout: 60_000 }, async () => {
  const counted = new Map<string, number>();
  for (let i = 0; i < 3; i++) {
    const answer = (await (
      await gate.post('/v1/check', {
        listingId: `PP-${i}`,
        sellerId: `s-pp-${i}`,
        title: `Ｌ.Ｖ 同款 手提包 same style as the original no.${i}`,
        category: 'misc',
      })
    ).json()) as { reasons: Array<{ code: string; ref: string }> };
    for (const reason of answer.reasons) if (reason.code.startsWith('indicator')) counted.set(reason.ref, (counted.get(reason.ref) ?? 0) + 1);
  }
  const [term, hits] = [...counted][0] ?? [];
  assert.ok(term && hits === 3, `no indicator named by the three checks: ${JSON.stringify([...counted])}`);
  await new Promise((r) => setTimeout(r, 300)); // the check threads' outcomes reach the event loop

  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const refused: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') refused.push(message.text());
  });
  await page.goto(`${gate.url}/policy/`);
  await page.fill('#token', 'not-the-admin-token-000000');
  await page.click('#signin button[type=submit]');
  await page.locator('#status', { hasText: /token/i }).waitFor();
  assert.equal(await page.isVisible('#console'), false, 'a wrong token opens nothing');

  await page.fill('#token', ADMIN_TOKEN);
  await page.click('#signin button[type=submit]');
  await page.waitForSelector('#console:not([hidden])');
  assert.equal(await page.isVisible('#signin'), false, 'the sign-in form is gone once signed in');
  const live = (await (await gate.get('/v1/admin/pack/versions', { authorization: `Bearer ${ADMIN_TOKEN}` })).json()) as { live: { version: string } };
  await page.locator('#live-version', { hasText: live.live.version }).waitFor();
  const row = page.locator('#entries tbody tr', { hasText: term });
  await row.first().waitFor();
  const cells = await row.first().locator('td').allTextContents();
  assert.equal(cells[0], 'indicator');
  assert.equal(cells[1], term);
  assert.match(cells[2] ?? '', new RegExp(`^${hits} / ${hits} / ${hits}$`), `hits shown: ${cells[2]}`);
  assert.match(cells[3] ?? '', /review 3/);
  assert.match(cells[5] ?? '', /PP-2/);

  mkdirSync(repoPath('test-results'), { recursive: true });
  await page.screenshot({ path: repoPath('test-results', 'policy-page.png'), fullPage: true });

  // A candidate that adds an enforced indicator the three listings carry: the backtest names them.
  const candidate = JSON.parse(readFileSync(DEMO_PACK_PATH, 'utf8')) as { packVersion: string; indicators: Array<Record<string, unknown>> };
  candidate.packVersion = 'candidate-1';
  candidate.indicators.push({ term: '手提包', score: 100 });
  const candidateFile = repoPath('test-results', 'policy-page-candidate.json');
  writeFileSync(candidateFile, JSON.stringify(candidate));
  await page.setInputFiles('#candidate', candidateFile);
  await page.click('#backtest-form button[type=submit]');
  await page.waitForSelector('#backtest:not([hidden])', { timeout: 30_000 });
  assert.match((await page.textContent('#backtest-summary')) ?? '', /listings of the sample replayed in \d+ ms; 3 would change/);
  const changes = await page.locator('#transitions tbody tr').first().locator('td').allTextContents();
  assert.equal(changes[1], '3');
  assert.match(changes[2] ?? '', /added indicator(_with_brand)? 手提包 \(3\)/);
  assert.match(changes[3] ?? '', /PP-/);
  await page.screenshot({ path: repoPath('test-results', 'policy-page-backtest.png'), fullPage: true });

  await page.selectOption('#mode', 'shadow');
  await page.click('#filters button[type=submit]');
  await page.waitForSelector('#no-entries:not([hidden])'); // the demo pack has no shadow entries
  assert.equal(await page.locator('#verdicts-head').textContent(), 'would have (week)');
  // The page's CSP leaves nothing refused: no inline script or style.
  assert.deepEqual(
    refused.filter((text) => /Content Security Policy/.test(text)),
    [],
  );
  const response = await fetch(`${gate.url}/policy/`);
  assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  assert.equal(response.headers.get('x-frame-options'), 'DENY');
});
