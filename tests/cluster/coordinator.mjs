// The demo coordinator of two districts, signed in over HTTP: what the cluster fault test and
// the load of scripts/bench-cluster and scripts/bench-soak act as.

export const GUASTALLA = 'agenda-digitale-sociale-bassa-reggiana-2025-2027';
export const RIMINI = 'agenda-digitale-sociale-rimini-valmarecchia-2026-2028';
export const COORDINATOR = 'coordinatore@demo.agio.example';

export const cookiesOf = (res) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
export const csrfOf = (html) => html.match(/name="csrf" value="([0-9a-f]+)"/)[1];
export const form = (o) => new URLSearchParams(o).toString();

/** Signs the coordinator in at `base`: the sign-in's status, the session cookie and a form token. */
export async function signInCoordinator(base) {
  const signInPage = await fetch(`${base}/accedi`);
  const signedIn = await fetch(`${base}/accedi`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookiesOf(signInPage) },
    body: form({ csrf: csrfOf(await signInPage.text()), email: COORDINATOR, password: 'demo-agio-2026' }),
  });
  const session = cookiesOf(signedIn);
  const csrf = csrfOf(await (await fetch(`${base}/area-personale`, { headers: { cookie: session } })).text());
  return { status: signedIn.status, session, csrf };
}

/** Adds an objective titled `title` to the agenda `slug` as the signed-in coordinator; the answer, read. */
export async function addObjective(base, { session, csrf }, slug, title) {
  const res = await fetch(`${base}/agende/${slug}/obiettivi/nuovo`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session },
    body: form({ csrf, title }),
  });
  await res.arrayBuffer();
  return res;
}
