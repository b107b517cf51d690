// Page-weight budget: the first visit to each page type, in a fresh browser
// context (empty cache), must transfer at most 150 KB in all (HTML, CSS,
// fonts, icons, scripts, images), of which at most 30 KB of JavaScript, as
// Chromium receives it (compressed where the server compresses).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, url, isAllowedRequest } from './support/common.mjs';
import { PAGE_TYPES, discoverPaths } from './support/pages.mjs';

// No test may hang the run: node:test has no default timeout.
const T = { timeout: 60_000 };

const TOTAL_BUDGET = 150 * 1024; // 153600 bytes
const JS_BUDGET = 30 * 1024;

// Error pages and a second page of a list weigh like their siblings.
const SKIP = new Set(['agendas filtered', 'organizations page 2']);

let browser;
let paths;
const rows = [];

before(async () => {
  browser = await launchBrowser();
  paths = await discoverPaths(browser);
}, T);

after(async () => {
  await browser?.close();
  if (rows.length) printTable(rows);
});

function kindOf(type, mime, requestUrl) {
  const m = (mime ?? '').toLowerCase();
  if (type === 'Script' || m.includes('javascript') || /\.m?js(\?|$)/.test(requestUrl)) return 'js';
  if (type === 'Document') return 'html';
  if (type === 'Stylesheet' || m === 'text/css') return 'css';
  if (type === 'Font' || m.startsWith('font/') || /\.woff2?(\?|$)/.test(requestUrl)) return 'font';
  if (type === 'Image' || m.startsWith('image/')) return 'image';
  return 'other';
}

/** Visit `path` in a fresh context and add up the bytes of every response, by kind. */
async function measure(path) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // Make sure nothing comes from a cache.
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });

    const requests = new Map(); // requestId -> { url, type, mime, encoding, bytes }
    const failed = [];
    cdp.on('Network.requestWillBeSent', (e) => {
      const r = requests.get(e.requestId);
      if (r && e.redirectResponse) {
        // A redirect: the 3xx response was transferred too.
        r.bytes += e.redirectResponse.encodedDataLength ?? 0;
      }
      requests.set(e.requestId, {
        url: e.request.url,
        type: e.type,
        mime: '',
        encoding: '',
        bytes: r?.bytes ?? 0,
        done: false,
      });
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = requests.get(e.requestId);
      if (!r) return;
      r.type = e.type ?? r.type;
      r.mime = e.response.mimeType;
      const h = Object.fromEntries(Object.entries(e.response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      r.encoding = h['content-encoding'] ?? '';
      r.fromCache = e.response.fromDiskCache || e.response.fromServiceWorker || e.response.fromPrefetchCache;
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = requests.get(e.requestId);
      if (!r) return;
      r.bytes += e.encodedDataLength;
      r.done = true;
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = requests.get(e.requestId);
      failed.push(`${r?.url ?? e.requestId}: ${e.errorText}`);
    });

    const response = await page.goto(url(path), { waitUntil: 'networkidle' });
    // Let late resources (fonts swapped in, lazy images) finish.
    await page.waitForLoadState('networkidle');

    const byKind = { html: 0, css: 0, font: 0, image: 0, js: 0, other: 0 };
    const details = [];
    let total = 0;
    for (const r of requests.values()) {
      const kind = kindOf(r.type, r.mime, r.url);
      byKind[kind] += r.bytes;
      total += r.bytes;
      details.push({ url: r.url, kind, bytes: r.bytes, encoding: r.encoding, done: r.done, fromCache: r.fromCache });
    }
    await cdp.detach();
    return { status: response.status(), total, byKind, details, failed };
  } finally {
    await context.close();
  }
}

function kb(n) {
  return (n / 1024).toFixed(1);
}

function printTable(list) {
  const head = ['page', 'path', 'reqs', 'html', 'css', 'font', 'image', 'js', 'other', 'total KB', 'total bytes'];
  const lines = list.map((r) => [
    r.id,
    r.path.length > 48 ? r.path.slice(0, 45) + '...' : r.path,
    String(r.details.length),
    kb(r.byKind.html),
    kb(r.byKind.css),
    kb(r.byKind.font),
    kb(r.byKind.image),
    kb(r.byKind.js),
    kb(r.byKind.other),
    kb(r.total),
    String(r.total),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cols) => cols.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const out = [
    `page weight, first visit, empty cache, bytes on the wire incl. headers; columns in KB (budget ${kb(TOTAL_BUDGET)} KB total, ${kb(JS_BUDGET)} KB JS)`,
    fmt(head),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...lines.map(fmt),
  ];
  console.log(out.join('\n'));
}

describe('page weight', () => {
  for (const type of PAGE_TYPES.filter((t) => !SKIP.has(t.id))) {
    it(`${type.id} fits the budget`, T, async () => {
      const path = paths.get(type.id);
      assert.ok(path, `no path for ${type.id}`);
      const m = await measure(path);
      rows.push({ id: type.id, path, ...m });

      assert.equal(m.status, type.status ?? 200, `${path}: HTTP status`);
      assert.deepEqual(m.failed, [], `${path}: failed requests`);
      const urls = m.details.map((d) => d.url);
      assert.deepEqual(urls.filter((u, i) => urls.indexOf(u) !== i), [], `${path}: fetched twice (a preload not used?)`);
      const foreign = m.details.filter((d) => !isAllowedRequest(d.url)).map((d) => d.url);
      assert.deepEqual(foreign, [], `${path}: requests to other hosts`);
      assert.ok(
        m.details.every((d) => !d.fromCache),
        `${path}: something came from a cache in a fresh context`,
      );

      // Text resources should arrive compressed.
      const uncompressed = m.details.filter(
        (d) => ['html', 'css', 'js'].includes(d.kind) && d.bytes > 1024 && !/^(br|gzip|zstd|deflate)$/.test(d.encoding),
      );
      assert.deepEqual(
        uncompressed.map((d) => `${d.url} (${d.bytes} B, content-encoding: "${d.encoding}")`),
        [],
        `${path}: text resources sent without compression`,
      );

      const breakdown = m.details
        .slice()
        .sort((a, b) => b.bytes - a.bytes)
        .map((d) => `  ${String(d.bytes).padStart(7)} B  ${d.kind.padEnd(5)} ${d.encoding.padEnd(4)} ${d.url}`)
        .join('\n');
      assert.ok(
        m.total <= TOTAL_BUDGET,
        `${path}: ${m.total} bytes transferred, over the ${TOTAL_BUDGET}-byte budget:\n${breakdown}`,
      );
      assert.ok(
        m.byKind.js <= JS_BUDGET,
        `${path}: ${m.byKind.js} bytes of JavaScript, over the ${JS_BUDGET}-byte budget:\n${breakdown}`,
      );
    });
  }
});

// A first visit with an empty cache is when the fonts arrive late: the text must not move when
// they do (the fonts are preloaded and shown only if they came in time).
describe('layout stability on a first visit', () => {
  const LAYOUT = ['api docs', 'home', 'services near a comune', 'service', 'agenda'];
  for (const viewport of [{ width: 375, height: 667 }, { width: 1280, height: 900 }]) {
    for (const id of LAYOUT) {
      it(`${id} at ${viewport.width}×${viewport.height} does not shift`, T, async () => {
        const context = await browser.newContext({ viewport });
        try {
          const page = await context.newPage();
          await page.addInitScript(() => {
            window.agioShifts = [];
            new PerformanceObserver((list) => window.agioShifts.push(...list.getEntries().map((e) => e.value)))
              .observe({ type: 'layout-shift', buffered: true });
          });
          await page.goto(url(paths.get(id)), { waitUntil: 'networkidle' });
          await page.evaluate(() => document.fonts.ready);
          const shifts = await page.evaluate(() => window.agioShifts);
          const total = shifts.reduce((a, b) => a + b, 0);
          assert.ok(total < 0.01, `${paths.get(id)}: cumulative layout shift ${total.toFixed(4)} (${shifts.join(', ')})`);
        } finally {
          await context.close();
        }
      });
    }
  }
});
