// Sign-in with an external OpenID Connect provider, end to end: Chromium, AGIO and the
// certified `oidc-provider` (tests/oidc/provider.mjs, started by scripts/test on loopback with
// two people: Mario Rossi, whose email is verified, and Giulia Bianchi, whose is not).
// AGIO must be started with AGIO_OIDC_ISSUER/CLIENT_ID/CLIENT_SECRET pointing at it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { url } from './support/common.mjs';
import { launchedBrowser, assertAxeClean } from './support/ui.mjs';

const T = { timeout: 90_000 };

/** The provider's origin, from where AGIO sends a browser that signs in. */
function issuerOf(response) {
  return new URL(response.headers.get('location')).origin;
}

const session = launchedBrowser(T);

/** From AGIO's sign-in page through the provider's form as `user`; returns the page. */
async function signInExternally(context, user, start = '/accedi') {
  const page = await context.newPage();
  await page.goto(url(start));
  await page.getByRole('link', { name: /Entra con SPID \/ CIE|Collega SPID \/ CIE|Registrati con SPID \/ CIE/ }).click();
  await page.waitForURL(/\/interaction\//);
  await page.locator(`input[name="user"][value="${user}"]`).check();
  await page.locator('#login button[type="submit"]').click();
  await page.waitForLoadState('load');
  return page;
}

describe('sign-in with the external identity provider', () => {
  it('offers the provider on the sign-in page, accessibly', T, async () => {
    const context = await session.browser.newContext();
    const page = await context.newPage();
    await page.goto(url('/accedi'));
    assert.equal(await page.getByRole('link', { name: 'Entra con SPID / CIE' }).count(), 1);
    await assertAxeClean(page, 'sign-in page with the provider');
    await context.close();
  });

  it('offers the provider on the registration page too, accessibly', T, async () => {
    const context = await session.browser.newContext();
    const page = await context.newPage();
    await page.goto(url('/accedi/registrati'));
    const link = page.getByRole('link', { name: "Registrati con SPID / CIE (accetti l'informativa sulla privacy)" });
    assert.equal(await link.getAttribute('href'), '/accedi/oidc');
    await assertAxeClean(page, 'registration page with the provider');
    await context.close();
  });

  it('a verified identity registers (a citizen account) and signs in again to the same one', T, async () => {
    const context = await session.browser.newContext();
    const page = await signInExternally(context, 'mario', '/accedi/registrati');
    assert.equal(new URL(page.url()).pathname, '/area-personale');
    const text = await page.locator('main').innerText();
    for (const expected of ['Mario Rossi', 'mario.rossi@example.it', 'Cittadino', 'spid-TINIT-RSSMRA80A01H501U']) {
      assert.ok(text.includes(expected), `the personal area shows ${expected}`);
    }
    await page.locator('header').getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(url('/'));
    // The provider remembers Mario: the second sign-in needs no form, and finds the same account.
    await page.goto(url('/accedi'));
    await page.getByRole('link', { name: 'Entra con SPID / CIE' }).click();
    await page.waitForURL(/area-personale|interaction/);
    if (page.url().includes('/interaction/')) {
      await page.locator('input[name="user"][value="mario"]').check();
      await page.locator('#login button[type="submit"]').click();
    }
    await page.waitForURL(/area-personale/);
    const again = await page.locator('main').innerText();
    assert.equal(again.match(/spid-TINIT-RSSMRA80A01H501U/g)?.length, 1, 'one identity, one account');
    await context.close();
  });

  it('an identity without a verified email is refused, clearly and accessibly', T, async () => {
    const context = await session.browser.newContext();
    const page = await signInExternally(context, 'giulia');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes('non fornisce un indirizzo email verificato'), text);
    await assertAxeClean(page, 'refused external sign-in');
    await context.close();
  });

  it('a signed-in person links an identity, then signs in with it', T, async () => {
    const context = await session.browser.newContext();
    const page = await context.newPage();
    await page.goto(url('/accedi'));
    await page.locator('#f-email').fill('regione@demo.agio.example');
    await page.locator('#f-password').fill('demo-agio-2026');
    await page.locator('form.agio-form button[type="submit"]').click();
    await page.waitForURL(/area-personale/);
    await page.getByRole('link', { name: 'Collega SPID / CIE' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.locator('input[name="user"][value="giulia"]').check();
    await page.locator('#login button[type="submit"]').click();
    // Nothing is linked until the account holder confirms that the identity is theirs.
    await page.waitForURL(/\/accedi\/oidc\/callback/);
    const ask = await page.locator('main').innerText();
    assert.ok(ask.includes('spid-TINIT-BNCGLI85M41F205X') && ask.includes('regione@demo.agio.example'), ask);
    await assertAxeClean(page, 'confirming an identity link');
    await page.getByRole('button', { name: 'Collega al mio account' }).click();
    await page.waitForURL(/area-personale/);
    assert.ok((await page.locator('main').innerText()).includes('spid-TINIT-BNCGLI85M41F205X'), 'the identity is listed');
    // With an identity linked, password sign-in may be turned off (tests/oidc turns it off).
    assert.equal(await page.getByRole('button', { name: "Disattiva l'accesso con password" }).count(), 1);
    await assertAxeClean(page, 'personal area with a linked identity and the password switch');
    await page.locator('header').getByRole('button', { name: 'Esci' }).click();
    await page.waitForURL(url('/'));
    await page.goto(url('/accedi'));
    await page.getByRole('link', { name: 'Entra con SPID / CIE' }).click();
    await page.waitForURL(/area-personale|interaction/);
    if (page.url().includes('/interaction/')) {
      await page.locator('input[name="user"][value="giulia"]').check();
      await page.locator('#login button[type="submit"]').click();
    }
    await page.waitForURL(/area-personale/);
    assert.ok((await page.locator('main').innerText()).includes('regione@demo.agio.example'), 'signed in as the linked person');
    await context.close();
  });

  it('cancelling at the provider comes back with a clear message', T, async () => {
    const context = await session.browser.newContext();
    const page = await context.newPage();
    await page.goto(url('/accedi'));
    await page.getByRole('link', { name: 'Entra con SPID / CIE' }).click();
    await page.waitForURL(/\/interaction\//);
    await page.locator('#abort button[type="submit"]').click();
    await page.waitForLoadState('load');
    assert.ok((await page.locator('main').innerText()).includes('è stato annullato'));
    await context.close();
  });

  it('a verified email that already has an account does not take it over', T, async () => {
    const context = await session.browser.newContext();
    const page = await signInExternally(context, 'carla');
    assert.notEqual(new URL(page.url()).pathname, '/area-personale', 'not signed in as the account holder');
    const text = await page.locator('main').innerText();
    assert.ok(text.includes("Esiste già un account con l'email di questa identità digitale"), text);
    await context.close();
  });

  it("a callback carried to another browser is refused (login CSRF), and then to the first too", T, async () => {
    // The attacker's browser goes through the provider but stops before coming back to AGIO:
    // its login is sent, and the provider's redirects followed by hand (with the browser's
    // cookies) up to the address of AGIO's callback, which is kept, not opened.
    const attacker = await session.browser.newContext();
    let seen;
    const callbackSeen = new Promise((resolve) => { seen = resolve; });
    await attacker.route('**/interaction/*/login', async (route) => {
      let response = await route.fetch({ maxRedirects: 0 });
      let location = response.headers().location;
      while (location && !location.includes('/accedi/oidc/callback')) {
        response = await attacker.request.get(new URL(location, route.request().url()).href, { maxRedirects: 0 });
        location = response.headers().location;
      }
      seen(location);
      await route.abort();
    });
    const started = await attacker.newPage();
    await started.goto(url('/accedi'));
    await started.getByRole('link', { name: 'Entra con SPID / CIE' }).click();
    await started.waitForURL(/\/interaction\//);
    await started.locator('input[name="user"][value="mario"]').check();
    await started.locator('#login button[type="submit"]').click().catch(() => {});
    const callback = await callbackSeen;
    assert.ok(callback?.includes('code='), `the provider sent the browser back with a code: ${callback}`);
    // The victim's browser is made to open that address.
    const victim = await session.browser.newContext();
    const page = await victim.newPage();
    const res = await page.goto(callback);
    assert.equal(res.status(), 400);
    assert.ok((await page.locator('main').innerText()).includes('avviato da un altro browser'));
    await assertAxeClean(page, 'a callback from another browser');
    const cookies = await victim.cookies(url('/'));
    assert.ok(!cookies.some((c) => c.name === 'agio_session'), 'the victim is not signed in as the attacker');
    // The state served once: the attacker cannot use it afterwards either.
    const again = await (await attacker.newPage()).goto(callback);
    assert.equal(again.status(), 400);
    await attacker.close();
    await victim.close();
  });

  it('after the provider rotates its keys, signing in still works (AGIO reads the new keys)', T, async () => {
    const provider = issuerOf(await fetch(url('/accedi/oidc'), { redirect: 'manual' }));
    const rotated = await fetch(`${provider}/test/rotate-keys`, { method: 'POST' });
    assert.equal(rotated.status, 204);
    const context = await session.browser.newContext();
    const page = await signInExternally(context, 'mario');
    assert.equal(new URL(page.url()).pathname, '/area-personale', await page.locator('main').innerText());
    await context.close();
  });

  it('a forged or replayed callback is refused', T, async () => {
    const res = await fetch(url('/accedi/oidc/callback?code=x&state=forged'));
    assert.equal(res.status, 400);
    assert.ok((await res.text()).includes('non è andato a buon fine'));
  });
});
