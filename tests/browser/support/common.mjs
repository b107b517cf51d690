// Shared helpers for the browser and conformance tests.
//
// The tests never start AGIO themselves: whoever runs them starts
// `agio serve --demo` and passes its address in AGIO_URL.

import { chromium } from 'playwright-core';

const raw = process.env.AGIO_URL;
if (!raw) {
  throw new Error(
    'AGIO_URL is not set: start `agio serve --demo --listen 127.0.0.1:8091` and run with AGIO_URL=http://127.0.0.1:8091',
  );
}

/** Server origin without a trailing slash, e.g. http://127.0.0.1:8091 */
export const BASE = raw.replace(/\/+$/, '');
export const BASE_URL = new URL(BASE);

/** Hosts a page is allowed to talk to: the loopback address and the server's own host. */
export const ALLOWED_HOSTS = new Set(['127.0.0.1', BASE_URL.hostname]);

export const CHROMIUM_PATH = process.env.AGIO_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Absolute URL for a server path. */
export function url(path) {
  return new URL(path, BASE + '/').href;
}

/** True when a request URL stays on this machine (or needs no network at all). */
export function isAllowedRequest(requestUrl) {
  const u = new URL(requestUrl);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return ALLOWED_HOSTS.has(u.hostname);
}

/** Path + query of an absolute URL on the server. */
export function pathOf(href) {
  const u = new URL(href, BASE + '/');
  return u.pathname + u.search;
}

/**
 * First link inside <main> of an HTML page (fetched with the browser page)
 * whose pathname matches `pattern`. Returns the path, or throws.
 */
export async function firstLink(page, fromPath, pattern) {
  await page.goto(url(fromPath));
  const hrefs = await page.$$eval('main a[href]', (as) => as.map((a) => a.getAttribute('href')));
  const found = hrefs.find((h) => {
    const u = new URL(h, 'http://x/');
    return !h.startsWith('#') && pattern.test(u.pathname);
  });
  if (!found) {
    throw new Error(`no link matching ${pattern} in <main> of ${fromPath}; links: ${hrefs.join(' ')}`);
  }
  return pathOf(found);
}

export async function fetchJson(path, init = {}) {
  const res = await fetch(url(path), { ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { res, body, text };
}
