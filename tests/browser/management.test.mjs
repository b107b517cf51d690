// The management and listing pages of people who write agendas, in Italian and English:
// people and roles, invitations, an agenda's circle, versions and their comparison, the
// creation forms (agenda, organisation, digital asset, objective, action, union of comuni),
// a digital asset's edit form and history, the archiving pages (organisation, action,
// objective) and an agenda's archive, an action's organisations, budget (with its error
// state), results, indicators and assets, an organisation's profile, the audit log. Each
// gets axe (WCAG 2.x A/AA), one <h1> and the right language; none may log a console error
// or ask another host.
//
// Changes made to the demo data: one union of comuni per language ("Unione di prova it",
// "Unione di prova en"; a later run adds more, with their own slugs) in the Guastalla
// district, covering Guastalla and Luzzara. Everything else is only looked at.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { url, pathOf } from './support/common.mjs';
import { axeCheck, mainText, navigation, signIn, useEnglish, watchedBrowser } from './support/ui.mjs';

const T = { timeout: 120_000 };
const PASSWORD = 'demo-agio-2026';
const GUASTALLA = '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027';
const RIMINI = '/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028';

/** The 422s of the budget form and of the union form are asked for on purpose. */
const { journal, newContext } = watchedBrowser(T, new Set([422]));

const PAGES = {
  'regione@demo.agio.example': [
    '/amministrazione/persone',
    '/amministrazione/invita',
    '/amministrazione/registro?entity=action',
    '/soggetti/aps-ponti-tra-culture/modifica',
    '/agende/nuova',
    '/soggetti/nuovo',
    '/asset-digitali/nuovo',
    '/asset-digitali/app-io/modifica',
    '/asset-digitali/app-io/cronologia',
    '/territori/unioni/nuova',
    '/quadri',
    '/quadri/sdg/voci/nuova',
    '/quadri/ader/modifica',
    '/soggetti/iis-guastalla/archivia',
    `${GUASTALLA}/archivio`,
  ],
  'coordinatore@demo.agio.example': [
    `${RIMINI}/persone`,
    `${GUASTALLA}/versioni`,
    `${GUASTALLA}/versioni?da=1&a=bozza`,
    `${GUASTALLA}/stato`,
    '/territori/re-guastalla/profilo/modifica',
    '/territori/rn-rimini/profilo/servizi/nuovo',
    '/territori/rn-rimini/profilo/piano-di-zona',
    '/territori/rn-rimini/profilo/basi-dati/nuova',
    '/territori/rn-rimini/profilo/guida',
    '/territori/rn-rimini/profilo',
    `${RIMINI}/azioni/A02/lacune`,
    `${RIMINI}/obiettivi/O1/lacune`,
    `${RIMINI}/obiettivi/O1/quadri`,
    `${GUASTALLA}/obiettivi/nuovo`,
    `${GUASTALLA}/azioni/nuova`,
    `${GUASTALLA}/azioni/A03/soggetti`,
    `${GUASTALLA}/azioni/A03/budget`,
    `${GUASTALLA}/azioni/A03/risultati`,
    `${GUASTALLA}/azioni/A03/indicatori`,
    `${GUASTALLA}/azioni/A03/asset`,
    `${GUASTALLA}/azioni/A03/archivia`,
    `${GUASTALLA}/obiettivi/O1/archivia`,
    `${GUASTALLA}/percorso/modifica`,
    `${GUASTALLA}/percorso/fase`,
    `${GUASTALLA}/percorso/fasi/working_day/modifica`,
    `${GUASTALLA}/percorso/idee/1`,
    `${GUASTALLA}/percorso/idee/1/risposta`,
    `${GUASTALLA}/percorso/voto/ammesse`,
    `${GUASTALLA}/percorso/incontri/1`,
    `${GUASTALLA}/percorso/incontri/1/modifica`,
    `${GUASTALLA}/percorso/incontri/1/presenze`,
    `${RIMINI}/percorso/incontri/nuovo`,
    `${GUASTALLA}/percorso/patti/1/modifica`,
    `${GUASTALLA}/percorso/patti/1/rendiconti/nuovo`,
    `${RIMINI}/percorso/patti/nuovo`,
    `${RIMINI}/decidim`,
    `${RIMINI}/percorso/rappresentanti`,
    `${RIMINI}/decidim/modifica`,
    `${GUASTALLA}/decidim/modifica`,
    `${RIMINI}/percorso/modifica`,
    `${GUASTALLA}/obiettivi/O1/modifica`,
    `${GUASTALLA}/obiettivi/O1/cronologia`,
    `${GUASTALLA}/azioni/A03/soggetti/iis-guastalla/modifica`,
  ],
  // The Community Lab as a participant sees it: the idea form, an idea with its forms.
  'cittadino@demo.agio.example': [
    `${RIMINI}/percorso/idee/nuova`,
    `${RIMINI}/percorso/rappresento`,
    `${RIMINI}/percorso/idee/1`,
    `${RIMINI}/percorso`,
    `${RIMINI}/percorso/voto`,
    `${RIMINI}/percorso/incontri/1`,
    '/area-personale/notifiche',
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

    it('a union of comuni: the form in its error state, then the union page and its edit form', T, async () => {
      const context = await newContext();
      try {
        if (lang === 'en') await useEnglish(context);
        await signIn(context, 'regione@demo.agio.example', PASSWORD);
        const page = await context.newPage();
        const submit = () => page.locator('form.agio-form button[type="submit"]').click();
        await page.goto(url('/territori/unioni/nuova'));
        await page.locator('#f-name').fill(`Unione di prova ${lang}`);
        // A required select has no empty option, so one district is always chosen: make it Guastalla's.
        await page.selectOption('#f-district', 're-guastalla');
        await page.locator('#f-members').fill('Guastalla\nAtlantide');
        const refused = await navigation(page, submit);
        assert.equal(refused.status(), 422, 'an unknown comune is refused');
        assert.equal(await page.locator('#f-members').getAttribute('aria-invalid'), 'true');
        await axeCheck(page, 'union form with errors', lang);

        // A comune belongs to one union at most: each language's run makes its own.
        const [first, second] = lang === 'it' ? ['Guastalla', 'Luzzara'] : ['Novellara', 'Reggiolo'];
        await page.locator('#f-members').fill(`${first}\n${second}`);
        const saved = await navigation(page, submit);
        assert.ok(saved.request().redirectedFrom(), 'saving answers with a redirect');
        assert.equal(saved.status(), 200, 'the page the redirect leads to');
        const union = new URL(page.url()).pathname;
        assert.ok(
          union.startsWith('/territori/unioni/') && union !== '/territori/unioni/nuova',
          `saving leads to the union's page, not ${union}`,
        );
        const created = lang === 'it' ? 'Creato e salvato.' : 'Created and saved.';
        assert.equal((await page.locator('#agio-notice[role="status"]').innerText()).trim(), created, 'the confirmation');
        await axeCheck(page, 'union page', lang);
        assert.ok((await mainText(page)).includes(second), `${pathOf(page.url())}: the union covers ${second}`);

        const edit = await page.goto(url(`${union}/modifica`));
        assert.equal(edit.status(), 200, `${union}/modifica: HTTP status`);
        const members = await page.locator('#f-members').inputValue();
        assert.match(members, new RegExp(`${first} \\(0350\\d\\d\\)`), `the edit form lists the comuni with their codes: ${members}`);
        await axeCheck(page, 'union edit form', lang);
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
