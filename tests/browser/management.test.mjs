// The management and listing pages of people who write agendas, in Italian and English:
// people and roles, invitations, an agenda's circle, versions and their comparison, new
// objectives and actions, an action's organisations and budget (with its error state), an
// organisation's profile, the audit log. Each gets axe (WCAG 2.x A/AA), one <h1> and the
// right language; none may log a console error or ask another host. Changes nothing.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { url } from './support/common.mjs';
import { axeCheck, navigation, signIn, useEnglish, watchedBrowser } from './support/ui.mjs';

const T = { timeout: 120_000 };
const PASSWORD = 'demo-agio-2026';
const GUASTALLA = '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027';
const RIMINI = '/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028';

/** The budget form's 422 is asked for on purpose. */
const { journal, newContext } = watchedBrowser(T, new Set([422]));

const PAGES = {
  'regione@demo.agio.example': [
    '/amministrazione/persone',
    '/amministrazione/invita',
    '/amministrazione/registro?entity=action',
    '/soggetti/aps-ponti-tra-culture/modifica',
  ],
  'coordinatore@demo.agio.example': [
    `${RIMINI}/persone`,
    `${GUASTALLA}/versioni`,
    `${GUASTALLA}/versioni?da=1&a=bozza`,
    `${GUASTALLA}/obiettivi/nuovo`,
    `${GUASTALLA}/azioni/nuova`,
    `${GUASTALLA}/azioni/A03/soggetti`,
    `${GUASTALLA}/azioni/A03/budget`,
  ],
};

for (const lang of ['it', 'en']) {
  describe(`management pages (${lang})`, () => {
    for (const [email, paths] of Object.entries(PAGES)) {
      it(`as ${email}`, T, async () => {
        const context = await newContext();
        try {
          if (lang === 'en') await useEnglish(context);
          await signIn(context, email, PASSWORD);
          const page = await context.newPage();
          for (const path of paths) {
            const response = await page.goto(url(path));
            assert.equal(response.status(), 200, `${path}: HTTP status`);
            await axeCheck(page, path, lang);
          }
        } finally {
          await context.close();
        }
      });
    }

    it('the budget form in its error state', T, async () => {
      const context = await newContext();
      try {
        if (lang === 'en') await useEnglish(context);
        await signIn(context, 'coordinatore@demo.agio.example', PASSWORD);
        const page = await context.newPage();
        await page.goto(url(`${GUASTALLA}/azioni/A03/budget`));
        await page.locator('#f-amount').fill('tanti');
        const response = await navigation(page, () => page.locator('form.agio-form button[type="submit"]').click());
        assert.equal(response.status(), 422);
        assert.equal(await page.locator('#f-amount').getAttribute('aria-invalid'), 'true');
        await axeCheck(page, 'budget form with errors', lang);
      } finally {
        await context.close();
      }
    });
  });
}

describe('all pages above', () => {
  it('had no console errors, no uncaught errors and no request to another host', T, () => {
    journal.assertClean();
  });
});
