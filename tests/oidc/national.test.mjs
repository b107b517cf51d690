// Sign-in with SPID and CIE through their OpenID Connect profiles, end to end over HTTP: the
// test OpenID provider (provider.mjs, panva's certified oidc-provider) is started with
// --profile spid, which requires signed request objects, private_key_jwt and PKCE, releases
// the attributes only in a signed UserInfo and can forge an ID token on demand; AGIO is started
// with AGIO_OIDC_PROFILE=spid and a key this test makes. Needs AGIO_BIN (scripts/test sets it).
//
// A browser is not needed: the provider's pages are plain forms. Each browser is a cookie jar.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const HERE = new URL('.', import.meta.url).pathname;
const FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';
const DEMO_PASSWORD = 'demo-agio-2026';
const T = { timeout: 60_000 };

function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** A browser: cookies per host (paths ignored), redirects followed by hand. */
function newBrowser() {
  const jars = new Map();
  const jarOf = (url) => {
    const { host } = new URL(url);
    if (!jars.has(host)) jars.set(host, new Map());
    return jars.get(host);
  };
  return {
    cookie(url, name) {
      return jarOf(url).get(name);
    },
    /** Forgets the cookies of `url`'s host (another person at the provider, same browser). */
    forget(url) {
      jarOf(url).clear();
    },
    async request(url, init = {}) {
      const jar = jarOf(url);
      const headers = { ...init.headers };
      if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(url, { ...init, headers, redirect: 'manual' });
      for (const set of res.headers.getSetCookie()) {
        const [pair, ...attributes] = set.split(';');
        const name = pair.slice(0, pair.indexOf('=')).trim();
        const value = pair.slice(pair.indexOf('=') + 1).trim();
        const gone = value === '' || attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
        if (gone) jar.delete(name); else jar.set(name, value);
      }
      return res;
    },
    /** Follows redirects from `url` until a page, or until `stop(location)` says to. */
    async follow(url, init = {}, stop = () => false) {
      let res = await this.request(url, init);
      while ([301, 302, 303].includes(res.status)) {
        const next = new URL(res.headers.get('location'), url).href;
        if (stop(next)) return { res, url: next, stopped: true };
        url = next;
        res = await this.request(url);
      }
      return { res, url, body: await res.text() };
    },
  };
}

/** The value of the hidden CSRF field of a page. */
const csrfOf = (html) => /name="csrf" value="([^"]+)"/.exec(html)?.[1];

function decodeJwt(jwt) {
  const [header, payload] = jwt.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  return { header, payload };
}

let work;
let agioUrl;
let issuer;
let publicJwk;
const children = [];

/** What AGIO logged: why each refused sign-in failed. */
const agioLog = [];

/** A child process, killed after the tests; resolves once `ready` matches a line of it. */
function start(command, args, env, ready, output = []) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        const match = ready.exec(line);
        if (match) resolve(match);
      });
    }
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}):\n${output.join('\n')}`)));
  });
}

async function waitReady(url) {
  for (let i = 0; i < 600; i += 1) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} never became ready`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'agio-national-'));
  // The relying party's key: PKCS#8, as `openssl genpkey` writes it. Its public half is
  // registered at the provider under its RFC 7638 thumbprint, the key id AGIO gives it.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(work, 'rp-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const { n, e } = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
  publicJwk = { kty: 'RSA', use: 'sig', alg: 'RS256', kid, n, e };
  writeFileSync(join(work, 'rp-jwks.json'), JSON.stringify({ keys: [publicJwk] }));

  const port = await freePort();
  agioUrl = `http://127.0.0.1:${port}`;
  [, issuer] = await start(process.execPath, [join(HERE, 'provider.mjs'), '--port', '0', '--profile', 'spid',
    '--client-id', 'agio', '--client-jwks', join(work, 'rp-jwks.json'),
    '--redirect-uri', `${agioUrl}/accedi/oidc/callback`], {}, /^oidc-provider listening on (\S+)$/);
  const agio = process.env.AGIO_BIN;
  assert.ok(agio, 'AGIO_BIN names the agio binary');
  start(agio, ['serve', '--demo', '--listen', `127.0.0.1:${port}`], {
    AGIO_DATABASE_URL: `sqlite://${join(work, 'agio.sqlite')}`,
    AGIO_LOG: 'warn',
    AGIO_OIDC_ISSUER: issuer,
    AGIO_OIDC_CLIENT_ID: 'agio',
    AGIO_OIDC_PROFILE: 'spid',
    AGIO_OIDC_KEY_FILE: join(work, 'rp-key.pem'),
  }, /$^/, agioLog).catch(() => {});
  await waitReady(agioUrl);
});

after(() => {
  for (const child of children) child.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

/**
 * Signs in with SPID as the provider's user `user`, from `start` (a path on AGIO) in `browser`.
 * Stops at AGIO's callback when `stopAtCallback`: returns its address, not opened.
 */
async function spidSignIn(browser, user, { start = '/accedi/oidc', stopAtCallback = false } = {}) {
  const atCallback = (location) => location.startsWith(`${agioUrl}/accedi/oidc/callback`);
  const stop = stopAtCallback ? atCallback : () => false;
  let step = await browser.follow(`${agioUrl}${start}`, {}, stop);
  assert.match(step.url, /\/interaction\//, `the provider asks who signs in: ${step.url} ${step.body}`);
  step = await browser.follow(`${step.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user }).toString(),
  }, stop);
  return step;
}

const signedIn = (browser) => browser.cookie(agioUrl, 'agio_session') !== undefined;

async function passwordSignIn(browser, email, password = DEMO_PASSWORD) {
  const page = await browser.follow(`${agioUrl}/accedi`);
  return browser.follow(`${agioUrl}/accedi`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: csrfOf(page.body), email, password }).toString(),
  });
}

async function postForm(browser, path, fields) {
  const page = await browser.follow(`${agioUrl}/area-personale`);
  return browser.follow(`${agioUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: csrfOf(page.body), ...fields }).toString(),
  });
}

describe('SPID and CIE through their OpenID Connect profiles', () => {
  it('publishes the relying party key for its registration', T, async () => {
    const res = await fetch(`${agioUrl}/accedi/oidc/jwks.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/jwk-set+json');
    assert.deepEqual(await res.json(), { keys: [publicJwk] });
  });

  it('asks with a signed request object: PKCE, state, nonce, level 2 and the attributes', T, async () => {
    const res = await fetch(`${agioUrl}/accedi/oidc`, { redirect: 'manual' });
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location'));
    assert.equal(location.origin, issuer);
    const object = location.searchParams.get('request');
    assert.ok(object, 'a request object');
    const { header, payload } = decodeJwt(object);
    assert.deepEqual([header.alg, header.kid], ['RS256', publicJwk.kid]);
    const [input, signature] = [object.split('.').slice(0, 2).join('.'), object.split('.')[2]];
    const key = createPublicKey({ key: publicJwk, format: 'jwk' });
    assert.ok(verify('sha256', Buffer.from(input), key, Buffer.from(signature, 'base64url')), 'signed with the published key');
    assert.equal(payload.iss, 'agio');
    assert.equal(payload.aud, issuer);
    assert.ok(payload.exp > payload.iat && payload.jti, 'expires, and is never the same twice');
    assert.equal(payload.state, location.searchParams.get('state'));
    assert.equal(payload.code_challenge_method, 'S256');
    assert.match(payload.code_challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(payload.nonce);
    assert.equal(payload.acr_values, 'https://www.spid.gov.it/SpidL2');
    assert.equal(payload.prompt, 'consent login');
    assert.deepEqual(payload.claims.userinfo[FISCAL_NUMBER], { essential: true });
    assert.equal(payload.scope, 'openid', 'attributes are asked for one by one, not by scope');
  });

  it('the provider refuses an authorization request that is not signed (as SPID and CIE do)', T, async () => {
    const plain = new URL(`${issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'agio', response_type: 'code', scope: 'openid', state: 'x'.repeat(32), nonce: 'y'.repeat(32),
      redirect_uri: `${agioUrl}/accedi/oidc/callback`, code_challenge: 'z'.repeat(43), code_challenge_method: 'S256',
    })) plain.searchParams.set(k, v);
    const res = await fetch(plain, { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '', issuer);
    assert.equal(location.searchParams.get('error'), 'invalid_request', `refused: ${res.status} ${location}`);
    assert.equal(location.searchParams.get('error_description'), 'Request Object must be used by this client');
  });

  it('signs in by fiscal number: a new citizen account, the same one the next time', T, async () => {
    const browser = newBrowser();
    const first = await spidSignIn(browser, 'mario');
    assert.equal(new URL(first.url).pathname, '/area-personale', first.body);
    for (const expected of ['Mario Rossi', 'mario.rossi@example.it', 'Cittadino', 'Codice fiscale (SPID / CIE)', 'RSSMRA80A01H501U']) {
      assert.ok(first.body.includes(expected), `the personal area shows ${expected}`);
    }
    assert.ok(!first.body.includes('spid-TINIT'), "the provider's own subject is not the identity");
    // Another session, another day: the same account (one identity, one account).
    const again = newBrowser();
    const second = await spidSignIn(again, 'mario');
    assert.equal(new URL(second.url).pathname, '/area-personale');
    assert.equal(second.body.match(/RSSMRA80A01H501U/g)?.length, 1);
  });

  for (const [fault, what, logged] of [
    ['signature', 'an ID token with a wrong signature', /[Ss]ignature verification failed/],
    ['expired', 'an expired ID token', /ID token expired/],
    ['audience', 'an ID token issued to another client', /[Ii]nvalid audiences/],
  ]) {
    it(`refuses ${what}`, T, async () => {
      const logFrom = agioLog.length;
      const asked = await fetch(`${issuer}/test/next-id-token?fault=${fault}`, { method: 'POST' });
      assert.equal(asked.status, 204);
      const browser = newBrowser();
      const back = await spidSignIn(browser, 'mario');
      assert.equal(back.res.status, 400, `${fault}: ${back.url}`);
      assert.ok(back.body.includes('non è andato a buon fine'), back.body);
      assert.ok(!signedIn(browser), 'nobody is signed in');
      const why = agioLog.slice(logFrom).join('\n');
      assert.match(why, logged, `refused for the fault made: ${why}`);
    });
  }

  it('refuses a replayed state: a callback serves once', T, async () => {
    const browser = newBrowser();
    const stopped = await spidSignIn(browser, 'mario', { stopAtCallback: true });
    assert.ok(stopped.stopped && stopped.url.includes('state='), stopped.url);
    const first = await browser.follow(stopped.url);
    assert.equal(new URL(first.url).pathname, '/area-personale');
    const thief = newBrowser();
    // The same browser, and another one holding its cookie: both refused the second time.
    const replayed = await browser.follow(stopped.url);
    assert.equal(replayed.res.status, 400);
    assert.ok(replayed.body.includes('non è andato a buon fine'));
    const elsewhere = await thief.follow(stopped.url);
    assert.equal(elsewhere.res.status, 400);
    assert.ok(!signedIn(thief));
  });

  it('refuses an identity authenticated below SPID level 2', T, async () => {
    const browser = newBrowser();
    const logFrom = agioLog.length;
    const back = await spidSignIn(browser, 'luca');
    assert.equal(back.res.status, 400);
    assert.ok(!signedIn(browser));
    assert.match(agioLog.slice(logFrom).join('\n'), /SpidL1.*below SPID level 2/);
  });

  it('keeps the fiscal number inside AGIO: not in the API, the audit log or the people pages', T, async () => {
    const mario = newBrowser();
    await spidSignIn(mario, 'mario');
    const created = await postForm(mario, '/area-personale/token', { name: 'prova', scope: 'read', lifetime: '30' });
    const token = /agio_[A-Za-z0-9]+/.exec(created.body)?.[0];
    assert.ok(token, 'a personal access token');
    const me = await fetch(`${agioUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(me.status, 200);
    const meText = await me.text();
    assert.ok(meText.includes('mario.rossi@example.it'), meText);
    assert.ok(!meText.includes('RSSMRA80A01H501U'), 'not in the API');
    const admin = newBrowser();
    await passwordSignIn(admin, 'regione@demo.agio.example');
    for (const path of ['/amministrazione/persone', '/amministrazione/persone?q=mario', '/amministrazione/registro']) {
      const page = await admin.follow(`${agioUrl}${path}`);
      assert.equal(page.res.status, 200, path);
      assert.ok(!page.body.includes('RSSMRA80A01H501U'), `not on ${path}`);
    }
    const audit = await admin.follow(`${agioUrl}/amministrazione/registro`);
    assert.ok(audit.body.includes('mario.rossi@example.it'), 'the audit log names the new account');
  });

  it('once linked, password sign-in can be turned off, and back on', T, async () => {
    const browser = newBrowser();
    const signed = await passwordSignIn(browser, 'cittadino@demo.agio.example');
    assert.equal(new URL(signed.url).pathname, '/area-personale');
    assert.ok(!signed.body.includes('Disattiva l&#39;accesso con password') && !signed.body.includes("Disattiva l'accesso con password"),
      'nothing to turn off without a digital identity');
    const refused = await postForm(browser, '/area-personale/accesso-password', { turn: 'off' });
    assert.equal(refused.res.status, 409, 'not without an identity to sign in with');
    // Link Carla's SPID identity: it is hers.
    const back = await spidSignIn(browser, 'carla', { start: '/accedi/oidc?next=%2Farea-personale' });
    assert.ok(back.body.includes('CTTCRL70A41H223X'), back.body);
    const confirmed = await browser.follow(`${agioUrl}/accedi/oidc/collega`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: csrfOf(back.body) }).toString(),
    });
    assert.ok(confirmed.body.includes('CTTCRL70A41H223X'), 'the fiscal number is listed');
    // Someone who signed in with the password earlier (the password was stolen, say), and made
    // an access token.
    const earlier = newBrowser();
    await passwordSignIn(earlier, 'cittadino@demo.agio.example');
    assert.ok(signedIn(earlier));
    const made = await postForm(earlier, '/area-personale/token', { name: 'ladro', scope: 'read', lifetime: '30' });
    const stolenToken = /agio_[A-Za-z0-9]+/.exec(made.body)?.[0];
    const me = () => fetch(`${agioUrl}/api/v1/me`, { headers: { authorization: `Bearer ${stolenToken}` } });
    assert.equal((await me()).status, 200);
    const off = await postForm(browser, '/area-personale/accesso-password', { turn: 'off' });
    assert.equal(new URL(off.url).pathname, '/area-personale');
    assert.ok(off.body.includes("accesso con email e password è disattivato"), off.body);
    const thrownOut = await earlier.follow(`${agioUrl}/area-personale`);
    assert.equal(new URL(thrownOut.url).pathname, '/accedi', 'the earlier password session has ended');
    assert.equal((await me()).status, 401, 'the access tokens are revoked');
    // A session started with the password cannot turn it back on.
    assert.ok(off.body.includes('Per riattivarlo, entra con la tua identità digitale'), off.body);
    const notHere = await postForm(browser, '/area-personale/accesso-password', { turn: 'on' });
    assert.equal(notHere.res.status, 403);

    const other = newBrowser();
    const byPassword = await passwordSignIn(other, 'cittadino@demo.agio.example');
    assert.equal(byPassword.res.status, 403);
    assert.ok(byPassword.body.includes('entra con la tua identità digitale'), byPassword.body);
    assert.ok(!signedIn(other), 'the right password no longer signs in');
    const wrong = await passwordSignIn(newBrowser(), 'cittadino@demo.agio.example', 'not-the-password');
    assert.equal(wrong.res.status, 401, 'a wrong password is told nothing more');
    const bySpid = await spidSignIn(other, 'carla');
    assert.equal(new URL(bySpid.url).pathname, '/area-personale');
    assert.ok(bySpid.body.includes('cittadino@demo.agio.example'), 'SPID signs in to the linked account');
    // Someone else's SPID used in this browser is not linked as a second fiscal number.
    other.forget(issuer);
    const second = await spidSignIn(other, 'giulia', { start: '/accedi/oidc?next=%2Farea-personale' });
    assert.equal(second.res.status, 400, `${second.url} ${second.body.slice(0, 3000)}`);
    assert.ok(second.body.includes('già collegato un codice fiscale'), second.body);

    // The password session proves itself with SPID: a new session, which may turn it back on.
    const proven = await spidSignIn(browser, 'carla', { start: '/accedi/oidc?next=%2Farea-personale' });
    assert.equal(new URL(proven.url).pathname, '/area-personale');
    assert.ok(proven.body.includes("Riattiva l&#39;accesso con password") || proven.body.includes("Riattiva l'accesso con password"), proven.body);
    const on = await postForm(browser, '/area-personale/accesso-password', { turn: 'on' });
    assert.equal(new URL(on.url).pathname, '/area-personale');
    const again = await passwordSignIn(newBrowser(), 'cittadino@demo.agio.example');
    assert.equal(new URL(again.url).pathname, '/area-personale', 'the password signs in again');
  });
});
