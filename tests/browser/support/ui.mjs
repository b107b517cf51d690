// Shared helpers for the browser tests that drive pages with Playwright:
// the browser's lifetime, contexts where nothing leaves the machine, a journal
// of console errors, uncaught errors and foreign requests, axe-core checks,
// keyboard focus, navigation and signing in.

import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';
import { launchBrowser, url, pathOf, isAllowedRequest } from './common.mjs';

/** axe-core rule tags: WCAG 2.0 and 2.1, levels A and AA. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// ---------------------------------------------------------------------------
// The browser and its contexts.

/**
 * Launch Chromium before the tests of the calling file and close it after
 * them. Call at the top level of a test file; `browser` is set once the
 * `before` hook has run.
 */
export function launchedBrowser(options) {
  const session = { browser: undefined };
  before(async () => {
    session.browser = await launchBrowser();
  }, options);
  after(async () => {
    await session.browser?.close();
  });
  return session;
}

/** A browser context where nothing can leave the machine: any other host is blocked (and so visible as a failure). */
export async function newLocalContext(browser, options = {}) {
  const context = await browser.newContext(options);
  await context.route(
    (u) => !isAllowedRequest(u.href),
    (route) => route.abort('blockedbyclient'),
  );
  return context;
}

/**
 * A journal of everything suspicious seen on the pages it watches: console
 * errors, uncaught errors, requests to other hosts.
 *
 * Chromium reports a document answered with an error status as "Failed to
 * load resource: … status of 422" in the console. A test that asks for such
 * answers on purpose (and asserts the status) names those statuses in
 * `expectedDocumentStatuses`: a console error for a main-frame document
 * received with one of them is expected; every other entry is a problem.
 */
export function pageJournal(expectedDocumentStatuses) {
  const entries = [];

  function watch(page) {
    /** "status url" of every main-frame document this page received */
    const documents = new Set();
    page.on('response', (r) => {
      if (r.request().isNavigationRequest() && r.frame() === page.mainFrame()) documents.add(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      const where = m.location()?.url ?? '';
      const status = Number((m.text().match(/status of (\d{3})/) ?? [])[1]);
      entries.push({
        what: `console error on ${pathOf(page.url())}: ${m.text()} (${where})`,
        // Resolved later: the response event may come after the console message.
        expected: () => expectedDocumentStatuses.has(status) && documents.has(`${status} ${where}`),
      });
    });
    page.on('pageerror', (e) => entries.push({ what: `uncaught error on ${pathOf(page.url())}: ${e?.stack ?? e}` }));
    page.on('request', (r) => {
      if (!isAllowedRequest(r.url())) entries.push({ what: `request to another host from ${pathOf(page.url())}: ${r.url()}` });
    });
  }

  /** What was seen and is not expected, one line each. */
  function problems() {
    return entries.filter((e) => !e.expected?.()).map((e) => e.what);
  }

  return {
    watch,
    problems,
    /** A local context (see newLocalContext) whose pages are all watched. */
    async newContext(browser, options = {}) {
      const context = await newLocalContext(browser, options);
      context.on('page', watch);
      return context;
    },
    /** Assert that nothing unexpected was seen; the message lists every problem. */
    assertClean() {
      const seen = problems();
      assert.deepEqual(seen, [], `problems seen:\n${seen.join('\n')}`);
    },
  };
}

/**
 * launchedBrowser and pageJournal together, for a test file that watches all
 * its pages: returns the journal and `newContext(options)`, a local context
 * of that browser whose pages the journal watches.
 */
export function watchedBrowser(options, expectedDocumentStatuses) {
  const session = launchedBrowser(options);
  const journal = pageJournal(expectedDocumentStatuses);
  return {
    journal,
    newContext: (contextOptions = {}) => journal.newContext(session.browser, contextOptions),
  };
}

// ---------------------------------------------------------------------------
// Navigation, language, signing in.

/** Switch the context to English with the site's own language switch. */
export async function useEnglish(context) {
  const page = await context.newPage();
  try {
    await page.goto(url('/lingua/en?next=%2F'));
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the language switch leads to an English page');
  } finally {
    await page.close();
  }
}

/**
 * Run `action` (a click, a key press) that submits a form or follows a link,
 * and wait for the new document. Returns its response: the final one, after
 * any redirect (`response.request().redirectedFrom()` is then the POST).
 */
export async function navigation(page, action) {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) =>
        r.request().isNavigationRequest() && r.frame() === page.mainFrame() && !(r.status() >= 300 && r.status() < 400),
    ),
    page.waitForEvent('load'),
    action(),
  ]);
  return response;
}

/** Sign in through the form (the context keeps the session cookie); returns the answer. */
export async function trySignIn(context, email, password) {
  const page = await context.newPage();
  try {
    await page.goto(url('/accedi'));
    await page.fill('#f-email', email);
    await page.fill('#f-password', password);
    const response = await navigation(page, () => page.locator('main form button[type="submit"]').click());
    return { status: response.status(), path: pathOf(page.url()) };
  } finally {
    await page.close();
  }
}

/** Sign in and assert it worked. */
export async function signIn(context, email, password) {
  const { status, path } = await trySignIn(context, email, password);
  assert.equal(path, '/area-personale', `signing in as ${email} should lead to the personal area (HTTP ${status} on ${path})`);
}

/** Text of <main>, whitespace folded. */
export async function mainText(page) {
  return (await page.locator('main').innerText()).replace(/\s+/g, ' ').trim();
}

// ---------------------------------------------------------------------------
// Accessibility.

/** axe-core violations, readable: rule, impact, help, and up to 8 nodes (their HTML cut at `htmlChars`). */
export function formatViolations(violations, htmlChars = 200) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .slice(0, 8)
        .map((n) => {
          const why = (n.failureSummary ?? '').replace(/\s+/g, ' ').slice(0, 300);
          return `      - ${n.target.join(' ')}\n        ${n.html.replace(/\s+/g, ' ').slice(0, htmlChars)}\n        ${why}`;
        })
        .join('\n');
      const more = v.nodes.length > 8 ? `\n      … and ${v.nodes.length - 8} more` : '';
      return `  ${v.id} [${v.impact}] ${v.help}\n    ${v.helpUrl}\n${nodes}${more}`;
    })
    .join('\n');
}

/** The axe-core violations (WCAG 2.0 and 2.1, A and AA) on the page as it is now. */
export async function axeViolations(page) {
  return (await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()).violations;
}

/** Assert zero axe-core violations (WCAG 2.0 and 2.1, A and AA); the message lists them. */
export async function assertAxeClean(page, label, htmlChars = 200) {
  const violations = await axeViolations(page);
  assert.equal(
    violations.length,
    0,
    `${label}: ${violations.length} axe violation(s):\n${formatViolations(violations, htmlChars)}`,
  );
}

/**
 * The checks every page gets: <html lang>, exactly one <h1>, and axe-core
 * (WCAG 2.0 and 2.1, A and AA) with zero violations. All three run; the
 * assertion lists every failure. Returns the text of the <h1>.
 */
export async function axeCheck(page, label, lang) {
  const failures = [];
  const htmlLang = await page.getAttribute('html', 'lang');
  if (htmlLang !== lang) failures.push(`<html lang="${htmlLang}">, expected "${lang}"`);
  const h1s = (await page.locator('h1').allInnerTexts()).map((h) => h.trim());
  if (h1s.length !== 1) failures.push(`expected exactly one <h1>, found ${h1s.length}: ${JSON.stringify(h1s)}`);
  const violations = await axeViolations(page);
  if (violations.length) {
    failures.push(`${violations.length} axe violation(s):\n${formatViolations(violations)}`);
  }
  if (failures.length) {
    throw new assert.AssertionError({
      message: `${label} (${lang}, ${pathOf(page.url())}):\n- ${failures.join('\n- ')}`,
    });
  }
  return h1s[0];
}

// ---------------------------------------------------------------------------
// The keyboard.

/** id (or tag and text) of the focused element, for checks and messages. */
export function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    if (!e || e === document.body) return 'body';
    if (e.id) return `#${e.id}`;
    const href = e.getAttribute('href') ? `[href="${e.getAttribute('href')}"]` : '';
    return `${e.tagName.toLowerCase()}${href} "${e.textContent.trim().slice(0, 40)}"`;
  });
}

/** Wait (briefly) until the element with `id` has the focus, then assert it. */
export async function assertFocus(page, id, why) {
  await page.waitForFunction((i) => document.activeElement?.id === i, id, { timeout: 5_000 }).catch(() => {});
  assert.equal(await focused(page), `#${id}`, why);
}

/** Press Tab until the focused element matches `selector` (at most `max` times): real keyboard navigation. */
export async function tabTo(page, selector, max = 250) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  assert.fail(`${pathOf(page.url())}: ${selector} cannot be reached with Tab (${max} presses)`);
}
