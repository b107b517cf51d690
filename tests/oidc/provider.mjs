#!/usr/bin/env node
// Test-only OpenID Connect provider for AGIO's "Sign in with OIDC" end-to-end tests.
//
// Built on the certified `oidc-provider` (panva), pinned in ./package.json. NEVER use in
// production: in-memory storage, throw-away keys, fixed users, automatic consent.
//
// Install (once; needs the npm registry or its cache; package-lock.json pins everything):
//   npm ci --prefix tests/oidc --no-audit --no-fund
// Check it works end to end (starts its own provider):  node tests/oidc/smoke.mjs
// Start (from the repository root):
//   node tests/oidc/provider.mjs --port 0 --client-id agio --client-secret s3cret \
//     --redirect-uri http://127.0.0.1:8080/accedi/oidc/callback
//   -> prints exactly one line to stdout when ready:
//      oidc-provider listening on http://127.0.0.1:PORT
//   (--port 0 picks a free port; read the issuer back from that line.) Everything else
//   (oidc-provider's own warnings, request log with --verbose) goes to stderr.
//
// Options (each also readable from an environment variable; the flag wins):
//   --port N                  OIDC_PORT            default 0 (= any free port)
//   --host H                  OIDC_HOST            default 127.0.0.1 (issuer is http://H:PORT)
//   --client-id ID            OIDC_CLIENT_ID       default agio
//   --client-secret S         OIDC_CLIENT_SECRET   default agio-test-secret
//                             (id and secret: printable ASCII only, else refused at start)
//   --redirect-uri URI        OIDC_REDIRECT_URI    repeatable / comma separated; REQUIRED,
//                                                  compared by exact string match
//   --post-logout-redirect-uri URI  OIDC_POST_LOGOUT_REDIRECT_URI  optional, repeatable
//   --token-auth-method M     OIDC_TOKEN_AUTH_METHOD  client_secret_basic (default, what the
//                             Rust `openidconnect` crate sends by default) or client_secret_post
//   --loopback-any-port       OIDC_LOOPBACK_ANY_PORT=1  accept the registered http://127.0.0.1 /
//                             localhost redirect URIs on ANY port (registers the client as
//                             application_type "native", RFC 8252 §7.3): lets a test start the
//                             provider before it knows the port the app under test will get
//   --users FILE              OIDC_USERS_FILE      JSON array replacing the built-in users
//                             (objects with at least "key" and "sub"; other fields = claims)
//   --verbose                 OIDC_VERBOSE=1       log each request to stderr
//   --profile P               OIDC_PROFILE         oidc (default) or spid / cie: the OpenID
//                             Connect profiles of SPID and CIE, as their technical rules ask of
//                             a relying party: signed request objects required (RS256),
//                             private_key_jwt client authentication (--client-jwks), PKCE,
//                             acr_values (SpidL1..L3, the user's level in the ID token), the
//                             attributes asked with the `claims` parameter and released in a
//                             signed UserInfo JWT only (fiscal number, given and family name,
//                             email); the ID token carries no personal attribute.
//   --client-jwks FILE        OIDC_CLIENT_JWKS     the relying party's public key set (JSON),
//                             required by --profile spid|cie
//
// Faults on demand, for the relying party's refusals: POST /test/next-id-token?fault=F makes
// the next token answer carry an ID token that is, for F = signature, signed with another key
// (same kid); expired, expired an hour ago; audience, issued to another client. The provider's
// own key signs the last two, so only the named claim is wrong. 204, or 400 for another F.
//
// What it implements:
//   * issuer http://127.0.0.1:PORT, discovery at /.well-known/openid-configuration, RS256 ID
//     tokens signed by an RSA key generated at start (so JWKS changes per run);
//     POST /test/rotate-keys (204) replaces it with a new key, with a new `kid`, as a key
//     rotation does (sessions and interactions under way are forgotten);
//   * one confidential client, response_type=code only, grant authorization_code only,
//     PKCE S256 REQUIRED for every authorization request; scopes openid email profile;
//   * ID tokens carry the scope's claims (sub, email, email_verified, name, given_name,
//     family_name), not only `sub` (conformIdTokenClaims: false). /me (userinfo) works too.
//   * login without JavaScript, at GET /interaction/:uid — a plain HTML form:
//       <form method="post" action="/interaction/:uid/login"> radio name="user" value=KEY
//     POST user=KEY (KEY, sub or email of a user) to log in; consent is granted automatically
//     (no second form). GET|POST /interaction/:uid/abort ends with error=access_denied.
//     If the authorization request carries login_hint=KEY|sub|email of a known user, the
//     login happens without any form (303 straight on).
//   A test client needs a cookie jar: the provider sets `_interaction` (Path=/interaction/UID),
//   `_interaction_resume` (Path=/auth/UID) and `_session` (Path=/). Sending every cookie of the
//   host on every request (ignoring Path) works too, as tests/oidc/smoke.mjs does.
//   Once logged in, the `_session` cookie makes the next authorization skip the form (same
//   user): use a fresh cookie jar, or prompt=login, to log in as the other user.
//
// Built-in users (key: sub, email, email_verified, name):
//   mario:  spid-TINIT-RSSMRA80A01H501U  mario.rossi@example.it      true   Mario Rossi
//   giulia: spid-TINIT-BNCGLI85M41F205X  giulia.bianchi@example.it   false  Giulia Bianchi
//   carla:  spid-TINIT-CTTCRL70A41H223X  cittadino@demo.agio.example true   Carla Cittadini
//           (a verified email that already has an AGIO account: it must not take it over)
//   luca:   spid-TINIT-VRDLCU75C12A944K  luca.verdi@example.it       true   Luca Verdi
//           (authenticates at SPID level 1 only, below what the profiles ask)
// Each has a fiscal number (https://attributes.eid.gov.it/fiscal_number, TINIT-…), released
// only with --profile spid|cie.
//
// Why these settings (see the README notes in smoke.mjs' header for the flow):
//   * Plain http on 127.0.0.1 is fine: the provider only marks cookies `Secure` when the request
//     itself is https (ctx.secure), and web clients may register http redirect URIs for the
//     code flow (http/localhost is refused only for implicit-flow web clients). No `proxy`
//     setting: there is no TLS-terminating proxy in front (set provider.proxy = true only then).
//   * devInteractions (the built-in dev login pages) are disabled; our own routes (a Koa
//     middleware added with provider.use) use the supported interactionDetails() and
//     interactionResult() API (interactionFinished() = the same plus a raw 303).
//   * Node 20 works, but oidc-provider 9 prints "Unsupported runtime. Use Node.js v22.x LTS" on
//     stderr at import: harmless for tests.
import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    'token-auth-method': { type: 'string' },
    'loopback-any-port': { type: 'boolean' },
    users: { type: 'string' },
    verbose: { type: 'boolean' },
    profile: { type: 'string' },
    'client-jwks': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (opts.help) {
  console.log('usage: node tests/oidc/provider.mjs --port N --client-id ID --client-secret S --redirect-uri URI [--redirect-uri URI…] [--post-logout-redirect-uri URI] [--token-auth-method client_secret_basic|client_secret_post] [--loopback-any-port] [--users FILE] [--verbose]');
  process.exit(0);
}

const env = process.env;
const list = (flag, envValue) => (flag ?? (envValue ? [envValue] : []))
  .flatMap((v) => v.split(','))
  .map((v) => v.trim())
  .filter(Boolean);

const host = opts.host ?? env.OIDC_HOST ?? '127.0.0.1';
const port = Number(opts.port ?? env.OIDC_PORT ?? 0);
const clientId = opts['client-id'] ?? env.OIDC_CLIENT_ID ?? 'agio';
const clientSecret = opts['client-secret'] ?? env.OIDC_CLIENT_SECRET ?? 'agio-test-secret';
const redirectUris = list(opts['redirect-uri'], env.OIDC_REDIRECT_URI);
const postLogoutRedirectUris = list(opts['post-logout-redirect-uri'], env.OIDC_POST_LOGOUT_REDIRECT_URI);
const tokenAuthMethod = opts['token-auth-method'] ?? env.OIDC_TOKEN_AUTH_METHOD ?? 'client_secret_basic';
const loopbackAnyPort = opts['loopback-any-port'] ?? env.OIDC_LOOPBACK_ANY_PORT === '1';
const usersFile = opts.users ?? env.OIDC_USERS_FILE;
const verbose = opts.verbose ?? env.OIDC_VERBOSE === '1';
const profile = opts.profile ?? env.OIDC_PROFILE ?? 'oidc';
const national = profile === 'spid' || profile === 'cie';
const clientJwksFile = opts['client-jwks'] ?? env.OIDC_CLIENT_JWKS;

function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`bad --port ${port}`);
if (redirectUris.length === 0) fail('--redirect-uri (or OIDC_REDIRECT_URI) is required');
if (!['oidc', 'spid', 'cie'].includes(profile)) fail(`--profile must be oidc, spid or cie, not ${profile}`);
if (national && !clientJwksFile) fail(`--profile ${profile} needs --client-jwks FILE (the relying party's public keys)`);
if (!['client_secret_basic', 'client_secret_post'].includes(tokenAuthMethod)) {
  fail(`--token-auth-method must be client_secret_basic or client_secret_post, not ${tokenAuthMethod}`);
}

const FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';
const SPID_LEVELS = ['https://www.spid.gov.it/SpidL1', 'https://www.spid.gov.it/SpidL2', 'https://www.spid.gov.it/SpidL3'];
const USERS = usersFile ? JSON.parse(readFileSync(usersFile, 'utf8')) : [
  {
    key: 'mario',
    sub: 'spid-TINIT-RSSMRA80A01H501U',
    email: 'mario.rossi@example.it',
    email_verified: true,
    name: 'Mario Rossi',
    [FISCAL_NUMBER]: 'TINIT-RSSMRA80A01H501U',
    given_name: 'Mario',
    family_name: 'Rossi',
  },
  {
    key: 'giulia',
    sub: 'spid-TINIT-BNCGLI85M41F205X',
    email: 'giulia.bianchi@example.it',
    email_verified: false,
    name: 'Giulia Bianchi',
    [FISCAL_NUMBER]: 'TINIT-BNCGLI85M41F205X',
    given_name: 'Giulia',
    family_name: 'Bianchi',
  },
  {
    key: 'carla',
    sub: 'spid-TINIT-CTTCRL70A41H223X',
    email: 'cittadino@demo.agio.example',
    email_verified: true,
    name: 'Carla Cittadini',
    given_name: 'Carla',
    family_name: 'Cittadini',
    [FISCAL_NUMBER]: 'TINIT-CTTCRL70A41H223X',
  },
  {
    key: 'luca',
    sub: 'spid-TINIT-VRDLCU75C12A944K',
    email: 'luca.verdi@example.it',
    email_verified: true,
    name: 'Luca Verdi',
    given_name: 'Luca',
    family_name: 'Verdi',
    [FISCAL_NUMBER]: 'TINIT-VRDLCU75C12A944K',
    acr: 'https://www.spid.gov.it/SpidL1',
  },
];
if (!Array.isArray(USERS) || USERS.some((u) => !u || typeof u.key !== 'string' || typeof u.sub !== 'string')) {
  fail('users must be a JSON array of objects with string "key" and "sub"');
}
const findUser = (id) => (typeof id === 'string' && id !== ''
  ? USERS.find((u) => u.key === id || u.sub === id || u.email === id)
  : undefined);

// Listen first, so that --port 0 works: the issuer needs the real port.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, host, resolve);
});
const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;

// A new RSA signing key; POST /test/rotate-keys replaces the provider's with a new one (as a
// real provider rotates its keys), so that a relying party meets a `kid` it has not seen.
function newSigningKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' };
}
let signingKey;

// The fault asked for the next ID token (POST /test/next-id-token?fault=F), and how to make it.
let nextFault;
const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
function resign(jwt, changeClaims, key) {
  const [header, payload] = jwt.split('.');
  const claims = changeClaims(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  const input = `${header}.${b64url(claims)}`;
  const privateKey = createPrivateKey({ key, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}
const FAULTS = {
  signature: (jwt) => resign(jwt, (claims) => claims, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })),
  expired: (jwt) => resign(jwt, (claims) => ({ ...claims, iat: claims.iat - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), signingKey),
  audience: (jwt) => resign(jwt, (claims) => ({ ...claims, aud: 'another-client', azp: 'another-client' }), signingKey),
};

// SPID and CIE: the relying party signs its requests and authenticates with its key.
const nationalClient = national ? {
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'RS256',
  jwks: JSON.parse(readFileSync(clientJwksFile, 'utf8')),
  require_signed_request_object: true,
  request_object_signing_alg: 'RS256',
  userinfo_signed_response_alg: 'RS256',
} : {};

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    // web: redirect_uri must match exactly (http is fine for the code flow);
    // native: for http loopback redirect URIs the port is ignored.
    application_type: loopbackAnyPort ? 'native' : 'web',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: tokenAuthMethod,
    id_token_signed_response_alg: 'RS256',
    ...(national ? { client_secret: undefined } : {}),
    ...nationalClient,
  }],
  responseTypes: ['code'],
  // Only the two secret methods the AGIO client can use.
  clientAuthMethods: national ? ['private_key_jwt'] : ['client_secret_basic', 'client_secret_post'],
  pkce: { required: () => true }, // oidc-provider 9 only knows S256
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    // Released only when asked with the claims parameter (SPID and CIE).
    ...(national ? { [FISCAL_NUMBER]: null, acr: null } : {}),
  },
  scopes: ['openid', 'email', 'profile'],
  // Put the scope's claims in the ID token even when an access token for userinfo is issued
  // (default true: the ID token of the code flow would only carry `sub`).
  // SPID and CIE: the ID token carries no personal attribute, UserInfo does.
  conformIdTokenClaims: national,
  ...(national ? { acrValues: SPID_LEVELS } : {}),
  async findAccount(_ctx, sub) {
    const user = USERS.find((u) => u.sub === sub);
    if (!user) return undefined;
    return {
      accountId: user.sub,
      async claims() {
        const { key: _key, acr: _acr, ...claims } = user;
        return claims;
      },
    };
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
    ...(national ? {
      requestObjects: { enabled: true, requireSignedRequestObject: true },
      claimsParameter: { enabled: true },
      jwtUserinfo: { enabled: true },
    } : {}),
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: 600,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
};

// Each provider has its own signing key (and forgets the sessions of the one before).
function newProvider() {
  signingKey = newSigningKey();
  const created = new Provider(issuer, { ...configuration, jwks: { keys: [signingKey] } });
  created.use(faults);
  created.use(interactions);
  return created;
}

// Makes the token answer's ID token carry the fault asked for, once.
async function faults(ctx, next) {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && nextFault && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: FAULTS[nextFault](ctx.body.id_token) };
    nextFault = undefined;
  }
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, clientId, message) {
  const radios = USERS.map((u, i) => `
      <p><label><input type="radio" name="user" value="${escapeHtml(u.key)}"${i === 0 ? ' checked' : ''}>
        ${escapeHtml(u.name ?? u.key)} &lt;${escapeHtml(u.email ?? '')}&gt; (${escapeHtml(u.sub)})</label></p>`).join('');
  return `<!doctype html>
<html lang="it"><head><meta charset="utf-8"><title>Test OpenID provider — accedi</title></head>
<body>
  <h1>Test OpenID provider</h1>
  <p>Client: <code>${escapeHtml(clientId)}</code></p>
  ${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
  <form method="post" action="/interaction/${escapeHtml(uid)}/login" id="login">
    <fieldset><legend>Accedi come</legend>${radios}
    </fieldset>
    <button type="submit">Accedi</button>
  </form>
  <form method="post" action="/interaction/${escapeHtml(uid)}/abort" id="abort">
    <button type="submit">Annulla</button>
  </form>
</body></html>
`;
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Grants everything the authorization request asked for (what devInteractions' consent does).
async function grantConsent(details) {
  const { prompt: { details: missing }, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scope] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scope.join(' '));
    }
  }
  return grant.save();
}

// A login: with SPID and CIE, at the level the user authenticates at (level 2 unless said).
const loginOf = (user) => (national
  ? { accountId: user.sub, acr: user.acr ?? SPID_LEVELS[1] }
  : { accountId: user.sub });

const INTERACTION = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/;

async function interactions(ctx, next) {
  if (verbose) console.error(`${ctx.method} ${ctx.url}`);
  const m = INTERACTION.exec(ctx.path);
  if (!m) {
    await next();
    if (verbose && ctx.status >= 300 && ctx.status < 400) console.error(`  -> ${ctx.status} ${ctx.response.get('location')}`);
    return;
  }
  const [, uid, action] = m;
  ctx.set('cache-control', 'no-store');
  let details;
  try {
    details = await provider.interactionDetails(ctx.req, ctx.res);
  } catch (err) {
    ctx.status = 400;
    ctx.type = 'text';
    ctx.body = `interaction not found or expired: ${err.message}\n`;
    return;
  }
  if (details.uid !== uid) {
    ctx.status = 400;
    ctx.type = 'text';
    ctx.body = 'interaction cookie does not match the URL\n';
    return;
  }
  const finish = async (result, merge = true) => {
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
    ctx.status = 303;
    ctx.redirect(returnTo);
  };

  if (action === 'abort' && ['GET', 'POST'].includes(ctx.method)) {
    return finish({ error: 'access_denied', error_description: 'End-User aborted interaction' }, false);
  }
  if (!action && ctx.method === 'GET') {
    if (details.prompt.name === 'login') {
      const hinted = findUser(details.params.login_hint);
      if (hinted) return finish({ login: loginOf(hinted) }, false);
      ctx.type = 'html';
      ctx.body = loginPage(uid, details.params.client_id);
      return;
    }
    if (details.prompt.name === 'consent') {
      return finish({ consent: { grantId: await grantConsent(details) } });
    }
    ctx.status = 501;
    ctx.body = `prompt ${details.prompt.name} not implemented\n`;
    return;
  }
  if (action === 'login' && ctx.method === 'POST') {
    const form = await readForm(ctx.req);
    const user = findUser(form.get('user') ?? form.get('login'));
    if (details.prompt.name !== 'login' || !user) {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = loginPage(uid, details.params.client_id, user ? 'login not expected now' : 'unknown user');
      return;
    }
    return finish({ login: loginOf(user) }, false);
  }
  ctx.status = 405;
  ctx.body = 'method not allowed\n';
}

let provider = newProvider();
let handle = provider.callback();

// Load the client now, so that bad metadata (e.g. a non-ASCII secret: id and secret must be
// printable ASCII, VSCHAR) fails at start instead of at the first /auth request.
try {
  await provider.Client.find(clientId);
} catch (err) {
  fail(`client configuration refused: ${err.error_description ?? err.message}`);
}

server.on('request', (req, res) => {
  if (req.method === 'POST' && req.url.startsWith('/test/next-id-token?')) {
    const fault = new URL(req.url, issuer).searchParams.get('fault');
    if (!Object.hasOwn(FAULTS, fault)) {
      res.writeHead(400).end(`fault must be one of ${Object.keys(FAULTS).join(', ')}\n`);
      return;
    }
    nextFault = fault;
    res.writeHead(204).end();
    return;
  }
  if (req.method === 'POST' && req.url === '/test/rotate-keys') {
    provider = newProvider();
    handle = provider.callback();
    res.writeHead(204).end();
    return;
  }
  handle(req, res);
});

const shutdown = () => server.close(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

console.log(`oidc-provider listening on ${issuer}`);
