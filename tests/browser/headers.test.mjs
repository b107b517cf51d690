// HTTP-level checks with plain fetch (no browser): security headers on
// pages, API answers, assets and error answers; long-lived caching of the
// hashed assets; health and readiness; compression.

import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { url, pathOf } from './support/common.mjs';

// No test may hang the run: node:test has no default timeout.
const T = { timeout: 30_000 };

const PAGE = '/agende';
const API = '/api/v1/agendas';
const ONE_YEAR = 31536000;

/** Every /assets/ URL the pages use: stylesheets, scripts, images, icon sprites, and the url()s of the CSS. */
let assetPaths = [];

function attrs(html, re) {
  return [...html.matchAll(re)].map((m) => m[1]);
}

before(async () => {
  const found = new Set();
  const css = new Set();
  for (const p of ['/', '/agende', '/agende?status=ok', '/nope', '/api/docs']) {
    const html = await (await fetch(url(p))).text();
    const refs = [
      ...attrs(html, /<link\b[^>]*\bhref="([^"]+)"/gi),
      ...attrs(html, /<script\b[^>]*\bsrc="([^"]+)"/gi),
      ...attrs(html, /<img\b[^>]*\bsrc="([^"]+)"/gi),
      ...attrs(html, /<use\b[^>]*\bhref="([^"#]+)[#"]/gi),
    ].map((h) => h.replace(/&amp;/g, '&'));
    for (const h of refs) {
      const path = pathOf(h);
      if (!path.startsWith('/assets/')) continue;
      found.add(path);
      if (path.endsWith('.css')) css.add(path);
    }
  }
  for (const c of css) {
    const text = await (await fetch(url(c))).text();
    for (const m of text.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)) {
      if (m[1].startsWith('data:') || m[1].startsWith('#')) continue;
      found.add(pathOf(new URL(m[1], url(c)).href));
    }
  }
  assetPaths = [...found].sort();
}, T);

function parseCsp(value) {
  const directives = new Map();
  for (const part of value.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

function checkSecurityHeaders(res, what) {
  const csp = res.headers.get('content-security-policy');
  assert.ok(csp, `${what}: no Content-Security-Policy`);
  assert.ok(!/'unsafe-inline'/.test(csp), `${what}: CSP allows 'unsafe-inline': ${csp}`);
  assert.ok(!/'unsafe-eval'/.test(csp), `${what}: CSP allows 'unsafe-eval': ${csp}`);
  const d = parseCsp(csp);
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"], `${what}: CSP frame-ancestors should be 'none': ${csp}`);
  assert.ok(d.has('default-src'), `${what}: CSP without default-src: ${csp}`);
  for (const [name, sources] of d) {
    if (!name.endsWith('-src')) continue;
    for (const s of sources) {
      assert.ok(
        !['*', 'http:', 'https:'].includes(s) && !/^https?:\/\//.test(s),
        `${what}: CSP ${name} allows other origins (${s}): ${csp}`,
      );
    }
  }
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  const rp = res.headers.get('referrer-policy');
  assert.ok(rp, `${what}: no Referrer-Policy`);
  assert.ok(
    ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(rp),
    `${what}: Referrer-Policy ${rp} leaks too much`,
  );
}

describe('security headers', () => {
  it('on a page', T, async () => {
    const res = await fetch(url(PAGE));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
    checkSecurityHeaders(res, PAGE);
  });

  it('on an API answer', T, async () => {
    const res = await fetch(url(API));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    checkSecurityHeaders(res, API);
  });

  it('on an asset', T, async () => {
    assert.ok(assetPaths.length > 0, 'the pages use no /assets/ file');
    for (const p of assetPaths) {
      const res = await fetch(url(p));
      assert.equal(res.status, 200, p);
      checkSecurityHeaders(res, p);
    }
  });

  it('on error answers (404 page, 400 page, 404 and 400 problem+json)', T, async () => {
    for (const [p, status] of [
      ['/nope', 404],
      ['/agende?status=ok', 400],
      ['/api/v1/agendas/zzz-does-not-exist', 404],
      ['/api/v1/agendas?status=ok', 400],
    ]) {
      const res = await fetch(url(p));
      assert.equal(res.status, status, p);
      checkSecurityHeaders(res, p);
    }
  });

  it('pages cannot be framed by older browsers either (X-Frame-Options, if sent, is DENY)', T, async () => {
    const res = await fetch(url(PAGE));
    const xfo = res.headers.get('x-frame-options');
    if (xfo !== null) assert.equal(xfo.toUpperCase(), 'DENY');
  });
});

describe('caching', () => {
  it('hashed assets under /assets/ are cached for a year and immutable', T, async () => {
    for (const p of assetPaths) {
      const res = await fetch(url(p));
      const cc = res.headers.get('cache-control') ?? '';
      assert.ok(new RegExp(`max-age=${ONE_YEAR}\\b`).test(cc), `${p}: Cache-Control "${cc}" lacks max-age=${ONE_YEAR}`);
      assert.ok(/\bimmutable\b/.test(cc), `${p}: Cache-Control "${cc}" lacks immutable`);
      // A long-lived URL must change with its content: it carries a hash.
      assert.match(p, /[.-][0-9a-f]{8,}\.[a-z0-9]+$/, `${p}: an immutable asset URL should carry a content hash`);
    }
  });

  it('the stylesheet and the fonts are among the assets checked', T, () => {
    assert.ok(assetPaths.some((p) => p.endsWith('.css')), `no stylesheet in ${assetPaths}`);
    assert.ok(assetPaths.some((p) => /\.woff2?$/.test(p)), `no font in ${assetPaths}`);
  });

  it('pages, API answers and missing assets are not cached as immutable', T, async () => {
    for (const p of [PAGE, API, '/assets/agio.0000000000.css']) {
      const res = await fetch(url(p));
      const cc = res.headers.get('cache-control') ?? '';
      assert.ok(!/\bimmutable\b/.test(cc), `${p}: Cache-Control "${cc}"`);
      assert.ok(!new RegExp(`max-age=${ONE_YEAR}\\b`).test(cc), `${p}: Cache-Control "${cc}"`);
    }
    const missing = await fetch(url('/assets/agio.0000000000.css'));
    assert.equal(missing.status, 404, 'a missing asset is a 404');
  });
});

describe('health and readiness', () => {
  it('/healthz answers 200 with a JSON status', T, async () => {
    const res = await fetch(url('/healthz'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = await res.json();
    assert.equal(body.status, 'ok');
  });

  it('/readyz answers 200 and reports the database', T, async () => {
    const res = await fetch(url('/readyz'));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = await res.json();
    assert.equal(body.status, 'ready');
    assert.equal(body.database, 'ok');
  });
});

describe('compression', () => {
  for (const encoding of ['gzip', 'br']) {
    it(`HTML is sent with ${encoding} when asked`, T, async () => {
      for (const p of ['/', PAGE, '/nope']) {
        const res = await fetch(url(p), { headers: { 'accept-encoding': encoding } });
        assert.equal(res.headers.get('content-encoding'), encoding, `${p}: content-encoding`);
        assert.match(res.headers.get('vary') ?? '', /accept-encoding/i, `${p}: Vary: Accept-Encoding`);
        // fetch decodes the body: it must still be the page.
        assert.match(await res.text(), /<html lang="/, `${p}: decoded body`);
      }
    });
  }

  it('a browser-like Accept-Encoding gets a compressed page', T, async () => {
    const res = await fetch(url(PAGE), { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    assert.match(res.headers.get('content-encoding') ?? '', /^(br|gzip|zstd)$/);
  });

  it('nothing is compressed for a client that does not ask', T, async () => {
    const res = await fetch(url(PAGE), { headers: { 'accept-encoding': 'identity' } });
    assert.equal(res.headers.get('content-encoding'), null);
  });

  it('API answers and the stylesheet are compressed too', T, async () => {
    const css = assetPaths.find((p) => p.endsWith('.css'));
    for (const p of [API, '/api/v1/openapi.json', css]) {
      const res = await fetch(url(p), { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(res.headers.get('content-encoding'), 'gzip', `${p}: content-encoding`);
    }
  });
});
