// A district's digital-welfare profile in a browser: read on a 375×667 phone without
// JavaScript, its charts drawn as SVG with the table that says the same, and its downloads.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { url } from './support/common.mjs';
import { launchedBrowser, newLocalContext } from './support/ui.mjs';

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
});
