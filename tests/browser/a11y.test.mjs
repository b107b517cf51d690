// Accessibility and page-structure tests: every page type, in Italian and in
// English, checked with axe-core (WCAG 2.0/2.1 A and AA), plus what axe does
// not check: one <h1>, the page language, a working skip link, breadcrumbs, no
// console or page errors, no request leaving this machine. Then the pages
// without JavaScript: the filter form and the pagination links.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, url, pathOf, isAllowedRequest, fetchJson } from './support/common.mjs';
import { PAGE_TYPES, discoverPaths } from './support/pages.mjs';
import { assertAxeClean, newLocalContext } from './support/ui.mjs';

// No test may hang the run: node:test has no default timeout.
const T = { timeout: 90_000 };

const TEXT = {
  it: {
    demo: 'Contenuto dimostrativo',
    notFound: 'Pagina non trovata',
    badRequest: 'Richiesta non valida',
    approved: 'Approvata',
  },
  en: {
    demo: 'Demo content',
    notFound: 'Page not found',
    badRequest: 'Invalid request',
    approved: 'Approved',
  },
};

let browser;
/** page type id -> path, filled by discovery */
const paths = new Map();
let discoveryError;

before(async () => {
  browser = await launchBrowser();
  try {
    for (const [id, p] of await discoverPaths(browser)) paths.set(id, p);
  } catch (e) {
    discoveryError = e;
  }
}, T);

after(async () => {
  await browser?.close();
});

function pathFor(id) {
  if (discoveryError) throw discoveryError;
  const p = paths.get(id);
  assert.ok(p, `no path discovered for page type ${id}`);
  return p;
}

/**
 * Open `path` in `context` and watch it: console errors, uncaught errors,
 * requests to other hosts (which are also blocked so that nothing leaves the
 * machine). Returns the page and what was seen.
 */
async function openWatched(context, path) {
  const page = await context.newPage();
  const seen = { consoleErrors: [], pageErrors: [], foreign: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.consoleErrors.push({ text: m.text(), url: m.location()?.url ?? '' });
  });
  page.on('pageerror', (e) => seen.pageErrors.push(String(e?.stack ?? e)));
  page.on('request', (r) => {
    if (!isAllowedRequest(r.url())) seen.foreign.push(r.url());
  });
  // The pages run no script, so nothing starts after `load` but fonts, and the checks below (axe
  // takes about a second) leave time to see any such request before the foreign-host check.
  const response = await page.goto(url(path), { waitUntil: 'load' });
  return { page, response, seen };
}

async function auditPage(context, type, lang) {
  const path = pathFor(type.id);
  const expectedStatus = type.status ?? 200;
  const { page, response, seen } = await openWatched(context, path);
  // Every check runs, and the test reports all that failed on the page.
  const failures = [];
  const check = async (fn) => {
    try {
      await fn();
    } catch (e) {
      failures.push(e?.message ?? String(e));
    }
  };
  try {
    await check(() => assert.equal(response.status(), expectedStatus, `${path}: HTTP status`));

    // Language of the page.
    await check(async () => assert.equal(await page.getAttribute('html', 'lang'), lang, `${path}: <html lang>`));

    // A title and exactly one <h1>.
    await check(async () => assert.ok((await page.title()).trim().length > 0, `${path}: empty <title>`));
    const h1s = await page.locator('h1').allInnerTexts();
    await check(() =>
      assert.equal(h1s.length, 1, `${path}: expected exactly one <h1>, found ${h1s.length}: ${JSON.stringify(h1s)}`),
    );

    // Skip link: present, first in tab order, and its target is <main>.
    await check(async () =>
      assert.ok((await page.locator('a[href="#main"]').count()) >= 1, `${path}: no skip link to #main`),
    );
    await check(async () =>
      assert.equal(
        await page.evaluate(() => document.getElementById('main')?.tagName ?? null),
        'MAIN',
        `${path}: #main should be the <main> element`,
      ),
    );
    await check(async () => {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => document.activeElement?.getAttribute('href'));
      assert.equal(focused, '#main', `${path}: the first Tab should focus the skip link`);
    });

    // Breadcrumbs on every inner page: a trail starting at home and ending
    // with the current page.
    if (type.breadcrumb !== false) {
      await check(async () => {
        const crumbs = page.locator('nav[aria-label] .breadcrumb .breadcrumb-item');
        const n = await crumbs.count();
        assert.ok(n >= 2, `${path}: expected breadcrumbs (nav[aria-label] .breadcrumb) with at least 2 items, found ${n}`);
        assert.equal(await crumbs.first().locator('a').getAttribute('href'), '/', `${path}: breadcrumbs should start at /`);
        assert.equal(
          await crumbs.last().getAttribute('aria-current'),
          'page',
          `${path}: the last breadcrumb should have aria-current="page"`,
        );
      });
    }

    // Demo content is labelled as such.
    if (type.demo) {
      await check(async () => {
        const main = await page.locator('main').innerText();
        assert.ok(main.includes(TEXT[lang].demo), `${path}: expected the "${TEXT[lang].demo}" banner`);
      });
    }

    // Page-specific content.
    if (type.id === 'not found') {
      await check(() => assert.equal(h1s[0]?.trim(), TEXT[lang].notFound, `${path}: 404 heading`));
    }
    if (type.id === 'bad request') {
      await check(async () => {
        assert.equal(h1s[0]?.trim(), TEXT[lang].badRequest, `${path}: 400 heading`);
        const main = await page.locator('main').innerText();
        assert.match(main, /\bstatus\b/, `${path}: the 400 page should name the wrong parameter "status"`);
        assert.match(main, /\bok\b/, `${path}: the 400 page should show the wrong value "ok"`);
      });
    }

    // axe-core, WCAG 2.0 and 2.1, levels A and AA.
    await check(() => assertAxeClean(page, `${path} (${lang})`, 160));

    // Nothing went wrong in the console, and nothing left the machine. The
    // document of an error page is itself "a resource that failed to load"
    // in Chromium's console: that one entry is expected.
    const consoleErrors = seen.consoleErrors.filter(
      (e) => !(expectedStatus !== 200 && e.url === url(path) && e.text.includes(`status of ${expectedStatus}`)),
    );
    await check(() =>
      assert.equal(
        consoleErrors.length,
        0,
        `${path}: console errors:\n${consoleErrors.map((e) => `  ${e.text} (${e.url})`).join('\n')}`,
      ),
    );
    await check(() => assert.deepEqual(seen.pageErrors, [], `${path}: uncaught page errors`));
    await check(() => assert.deepEqual(seen.foreign, [], `${path}: requests to hosts other than the server`));
  } finally {
    await page.close();
  }
  if (failures.length) {
    throw new assert.AssertionError({ message: `${path} (${lang}):\n- ${failures.join('\n- ')}` });
  }
}

// Block (and so make visible as failures) anything that would leave the machine.
function newWatchedContext(options = {}) {
  return newLocalContext(browser, options);
}

describe('site-wide', () => {
  // Chromium asks for /favicon.ico on the first page of a session; a 404 there
  // is a console error on every first visit (logged once per browser, so the
  // page audits below cannot see it reliably).
  it('has a favicon: no 404 for the icon a browser asks for', T, async () => {
    const html = await (await fetch(url('/'))).text();
    const m = html.match(/<link\b[^>]*\brel="(?:shortcut )?icon"[^>]*>/i);
    const href = m ? (m[0].match(/\bhref="([^"]+)"/) ?? [])[1] : '/favicon.ico';
    assert.ok(href, `icon link without href: ${m?.[0]}`);
    if (href.startsWith('data:')) return;
    const res = await fetch(url(href));
    assert.equal(
      res.status,
      200,
      `${m ? `<link rel="icon" href="${href}">` : 'no <link rel="icon"> in the pages, and /favicon.ico'} answers ${res.status}`,
    );
  });
});

describe('pages in Italian (default)', () => {
  let context;
  before(async () => {
    context = await newWatchedContext();
  });
  after(async () => {
    await context?.close();
  });

  for (const type of PAGE_TYPES) {
    it(`${type.id}`, T, async () => {
      await auditPage(context, type, 'it');
    });
  }
});

describe('pages in English (language switch)', () => {
  let context;
  before(async () => {
    context = await newWatchedContext();
  });
  after(async () => {
    await context?.close();
  });

  it('the language switch sets the language and returns to the same page', T, async () => {
    const page = await context.newPage();
    try {
      await page.goto(url('/agende?status=approved'));
      assert.equal(await page.getAttribute('html', 'lang'), 'it');
      const link = page.locator('a[hreflang="en"]');
      assert.equal(await link.count(), 1, 'one link to the English version');
      await link.click();
      // The switch answers with a redirect back to the page, now in English.
      await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: 10_000 });
      await page.waitForLoadState('load');
      assert.equal(pathOf(page.url()), '/agende?status=approved', 'back on the same page, filters kept');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      const cookies = await context.cookies(url('/'));
      const lang = cookies.find((c) => c.name === 'lang');
      assert.equal(lang?.value, 'en', 'lang=en cookie');
      // And back: the Italian link is there too.
      assert.equal(await page.locator('a[hreflang="it"]').count(), 1, 'one link back to Italian');
    } finally {
      await page.close();
    }
  });

  for (const type of PAGE_TYPES) {
    it(`${type.id}`, T, async () => {
      // If the switch above failed, still test the English pages.
      if (!(await context.cookies(url('/'))).some((c) => c.name === 'lang' && c.value === 'en')) {
        await context.addCookies([{ name: 'lang', value: 'en', url: url('/') }]);
      }
      await auditPage(context, type, 'en');
    });
  }
});

describe('pages without JavaScript', () => {
  let context;
  before(async () => {
    context = await newWatchedContext({ javaScriptEnabled: false });
  });
  after(async () => {
    await context?.close();
  });

  it('the agenda filter form submits with GET and filters by status', T, async () => {
    const page = await context.newPage();
    try {
      await page.goto(url('/agende'));
      const form = page.locator('form:has(select[name="status"])');
      assert.equal(await form.count(), 1, 'one filter form with a status select');
      assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'get', 'filter form method');

      await form.locator('select[name="status"]').selectOption('approved');
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('status') === 'approved'),
        form.locator('button[type="submit"], input[type="submit"]').first().click(),
      ]);
      const u = new URL(page.url());
      assert.equal(u.pathname, '/agende');
      assert.equal(u.searchParams.get('status'), 'approved');

      // The selection is kept in the form.
      assert.equal(await page.locator('select[name="status"]').inputValue(), 'approved');

      // Every result is an approved agenda, and as many as the API says.
      const { body } = await fetchJson('/api/v1/agendas?status=approved&per_page=100');
      assert.ok(body.total > 0, 'the demo data has at least one approved agenda');
      const cards = page.locator('main ul.agio-cards > li');
      assert.equal(await cards.count(), body.total, 'number of results');
      for (const text of await cards.allInnerTexts()) {
        assert.ok(text.includes(TEXT.it.approved), `result is not approved: ${text.replace(/\s+/g, ' ')}`);
        for (const other of ['Bozza', 'In consultazione', 'Archiviata']) {
          assert.ok(!text.includes(other), `result has status ${other}: ${text.replace(/\s+/g, ' ')}`);
        }
      }
      const titles = await page.locator('main ul.agio-cards h2').allInnerTexts();
      assert.deepEqual(
        titles.map((t) => t.trim()).sort(),
        body.items.map((a) => a.title).sort(),
        'the same agendas as the API',
      );
    } finally {
      await page.close();
    }
  });

  it('pagination links work and keep the filters', T, async () => {
    const page = await context.newPage();
    try {
      await page.goto(url('/soggetti'));
      const form = page.locator('main form[role="search"]');
      assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'get');
      await form.locator('input[name="q"]').fill('a');
      await Promise.all([
        page.waitForURL((u) => u.searchParams.get('q') === 'a'),
        form.locator('button[type="submit"]').click(),
      ]);
      const { body } = await fetchJson('/api/v1/organizations?q=a&per_page=100');
      assert.ok(body.total > 20, `need more than one page of organisations matching "a" (found ${body.total})`);

      const rows = () => page.locator('main table tbody tr').allInnerTexts();
      const firstPage = await rows();
      assert.ok(firstPage.length > 0);

      const pager = page.locator('nav.pagination-wrapper');
      assert.equal(await pager.count(), 1, 'a pagination nav');
      assert.ok(await pager.getAttribute('aria-label'), 'the pagination nav has a label');
      const next = pager.locator('a[href*="page=2"]').first();
      await Promise.all([page.waitForURL((u) => u.searchParams.get('page') === '2'), next.click()]);
      const u = new URL(page.url());
      assert.equal(u.searchParams.get('q'), 'a', 'the filter is kept on page 2');
      const secondPage = await rows();
      assert.ok(secondPage.length > 0, 'page 2 has rows');
      assert.equal(firstPage.length + secondPage.length, body.total, 'two pages hold all the results');
      assert.ok(!secondPage.some((r) => firstPage.includes(r)), 'page 2 shows other rows than page 1');
      assert.equal(await pager.locator('[aria-current="page"]').count(), 1, 'the current page is marked');

      const prev = pager.locator('a[href*="page=1"]').first();
      await Promise.all([page.waitForURL((u) => u.searchParams.get('page') === '1'), prev.click()]);
      assert.deepEqual(await rows(), firstPage, 'back to page 1');
    } finally {
      await page.close();
    }
  });

  it('every page type renders without JavaScript', T, async () => {
    for (const type of PAGE_TYPES) {
      const path = pathFor(type.id);
      const { page, response, seen } = await openWatched(context, path);
      try {
        assert.equal(response.status(), type.status ?? 200, path);
        assert.equal(await page.locator('h1').count(), 1, `${path}: one <h1>`);
        assert.deepEqual(seen.foreign, [], `${path}: foreign requests`);
      } finally {
        await page.close();
      }
    }
  });
});
