// The page types of AGIO, and how to find a real URL for each in the demo
// data: fixed paths for lists, links followed from list pages for details.

import assert from 'node:assert/strict';
import { firstLink } from './common.mjs';

// `path` is fixed; `discover` names a page type whose <main> links lead to
// this one. `demo`: shows the demo-content banner. `breadcrumb: false`: the
// home page has none. `status`: the expected HTTP status when not 200.
export const PAGE_TYPES = [
  { id: 'home', path: '/', breadcrumb: false, demo: true },
  { id: 'territories', path: '/territori' },
  { id: 'territory', discover: { from: 'territories', pattern: /^\/territori\/[^/]+$/ } },
  { id: 'territory with agenda', discover: { from: 'agenda', pattern: /^\/territori\/[^/]+$/ }, demo: true },
  { id: 'profile', path: '/territori/rn-rimini/profilo', demo: true },
  { id: 'profile print view', path: '/territori/rn-rimini/profilo/stampa', demo: true, breadcrumb: false },
  { id: 'profile versions', path: '/territori/rn-rimini/profilo/versioni', demo: true },
  { id: 'profile version', path: '/territori/rn-rimini/profilo/versioni/1', demo: true },
  { id: 'profiles', path: '/profili?ordina=punteggio', demo: true },
  { id: 'profiles compared', path: '/territori/confronto?t=re-guastalla&t=rn-rimini', demo: true },
  { id: 'frameworks', path: '/quadri' },
  { id: 'agendas', path: '/agende', demo: true },
  { id: 'agendas filtered', path: '/agende?status=approved', demo: true },
  { id: 'agenda', discover: { from: 'agendas', pattern: /^\/agende\/[^/]+$/ }, demo: true },
  { id: 'action', discover: { from: 'agenda', pattern: /^\/agende\/[^/]+\/azioni\/[^/]+$/ }, demo: true },
  { id: 'lab process', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso', demo: true },
  { id: 'lab ideas', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso/idee?answer=accepted', demo: true },
  { id: 'lab vote results', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso/voto', demo: true },
  { id: 'lab meeting', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso/incontri/1', demo: true },
  { id: 'lab negotiation table', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso/incontri/2', demo: true },
  { id: 'lab pact', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso/patti/1', demo: true },
  { id: 'lab final document', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/percorso/documento', demo: true },
  { id: 'process on Decidim', path: '/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/decidim', demo: true },
  { id: 'lab idea', discover: { from: 'lab ideas', pattern: /^\/agende\/[^/]+\/percorso\/idee\/\d+$/ }, demo: true },
  { id: 'open data', path: '/dati' },
  { id: 'regional monitoring', path: '/monitoraggio', demo: true },
  { id: 'agenda monitoring', path: '/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027/monitoraggio', demo: true },
  { id: 'indicator history', discover: { from: 'agenda monitoring', pattern: /^\/agende\/[^/]+\/indicatori\/[^/]+$/ }, demo: true },
  { id: 'action delivery', discover: { from: 'agenda monitoring', pattern: /^\/agende\/[^/]+\/azioni\/[^/]+\/attuazione$/ }, demo: true },
  { id: 'value documents', discover: { from: 'indicator history', pattern: /^\/agende\/[^/]+\/indicatori\/[^/]+\/[^/]+\/documenti$/ }, demo: true },
  { id: 'organizations', path: '/soggetti', demo: true },
  { id: 'organizations page 2', path: '/soggetti?page=2', demo: true },
  { id: 'organization', discover: { from: 'organizations', pattern: /^\/soggetti\/[^/]+$/ }, demo: true },
  { id: 'assets', path: '/asset-digitali', demo: true },
  { id: 'asset', discover: { from: 'assets', pattern: /^\/asset-digitali\/[^/]+$/ }, demo: true },
  { id: 'services', path: '/servizi', demo: true },
  { id: 'services near a comune', path: '/servizi?q=badante&place=035026', demo: true },
  { id: 'service', discover: { from: 'services', pattern: /^\/servizi\/[^/]+$/ }, demo: true },
  { id: 'service print view', discover: { from: 'service', pattern: /^\/servizi\/[^/]+\/stampa$/ }, demo: true, breadcrumb: false },
  { id: 'services bad request', path: '/servizi?need=soldi', status: 400 },
  { id: 'api docs', path: '/api/docs' },
  { id: 'accessibility statement', path: '/accessibilita' },
  { id: 'legal notes', path: '/note-legali' },
  { id: 'contacts', path: '/contatti' },
  { id: 'register', path: '/accedi/registrati' },
  { id: 'not found', path: '/nope', status: 404 },
  { id: 'bad request', path: '/agende?status=ok', status: 400 },
];

/** Map page type id -> path, discovered by following links in a throwaway context. */
export async function discoverPaths(browser) {
  const paths = new Map();
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    for (const t of PAGE_TYPES) if (t.path) paths.set(t.id, t.path);
    // A discovered page may be the source of the next: resolve in dependency order.
    const pending = PAGE_TYPES.filter((t) => t.discover);
    while (pending.length) {
      const i = pending.findIndex((t) => paths.has(t.discover.from));
      assert.notEqual(i, -1, `cannot discover ${pending.map((t) => t.id).join(', ')}`);
      const [t] = pending.splice(i, 1);
      paths.set(t.id, await firstLink(page, paths.get(t.discover.from), t.discover.pattern));
    }
  } finally {
    await context.close();
  }
  return paths;
}
