#!/usr/bin/env node
// Smoke test of tests/oidc/provider.mjs: plays an OpenID Connect relying party with plain
// HTTP (fetch, no browser, no JavaScript on the pages) through the whole authorization code
// flow with PKCE S256, and checks what the Rust side will rely on.
//
//   node tests/oidc/smoke.mjs                 # starts provider.mjs itself on a free port
//   node tests/oidc/smoke.mjs --issuer http://127.0.0.1:N --client-id agio \
//        --client-secret S --redirect-uri http://127.0.0.1:PORT/accedi/oidc/callback
//                                             # against a provider already running
// Exit status 0 when every check passes; the last line is "smoke: N passed, M failed".
//
// The flow, as a test of AGIO must drive it (the app does steps 1, 5, 6; the test does 2-4):
//   1. GET {issuer}/auth?response_type=code&client_id&redirect_uri&scope=openid email profile
//        &state&nonce&code_challenge=B64URL(SHA256(verifier))&code_challenge_method=S256
//      -> 303 Location: /interaction/UID           (sets _interaction, _interaction_resume)
//   2. GET /interaction/UID -> 200 HTML login form (or 303 straight on, given login_hint)
//   3. POST /interaction/UID/login  user=mario     (application/x-www-form-urlencoded)
//      -> 303 /auth/UID -> 303 /interaction/UID2 (consent, auto-approved) -> 303 /auth/UID2
//   4. -> 303 Location: {redirect_uri}?code=…&state=…&iss=…   (captured, not followed)
//   5. POST {issuer}/token  Authorization: Basic b64(urlenc(id):urlenc(secret))
//        grant_type=authorization_code&code&redirect_uri&code_verifier
//   6. verify the RS256 ID token against {issuer}/jwks: iss, aud, exp, nonce; read the claims.
import { spawn } from 'node:child_process';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    issuer: { type: 'string' },
    'client-id': { type: 'string', default: 'agio' },
    'client-secret': { type: 'string', default: 'smoke-secret' },
    'redirect-uri': { type: 'string', default: 'http://127.0.0.1:9/accedi/oidc/callback' },
  },
});
const clientId = opts['client-id'];
const clientSecret = opts['client-secret'];
const redirectUri = opts['redirect-uri'];

let passed = 0;
let failed = 0;
function check(cond, what, extra) {
  if (cond) {
    passed += 1;
    console.log(`ok - ${what}`);
  } else {
    failed += 1;
    console.log(`not ok - ${what}${extra === undefined ? '' : ` (${typeof extra === 'string' ? extra : JSON.stringify(extra)})`}`);
  }
}

// ---- provider: the given one, or our own child process --------------------------------------
const here = dirname(fileURLToPath(import.meta.url));
async function startProvider(extraArgs = []) {
  const proc = spawn(process.execPath, [join(here, 'provider.mjs'), '--port', '0',
    '--client-id', clientId, '--client-secret', clientSecret, '--redirect-uri', redirectUri, ...extraArgs],
  { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout });
  const timer = setTimeout(() => { console.error('provider did not start in 15 s'); proc.kill(); process.exit(1); }, 15000);
  let url;
  for await (const line of lines) {
    const m = /^oidc-provider listening on (http:\/\/\S+)$/.exec(line);
    if (m) { url = m[1]; break; }
  }
  clearTimeout(timer);
  if (!url) { console.error('provider exited before listening'); process.exit(1); }
  return { proc, url };
}
async function stopProvider(proc) {
  if (proc.exitCode !== null) return;
  const exited = once(proc, 'exit');
  proc.kill('SIGTERM');
  await exited;
}

let child;
let issuer = opts.issuer;
if (!issuer) ({ proc: child, url: issuer } = await startProvider());

// ---- tiny HTTP client with a cookie jar (ignores Path: good enough for one host) ------------
function newJar() {
  const jar = new Map();
  return {
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
    store(res) {
      for (const sc of res.headers.getSetCookie()) {
        const [pair, ...attrs] = sc.split(';');
        const i = pair.indexOf('=');
        const name = pair.slice(0, i).trim();
        const value = pair.slice(i + 1).trim();
        const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]) < Date.now());
        if (expired || value === '') jar.delete(name); else jar.set(name, value);
      }
    },
  };
}
async function request(jar, url, init = {}) {
  const headers = { ...init.headers };
  const cookie = jar.header();
  if (cookie) headers.cookie = cookie;
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(res);
  return res;
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');
const fromB64url = (s) => Buffer.from(s, 'base64url');

// Drives one authorization: returns { location, pages } where location is the final redirect
// to redirect_uri (never fetched). chooseUser: key posted in the login form (null = use hint).
async function authorize(params, chooseUser) {
  const jar = newJar();
  let url = `${issuer}/auth?${new URLSearchParams(params)}`;
  let res = await request(jar, url);
  const pages = [];
  for (let hop = 0; hop < 12; hop += 1) {
    if (res.status >= 300 && res.status < 400) {
      const location = new URL(res.headers.get('location'), url).href;
      if (location.startsWith(redirectUri)) return { location, pages };
      url = location;
      res = await request(jar, url);
      continue;
    }
    const body = await res.text();
    pages.push({ status: res.status, url, body });
    if (res.status !== 200) return { location: null, pages };
    // the login page: find the login form and post the chosen user
    const action = /<form method="post" action="([^"]+\/login)"/.exec(body)?.[1];
    if (!action) return { location: null, pages };
    url = new URL(action, url).href;
    res = await request(jar, url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ user: chooseUser }).toString(),
    });
  }
  return { location: null, pages };
}

function pkce() {
  const verifier = b64url(randomBytes(32)); // 43 chars, as openidconnect's new_random_sha256()
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

async function tokenRequest(form, { secret = clientSecret, method = 'basic' } = {}) {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const body = new URLSearchParams(form);
  if (method === 'basic') {
    // RFC 6749 §2.3.1: form-urlencode id and secret before base64 (what openidconnect does)
    const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
  } else {
    body.set('client_id', clientId);
    body.set('client_secret', secret);
  }
  const res = await fetch(discovery.token_endpoint, { method: 'POST', headers, body: body.toString() });
  return { status: res.status, json: await res.json() };
}

async function verifyIdToken(jwt) {
  const [h, p, s] = jwt.split('.');
  const header = JSON.parse(fromB64url(h));
  const payload = JSON.parse(fromB64url(p));
  const jwks = await (await fetch(discovery.jwks_uri)).json();
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  const ok = header.alg === 'RS256' && jwk
    && verify('RSA-SHA256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), fromB64url(s));
  return { header, payload, signatureOk: Boolean(ok) };
}

let discovery;
try {
  // ---- discovery ------------------------------------------------------------------------------
  const dres = await fetch(`${issuer}/.well-known/openid-configuration`);
  discovery = await dres.json();
  check(dres.status === 200 && discovery.issuer === issuer, 'discovery document served, issuer matches', discovery.issuer);
  check(JSON.stringify(discovery.code_challenge_methods_supported) === '["S256"]', 'PKCE S256 advertised');
  check(['openid', 'email', 'profile'].every((s) => discovery.scopes_supported.includes(s)), 'scopes openid email profile');
  check(discovery.token_endpoint_auth_methods_supported.includes('client_secret_basic'), 'client_secret_basic supported');

  const base = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid email profile',
  };

  // ---- full flows: mario through the HTML form, giulia through login_hint --------------------
  for (const [user, hint, expected] of [
    ['mario', undefined, { sub: 'spid-TINIT-RSSMRA80A01H501U', email: 'mario.rossi@example.it', email_verified: true, name: 'Mario Rossi' }],
    [null, 'giulia', { sub: 'spid-TINIT-BNCGLI85M41F205X', email: 'giulia.bianchi@example.it', email_verified: false, name: 'Giulia Bianchi' }],
  ]) {
    const who = user ?? `login_hint=${hint}`;
    const { verifier, challenge } = pkce();
    const state = b64url(randomBytes(16));
    const nonce = b64url(randomBytes(16));
    const params = { ...base, state, nonce, code_challenge: challenge, code_challenge_method: 'S256' };
    if (hint) params.login_hint = hint;
    const { location, pages } = await authorize(params, user);
    if (user) check(pages.length === 1 && /name="user" value="mario"/.test(pages[0].body), `[${who}] login form shown once, no JavaScript needed`);
    else check(pages.length === 0, `[${who}] no form shown with a known login_hint`);
    check(location, `[${who}] redirected back to redirect_uri`, pages.at(-1)?.body?.slice(0, 300));
    if (!location) continue;
    const cb = new URL(location).searchParams;
    check(cb.get('state') === state, `[${who}] state returned unchanged`);
    check(cb.get('iss') === issuer, `[${who}] iss in the authorization response (RFC 9207)`);
    const code = cb.get('code');
    check(code, `[${who}] code present`);

    const tok = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    check(tok.status === 200 && tok.json.id_token && tok.json.access_token, `[${who}] token endpoint answers with id_token + access_token (client_secret_basic)`, tok.json);
    if (!tok.json.id_token) continue;
    const { header, payload, signatureOk } = await verifyIdToken(tok.json.id_token);
    check(signatureOk, `[${who}] ID token RS256 signature verifies with JWKS kid ${header.kid}`);
    const now = Math.floor(Date.now() / 1000);
    check(payload.iss === issuer && payload.aud === clientId && payload.exp > now && payload.iat <= now + 5, `[${who}] iss/aud/exp/iat`, payload);
    check(payload.nonce === nonce, `[${who}] nonce echoed in the ID token`);
    // no at_hash: optional for the code flow, and oidc-provider leaves it out at /token
    for (const [k, v] of Object.entries(expected)) check(payload[k] === v, `[${who}] ID token claim ${k} = ${JSON.stringify(v)}`, payload[k]);
    console.log(`# [${who}] ID token claims: ${JSON.stringify(payload)}`);

    const ui = await fetch(discovery.userinfo_endpoint, { headers: { authorization: `Bearer ${tok.json.access_token}` } });
    const uiJson = await ui.json();
    check(ui.status === 200 && uiJson.sub === expected.sub && uiJson.email === expected.email, `[${who}] userinfo agrees`, uiJson);

    const replay = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier });
    check(replay.status === 400 && replay.json.error === 'invalid_grant', `[${who}] code cannot be used twice`, replay.json);
  }

  // ---- the negative cases that prove the configuration ----------------------------------------
  {
    const { location, pages } = await authorize({ ...base, state: 'x', nonce: 'n' }, 'mario');
    const err = location && new URL(location).searchParams;
    check(err && err.get('error') === 'invalid_request' && /PKCE/.test(err.get('error_description')),
      'authorization without PKCE is refused (pkce.required)', location ?? pages.at(-1)?.body?.slice(0, 200));
  }
  {
    const { location } = await authorize({ ...base, redirect_uri: `${redirectUri}x`, state: 'x', nonce: 'n', code_challenge: pkce().challenge, code_challenge_method: 'S256' }, 'mario');
    check(location === null, 'unregistered redirect_uri is refused (no redirect)');
  }
  {
    const { verifier, challenge } = pkce();
    const { location } = await authorize({ ...base, state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' }, 'mario');
    const code = new URL(location).searchParams.get('code');
    const bad = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: `${verifier}x` });
    check(bad.status === 400 && bad.json.error === 'invalid_grant', 'wrong code_verifier is refused', bad.json);
  }
  {
    const { challenge } = pkce();
    const { location } = await authorize({ ...base, state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' }, 'mario');
    const code = new URL(location).searchParams.get('code');
    const bad = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: 'x'.repeat(43) }, { secret: 'wrong' });
    check(bad.status === 401 && bad.json.error === 'invalid_client', 'wrong client secret is refused', bad.json);
  }
  {
    const jar = newJar();
    const { challenge } = pkce();
    const res = await request(jar, `${issuer}/auth?${new URLSearchParams({ ...base, state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256' })}`);
    const abort = new URL(res.headers.get('location'), issuer).href.replace(/$/, '/abort');
    let r = await request(jar, abort, { method: 'POST' });
    while (r.status >= 300 && r.status < 400 && !r.headers.get('location').startsWith(redirectUri)) {
      r = await request(jar, new URL(r.headers.get('location'), issuer).href);
    }
    const loc = r.headers.get('location');
    check(loc && new URL(loc).searchParams.get('error') === 'access_denied', '"Annulla" ends with error=access_denied', loc);
  }
  // ---- --loopback-any-port: the registered redirect URI on another port is accepted ------------
  if (child) {
    const other = redirectUri.replace(/^(http:\/\/(?:127\.0\.0\.1|localhost|\[::1\]))(:\d+)?/, '$1:54321');
    const second = await startProvider(['--loopback-any-port']);
    try {
      const res = await fetch(`${second.url}/auth?${new URLSearchParams({ ...base, redirect_uri: other, state: 's', nonce: 'n', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`, { redirect: 'manual' });
      check(res.status === 303 && res.headers.get('location').startsWith('/interaction/'), `--loopback-any-port accepts ${other}`, res.status);
      const strict = await fetch(`${issuer}/auth?${new URLSearchParams({ ...base, redirect_uri: other, state: 's', nonce: 'n', code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`, { redirect: 'manual' });
      check(strict.status === 400, 'without it, another port is refused (exact match)', strict.status);
    } finally {
      await stopProvider(second.proc);
    }
  }
} catch (err) {
  failed += 1;
  console.log(`not ok - unexpected error: ${err.stack}`);
} finally {
  if (child) await stopProvider(child);
}

console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
