// The directory of services in a browser: a person finds a service with the plain form and
// JavaScript switched off, in Italian and in English, and the print view of a service fits
// one A4 page.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, url } from './support/common.mjs';
import { newLocalContext, useEnglish, navigation } from './support/ui.mjs';

const T = { timeout: 90_000 };
const PHONE = { width: 375, height: 667 };
let browser;

before(async () => {
  browser = await launchBrowser();
}, T);

after(async () => {
  await browser?.close();
});

/** The names of the results on the page, in order. */
async function resultNames(page) {
  return page.locator('.agio-results h2').allTextContents();
}

describe('finding a service', () => {
  it('works without JavaScript: words, a comune, the results nearest first', T, async () => {
    const context = await newLocalContext(browser, { javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(url('/servizi'));
      await page.fill('#s-q', 'non riesco a pagare l\'affitto');
      await page.selectOption('#s-place', '035026');
      await navigation(page, () => page.click('main form[role=search] .agio-searchbar button[type=submit]'));
      const here = new URL(page.url());
      assert.equal(here.pathname, '/servizi');
      assert.equal(here.searchParams.get('place'), '035026');
      const names = await resultNames(page);
      assert.ok(names.length > 0, 'some results');
      assert.match(names[0], /^Contributo per l'affitto.* – Luzzara$/, `the rent contribution of Luzzara first, got ${names.join(' | ')}`);
      // The next page link works without JavaScript too.
      await page.goto(url('/servizi'));
      await navigation(page, () => page.click('.pagination a[href*="page=2"]'));
      assert.match(page.url(), /page=2/);
      assert.equal((await resultNames(page)).length, 10);
    } finally {
      await context.close();
    }
  });

  it('understands English and shows the English texts', T, async () => {
    const context = await newLocalContext(browser);
    try {
      await useEnglish(context);
      const page = await context.newPage();
      await page.goto(url('/servizi?q=home+care+for+elderly'));
      assert.equal(await page.locator('h1').textContent(), 'Find a service');
      const names = await resultNames(page);
      assert.ok(names.some((n) => /Home care/.test(n)), names.join(' | '));
      await navigation(page, () => page.locator('.agio-results h2 a').first().click());
      assert.ok((await page.locator('h2', { hasText: 'How to access it' }).count()) === 1);
    } finally {
      await context.close();
    }
  });

  for (const javaScriptEnabled of [false, true]) {
    it(`shows the results first on a 375×667 phone (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, T, async () => {
      const context = await newLocalContext(browser, { viewport: PHONE, javaScriptEnabled });
      try {
        const page = await context.newPage();
        await page.goto(url('/servizi'));
        // Before a search the filters are open; the menu is folded behind "Menu".
        assert.equal(await page.locator('details.agio-more-filters').getAttribute('open'), '');
        assert.equal(await page.locator('details.agio-menu').isVisible(), true);
        assert.equal(await page.locator('details.agio-menu .nav-link').first().isVisible(), false);
        await page.fill('#s-q', 'aiuto con lo spid');
        await page.selectOption('#s-place', '035024');
        await navigation(page, () => page.click('.agio-searchbar button[type=submit]'));
        // After it: the filters fold away, the summary names the words and the filter, and the
        // first result's title is on the first screen, with nothing scrolled or focused for it.
        assert.equal(await page.locator('details.agio-more-filters').getAttribute('open'), null);
        assert.match(await page.locator('.agio-summary [role=status]').textContent(), /servizi trovati per «aiuto con lo spid»/);
        const first = await page.locator('.agio-results h2 a').first().boundingBox();
        assert.ok(first.y + first.height <= PHONE.height, `the first result ends at ${first.y + first.height} px, below the first screen`);
        assert.equal(await page.evaluate(() => window.scrollY), 0);
        assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'no sideways scrolling');
        // Each active filter is a link that drops it and keeps the words.
        const chip = page.locator('.agio-active-filters a', { hasText: 'Dove: Guastalla' });
        await navigation(page, () => chip.click());
        const here = new URL(page.url());
        assert.equal(here.searchParams.get('q'), 'aiuto con lo spid');
        assert.equal(here.searchParams.get('place'), null);
        assert.equal(await page.locator('.agio-active-filters').count(), 0);
        // The folded filters open with a tap, no JavaScript needed.
        await page.click('details.agio-more-filters > summary');
        assert.equal(await page.locator('#s-need').isVisible(), true);
      } finally {
        await context.close();
      }
    });
  }

  it('shows a service\'s essentials on the first screen of a phone, and its print view reflows', T, async () => {
    const context = await newLocalContext(browser, { viewport: PHONE, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const missing = [];
      page.on('response', (r) => { if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`); });
      await page.goto(url('/servizi?q=punto+digitale+facile&place=035024'));
      const service = await page.locator('.agio-results h2 a').first().getAttribute('href');
      await page.goto(url(service));
      const glance = page.locator('.agio-glance');
      for (const [what, locator] of [
        ['open now or not', glance.locator('.agio-open, .agio-closed')],
        ['the address, with its distance from the comune searched near', glance.locator('p', { hasText: /Guastalla.* · a [0-9,]+ km da / })],
        ['the phone, as a link', glance.locator('a[href^="tel:"]')],
      ]) {
        const box = await locator.first().boundingBox();
        assert.ok(box && box.y + box.height <= PHONE.height, `${what} is on the first screen (${JSON.stringify(box)})`);
      }
      await page.goto(url(`${service.split('?')[0]}/stampa`));
      assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, '/stampa does not scroll sideways');
      assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.agio-print-columns')).columnCount), 'auto', 'one column on a phone');
      assert.deepEqual(missing, [], 'nothing missing, the favicon included');
    } finally {
      await context.close();
    }
  });

  it('prints a service on one A4 page', T, async () => {
    const context = await newLocalContext(browser);
    try {
      const page = await context.newPage();
      // Long ones: many documents, several languages, two shifts a day.
      for (const query of ['contributo+affitto&place=035024', 'sportello+immigrazione', 'assistenza+domiciliare', 'centro+antiviolenza']) {
        await page.goto(url(`/servizi?q=${query}`));
        const service = await page.locator('.agio-results h2 a').first().getAttribute('href');
        await page.goto(url(`${service.split('?')[0]}/stampa`));
        await page.emulateMedia({ media: 'print' });
        const pdf = (await page.pdf({ format: 'A4', printBackground: false })).toString('latin1');
        const pages = pdf.match(/\/Type\s*\/Page[^s]/g) ?? [];
        assert.equal(pages.length, 1, `${service}/stampa prints on ${pages.length} A4 pages`);
        await page.emulateMedia({ media: 'screen' });
      }
    } finally {
      await context.close();
    }
  });
});
