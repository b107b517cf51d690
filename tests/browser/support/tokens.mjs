// Personal access tokens for the API tests, made as a person makes them: signed in with plain
// HTTP, through the personal area's form.

import assert from 'node:assert/strict';
import { url } from './common.mjs';

/** Cookies of a fetch answer as a `cookie` header value (name=value; …). */
function cookiesOf(res) {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

function csrfOf(html) {
  const m = html.match(/name="csrf" value="([0-9a-f]+)"/);
  assert.ok(m, 'no csrf field in the page');
  return m[1];
}

const form = (o) => new URLSearchParams(o).toString();

/** Signs in as `email` with plain HTTP; returns the session's `cookie` header value. */
export async function signIn(email) {
  const page = await fetch(url('/accedi'));
  const answer = await fetch(url('/accedi'), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(page) },
    body: form({ csrf: csrfOf(await page.text()), email, password: 'demo-agio-2026' }),
  });
  assert.equal(answer.status, 303, `sign-in of ${email}`);
  return cookiesOf(answer);
}

/** Signs in as `email` and creates a token of `scope`. */
export async function createToken(email, scope) {
  const session = await signIn(email);
  const area = await fetch(url('/area-personale'), { headers: { cookie: session } });
  const created = await fetch(url('/area-personale/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session },
    body: form({ csrf: csrfOf(await area.text()), name: `openapi ${scope}`, scope, lifetime: '30' }),
  });
  const m = (await created.text()).match(/value="(agio_[0-9a-f]{64})"/);
  assert.ok(m, 'the token is shown once');
  return m[1];
}
