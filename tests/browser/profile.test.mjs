// A district's digital-welfare profile in a browser: read on a 375×667 phone without
// JavaScript, its charts drawn as SVG with the table that says the same, and its downloads.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { url } from './support/common.mjs';
import { launchedBrowser, navigation, newLocalContext, signIn } from './support/ui.mjs';

const T = { timeout: 90_000 };
const PHONE = { width: 375, height: 667 };
const RIMINI = '/territori/rn-rimini/profilo';
const session = launchedBrowser(T);

describe('a district profile', () => {
  it('reads on a phone without JavaScript: the score first, nothing scrolls sideways', T, async () => {
    const context = await newLocalContext(session.browser, { viewport: PHONE, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(url(RIMINI));
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'no sideways scroll');
      const score = await page.locator('.agio-score').boundingBox();
      assert.ok(score && score.y < PHONE.height * 2, `the score is near the top (${JSON.stringify(score)})`);
      // Each chart is an image for the eyes only; its table is there for everyone.
      const charts = page.locator('figure.agio-chart svg');
      assert.equal(await charts.count(), 2);
      for (const chart of await charts.all()) {
        assert.equal(await chart.getAttribute('aria-hidden'), 'true');
        assert.ok((await chart.locator('rect').count()) >= 3, 'bars drawn on the server');
      }
      assert.ok(await page.locator('table caption', { hasText: 'Le componenti del punteggio' }).count());
      assert.ok(await page.locator('table caption', { hasText: 'Servizi per livello digitale' }).count());
      // The comuni at risk, and the downloads, one click away.
      assert.ok(await page.locator('th[scope="row"]', { hasText: 'Casteldelci' }).count());
      const csv = await page.locator('a', { hasText: 'Scarica i servizi (CSV)' }).getAttribute('href');
      const answer = await fetch(url(csv));
      assert.equal(answer.status, 200);
      assert.match(await answer.text(), /^name,kind,directory_slug,digital_level/);
    } finally {
      await context.close();
    }
  });

  it('is filled step by step without JavaScript, from an empty profile to its gaps', T, async () => {
    const context = await newLocalContext(session.browser, { viewport: PHONE, javaScriptEnabled: false });
    try {
      await signIn(context, 'regione@demo.agio.example', 'demo-agio-2026');
      const page = await context.newPage();
      await page.goto(url('/territori/bo-pianura-est'));
      await navigation(page, () => page.click('a:has-text("Avvia il profilo digitale del distretto")'));
      assert.match(await page.locator('main').textContent(), /0 \/ 6/);
      // Step 1: start it (a draft, the distance chosen).
      await navigation(page, () => page.click('[aria-current="step"] a'));
      await page.fill('#f-facilitation_km', '7,5');
      await navigation(page, () => page.click('main .agio-form button[type="submit"]'));
      assert.match(await page.locator('h1').textContent(), /Pianura Est/);
      // Back to the guide, on to an internal service, with ticked boxes.
      await page.goto(url('/territori/bo-pianura-est/profilo/guida'));
      assert.match(await page.locator('main').textContent(), /2 \/ 6/);
      await navigation(page, () => page.click('[aria-current="step"] a'));
      await page.fill('#f-name', 'Istruttoria del contributo affitto');
      await page.selectOption('#f-digital_level', '3');
      for (const value of ['poverty', 'families_in_difficulty']) await page.check(`input[name="target_groups"][value="${value}"]`);
      await page.check('input[name="life_stages"][value="adults"]');
      await page.check('input[name="channels"][value="web"]');
      await page.check('input[name="platforms"][value="spid"]');
      await navigation(page, () => page.click('main .agio-form button[type="submit"]'));
      assert.ok(await page.locator('th', { hasText: 'Istruttoria del contributo affitto' }).count(), 'listed on the profile');
      await page.goto(url('/territori/bo-pianura-est/profilo/guida'));
      assert.match(await page.locator('main').textContent(), /3 \/ 6/);
      // It ends on the profile with the gaps it found.
      await navigation(page, () => page.click('a:has-text("Vai al profilo e alle sue lacune")'));
      assert.ok(await page.locator('#gaps-title').count(), 'the gaps');
    } finally {
      await context.close();
    }
  });
});
