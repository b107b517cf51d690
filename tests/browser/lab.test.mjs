// The Community Lab tried as its users would, in Chromium without JavaScript: a citizen
// proposes an idea, supports it and comments; the coordinator admits ideas and opens the vote;
// the citizen votes; the coordinator closes the vote, whose results then show; the coordinator
// answers the idea into an action, whose page then says where it came from. Every page on the
// way is checked with axe. At the end the Rimini process is put back in its idea collection,
// where the demo has it, for the files that run after this one.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { url, pathOf } from './support/common.mjs';
import { watchedBrowser, navigation, signIn, axeCheck, mainText } from './support/ui.mjs';

const T = { timeout: 120_000 };
const PASSWORD = 'demo-agio-2026';
const COORDINATOR = 'coordinatore@demo.agio.example';
const CITIZEN = 'cittadino@demo.agio.example';
const RIMINI = '/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028';
const LAB = `${RIMINI}/percorso`;

const { journal, newContext } = watchedBrowser(T, new Set([409, 422]));

/** Submits the form of `page` holding `selector` and returns the answer it leads to. */
async function submit(page, selector) {
  return navigation(page, () => page.locator(selector).click());
}

/** Moves the active phase, as the coordinator. */
async function movePhase(page, phase) {
  await page.goto(url(`${LAB}/fase`));
  await page.selectOption('#f-active_phase', phase);
  const done = await submit(page, 'main form button[type="submit"]');
  assert.equal(done.status(), 200);
  assert.equal(pathOf(page.url()), LAB, 'back on the process page');
}

describe('the Community Lab, without JavaScript', () => {
  let citizen;
  let coordinator;
  // axe runs in the page: each step's page is checked again in a context with JavaScript,
  // signed in as the same person (the server renders the same page for both).
  let checker;
  const checked = async (page, label) => {
    const p = await checker[page === 'c' ? 'citizen' : 'coordinator'].newPage();
    try {
      await p.goto(url(label));
      await axeCheck(p, label, 'it');
    } finally {
      await p.close();
    }
  };
  before(async () => {
    citizen = await newContext({ javaScriptEnabled: false });
    coordinator = await newContext({ javaScriptEnabled: false });
    checker = { citizen: await newContext(), coordinator: await newContext() };
    await signIn(citizen, CITIZEN, PASSWORD);
    await signIn(coordinator, COORDINATOR, PASSWORD);
    await signIn(checker.citizen, CITIZEN, PASSWORD);
    await signIn(checker.coordinator, COORDINATOR, PASSWORD);
  }, T);
  after(async () => {
    await citizen?.close();
    await coordinator?.close();
    await checker?.citizen.close();
    await checker?.coordinator.close();
  });

  it('from an idea to a vote, its results and the action that carries it', T, async () => {
    const c = await citizen.newPage();
    const k = await coordinator.newPage();
    // The citizen proposes an idea: a missing text is named, then it is saved.
    await checked('c', LAB);
    await checked('c', `${LAB}/idee/nuova`);
    await c.goto(url(`${LAB}/idee/nuova`));
    await c.fill('#f-title', 'Prestito di tablet in biblioteca');
    const refused = await submit(c, 'main form button[type="submit"]');
    assert.equal(refused.status(), 422);
    assert.equal(await c.locator('#form-errors a[href="#f-body"]').count(), 1, 'the summary names the text');
    await c.fill('#f-body', 'Tablet in prestito per chi non ne ha uno, con un corso breve.');
    await c.check('input[name="target_groups"][value="digital_divide"]');
    await submit(c, 'main form button[type="submit"]');
    const idea = pathOf(c.url());
    assert.match(idea, /\/percorso\/idee\/\d+$/, 'the new idea has its own address');
    assert.match(await mainText(c), /Prestito di tablet in biblioteca/);
    await checked('c', idea);
    // Supports it, and comments.
    await submit(c, 'main form[action$="/sostieni"] button');
    assert.match(await mainText(c), /Grazie: il tuo sostegno è registrato/);
    assert.equal(await c.locator('dt:text-is("Sostegni") + dd').textContent(), '1');
    await c.fill('#f-body', 'Anche per i caregiver.');
    await submit(c, 'main form[action$="/commenta"] button');
    assert.match(await mainText(c), /Anche per i caregiver/);

    // The coordinator admits it to the vote and opens the prioritisation.
    const number = idea.split('/').pop();
    await checked('k', `${LAB}/voto/ammesse`);
    await k.goto(url(`${LAB}/voto/ammesse`));
    await k.check(`input[name="admitted"][value="${number}"]`);
    await k.check('input[name="admitted"][value="1"]');
    await submit(k, 'main form button[type="submit"]');
    await movePhase(k, 'prioritisation');

    // The citizen votes: too many points are refused, then the ballot is saved.
    await checked('c', `${LAB}/voto`);
    await c.goto(url(`${LAB}/voto`));
    await c.fill(`#points-${number}`, '9');
    await c.fill('#points-1', '9');
    const over = await submit(c, 'main form button[type="submit"]');
    assert.equal(over.status(), 422);
    await c.fill(`#points-${number}`, '7');
    await c.fill('#points-1', '3');
    await submit(c, 'main form button[type="submit"]');
    assert.match(await mainText(c), /La tua scheda è salvata/);
    assert.match(await mainText(c), /I risultati restano nascosti/);
    // Nobody sees results before the close, the coordinator included.
    await k.goto(url(`${LAB}/voto`));
    assert.doesNotMatch(await mainText(k), /Schede:/);

    // The coordinator closes the vote: the tally shows, the citizen's idea first.
    await movePhase(k, 'feedback');
    await checked('c', `${LAB}/voto`);
    await c.goto(url(`${LAB}/voto`));
    const first = await c.locator('main table tbody tr').first().textContent();
    assert.match(first, /Prestito di tablet in biblioteca/);

    // The coordinator answers the idea into an action; the action says where it came from.
    await checked('k', `${idea}/risposta`);
    await k.goto(url(`${idea}/risposta`));
    await k.selectOption('#f-answer', 'accepted');
    await k.selectOption('#f-action_code', 'A03');
    await submit(k, 'main form button[type="submit"]');
    assert.match(await mainText(k), /La realizza l'azione A03/);
    await c.goto(url(`${RIMINI}/azioni/A03`));
    assert.match(await mainText(c), /Idee da cui nasce l'azione.*Prestito di tablet in biblioteca/s);

    // Back to the idea collection, where the demo has it.
    await movePhase(k, 'ideas');
    await c.close();
    await k.close();
  });

  it('had no console errors, no uncaught errors and no request to another host', T, () => {
    journal.assertClean();
  });
});
