// Monitoring tried as its users would, in Chromium without JavaScript: a referent enters two
// of a quarter's values (one a percentage, as its parts) and sends them; the coordinator
// returns one with a comment and approves the other; the agenda's monitoring page then shows
// the approved value, and a visitor sees only that. Every page on the way is checked with
// axe, in Italian and in English. The quarter used (2027-Q2 of A02) is one the demo leaves
// empty, so the files that run after this one find the demo as it was. Then the spreadsheet
// round trip: the referent downloads the XLSX template, fills a value in LibreOffice (headless,
// converting to CSV and back, as a person's spreadsheet program would save it), uploads it,
// reads the preview and confirms.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { url, pathOf, fetchJson } from './support/common.mjs';
import { watchedBrowser, navigation, signIn, axeCheck, mainText, useEnglish } from './support/ui.mjs';

const T = { timeout: 120_000 };
const PASSWORD = 'demo-agio-2026';
const COORDINATOR = 'coordinatore@demo.agio.example';
const REFERENT = 'referente@demo.agio.example';
const SLUG = 'agenda-digitale-sociale-bassa-reggiana-2025-2027';
const AGENDA = `/agende/${SLUG}`;
const QUARTER = '2027-Q2';

const { newContext } = watchedBrowser(T, new Set([409, 422]));

async function submit(page, selector) {
  return navigation(page, () => page.locator(selector).click());
}

describe('monitoring, without JavaScript', () => {
  let referent;
  let coordinator;
  let visitor;
  let checker;
  let indicators;
  // axe runs in the page: each step's page is checked again with JavaScript, in both languages.
  const checked = async (who, path) => {
    for (const lang of ['it', 'en']) {
      const p = await checker[who][lang].newPage();
      try {
        await p.goto(url(path));
        await axeCheck(p, path, lang);
      } finally {
        await p.close();
      }
    }
  };
  before(async () => {
    referent = await newContext({ javaScriptEnabled: false });
    coordinator = await newContext({ javaScriptEnabled: false });
    visitor = await newContext({ javaScriptEnabled: false });
    checker = { referent: {}, coordinator: {} };
    for (const [who, email] of [['referent', REFERENT], ['coordinator', COORDINATOR]]) {
      for (const lang of ['it', 'en']) {
        const context = await newContext();
        await signIn(context, email, PASSWORD);
        if (lang === 'en') await useEnglish(context);
        checker[who][lang] = context;
      }
    }
    await signIn(referent, REFERENT, PASSWORD);
    await signIn(coordinator, COORDINATOR, PASSWORD);
    const { body: action } = await fetchJson(`/api/v1/agendas/${SLUG}/actions/A02`);
    indicators = action.results.flatMap((r) => r.indicators.map((i) => i.id));
  }, T);
  after(async () => {
    for (const c of [referent, coordinator, visitor]) await c?.close();
    for (const who of Object.values(checker ?? {})) for (const c of Object.values(who)) await c.close();
  });

  it('a referent enters a quarter, a coordinator returns one value and approves the other', T, async () => {
    const r = await referent.newPage();
    const k = await coordinator.newPage();
    const count = `${AGENDA}/indicatori/${indicators[1]}`;
    const share = `${AGENDA}/indicatori/${indicators[2]}`;

    // The referent enters a count: an ambiguous number is named, then saved as a draft.
    await checked('referent', `${count}/${QUARTER}/valore`);
    await r.goto(url(`${count}/${QUARTER}/valore`));
    await r.fill('#f-value', '1.234');
    const refused = await submit(r, 'main form button[type="submit"]');
    assert.equal(refused.status(), 422);
    assert.equal(await r.locator('#form-errors a[href="#f-value"]').count(), 1, 'the summary names the value');
    await r.fill('#f-value', '240');
    await r.fill('#f-source', 'Registro degli sportelli');
    await submit(r, 'main form button[type="submit"]');
    assert.equal(pathOf(r.url()), count, 'back on the indicator');
    assert.match(await mainText(r), /Bozza/);
    await checked('referent', count);
    await submit(r, `main form[action="${count}/${QUARTER}/invia"] button`);
    assert.match(await mainText(r), /Inviata/);

    // A percentage, as its parts.
    await r.goto(url(`${share}/${QUARTER}/valore`));
    await r.fill('#f-numerator', '30');
    await r.fill('#f-denominator', '48');
    await submit(r, 'main form button[type="submit"]');
    assert.match(await mainText(r), /62,5/);
    await submit(r, `main form[action="${share}/${QUARTER}/invia"] button`);

    // The coordinator returns the percentage with a comment and approves the count.
    await checked('coordinator', `${share}/${QUARTER}/restituisci`);
    await k.goto(url(`${share}/${QUARTER}/restituisci`));
    await k.fill('#f-comment', 'Il denominatore sono gli iscritti, non i frequentanti.');
    await submit(k, 'main form button[type="submit"]');
    assert.match(await mainText(k), /Restituita/);
    await k.goto(url(count));
    await submit(k, `main form[action="${count}/${QUARTER}/approva"] button`);
    assert.match(await mainText(k), /Approvata/);
    await checked('coordinator', `${AGENDA}/monitoraggio`);
    await checked('coordinator', `${AGENDA}/azioni/A02/andamento`);

    // The referent reads the comment; a visitor sees the approved value only.
    await r.goto(url(share));
    assert.match(await mainText(r), /Il denominatore sono gli iscritti/);
    const v = await visitor.newPage();
    await v.goto(url(count));
    assert.match(await mainText(v), /240/);
    await v.goto(url(share));
    assert.doesNotMatch(await mainText(v), /2º trimestre 2027/);
    await v.goto(url(`${AGENDA}/monitoraggio`));
    assert.match(await mainText(v), /240 \(2º trimestre 2027\)/);
  });

  it('a referent records a milestone and a budget line\'s spending, and removes the milestone', T, async () => {
    const r = await referent.newPage();
    const delivery = `${AGENDA}/azioni/A02/attuazione`;
    await checked('referent', delivery);
    await checked('referent', `${AGENDA}/azioni/A02/tappe/nuova`);
    await r.goto(url(delivery));
    await navigation(r, () => r.locator('main a', { hasText: 'Aggiungi una tappa' }).click());
    await r.fill('#f-title', 'Guide tradotte in arabo e urdu');
    await r.fill('#f-planned_date', '2027-02-28');
    await r.selectOption('#f-status', 'reached');
    const refused = await submit(r, 'main form button[type="submit"]');
    assert.equal(refused.status(), 422, 'a reached milestone needs its date');
    assert.equal(await r.locator('#form-errors a[href="#f-actual_date"]').count(), 1);
    await r.selectOption('#f-status', 'planned');
    await submit(r, 'main form button[type="submit"]');
    assert.equal(pathOf(r.url()), delivery, 'back on the action');
    assert.match(await mainText(r), /Guide tradotte in arabo e urdu/);

    // The spending form starts from the figures recorded; saved again as they are.
    const spending = r.locator('main a', { hasText: 'Aggiorna impegnato e pagato' }).first();
    const form = await spending.getAttribute('href');
    await checked('referent', form);
    await navigation(r, () => spending.click());
    const committed = await r.inputValue('#f-committed');
    await r.fill('#f-paid', '999999999');
    const tooMuch = await submit(r, 'main form button[type="submit"]');
    assert.equal(tooMuch.status(), 422, 'paid cannot exceed committed');
    assert.equal(await r.locator('#form-errors a[href="#f-paid"]').count(), 1);
    await r.fill('#f-paid', committed);
    await submit(r, 'main form button[type="submit"]');
    assert.equal(pathOf(r.url()), delivery);

    // Removed again, so the files after this one find the demo as it was.
    const row = r.locator('main tr', { hasText: 'Guide tradotte in arabo e urdu' });
    await submit(r, `main tr:has-text("Guide tradotte in arabo e urdu") form button`);
    assert.equal(await row.count(), 0);
    const v = await visitor.newPage();
    await v.goto(url(delivery));
    assert.match(await mainText(v), /Avanzamento finanziario/);
  });

  it('the spreadsheet round trip: download, fill in LibreOffice, preview, confirm', T, async () => {
    const r = await referent.newPage();
    const work = mkdtempSync(join(tmpdir(), 'agio-sheet-'));
    try {
      await r.goto(url(`${AGENDA}/monitoraggio`));
      const [download] = await Promise.all([
        r.waitForEvent('download'),
        r.locator('main a', { hasText: 'Scarica i valori (XLSX)' }).click(),
      ]);
      const xlsx = join(work, 'valori.xlsx');
      await download.saveAs(xlsx);
      // LibreOffice opens it, a value is written, and it is saved back as XLSX.
      const soffice = (...args) => execFileSync('soffice', ['--headless', '--norestore', ...args, '--outdir', work],
        { env: { ...process.env, HOME: work }, stdio: 'pipe' });
      soffice('--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76', xlsx);
      const lines = readFileSync(join(work, 'valori.csv'), 'utf8').trimEnd().split('\n');
      const at = lines.findIndex((l) => l.startsWith(`${indicators[0]},`) && l.includes(',2027-Q3,'));
      assert.ok(at > 0, 'the template has the row');
      const cells = lines[at].split(',');
      cells[7] = '9';
      lines[at] = cells.join(',');
      writeFileSync(join(work, 'filled.csv'), `${lines.join('\n')}\n`);
      soffice('--infilter=CSV:44,34,76', '--convert-to', 'xlsx', join(work, 'filled.csv'));

      await checked('referent', `${AGENDA}/monitoraggio/importa`);
      await r.goto(url(`${AGENDA}/monitoraggio/importa`));
      await r.setInputFiles('#f-file', join(work, 'filled.xlsx'));
      await submit(r, 'main form button[type="submit"]');
      const preview = pathOf(r.url());
      assert.match(preview, /\/monitoraggio\/importazioni\/[^/]+$/);
      assert.match(await mainText(r), /Pronta da confermare/);
      assert.match(await mainText(r), /1 valori nuovi, 0 modificati/);
      await checked('referent', preview);
      await submit(r, 'main form[action$="/conferma"] button');
      assert.match(await mainText(r), /Confermata e salvata/);
      await r.goto(url(`${AGENDA}/indicatori/${indicators[0]}`));
      assert.match(await mainText(r), /3º trimestre 2027 9 Bozza/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
