//! Editing through forms: the authorisation matrix, validation, conflicts, the workflow, the
//! history, and hostile input. Both backends.

use crate::support::{set_cookie_value, Session, TestApp, GUASTALLA, RIMINI};
use agio_domain::access::Scope;
use agio_domain::Role;
use agio_testkit::both_backends;
use axum::http::StatusCode;

const ADMIN: &str = "regione@demo.agio.example";
const COORDINATOR: &str = "coordinatore@demo.agio.example";
const REFERENT: &str = "referente@demo.agio.example";
const CITIZEN: &str = "cittadino@demo.agio.example";
/// Created by the tests: coordinates only the Rimini agenda.
const RIMINI_COORDINATOR: &str = "rimini@demo.agio.example";

/// A coordinator of the Rimini agenda only, with the demo password.
async fn add_rimini_coordinator(app: &TestApp) {
    let facts = app.state.store.agenda_facts(RIMINI).await.unwrap().unwrap();
    app.add_person(RIMINI_COORDINATOR, "Rimini", Role::Coordinator, Scope::Agenda(facts.agenda_id)).await;
}

/// The id of the first indicator of an action.
async fn indicator_of(app: &TestApp, code: &str) -> String {
    let action = app.state.store.action(GUASTALLA, code).await.unwrap().unwrap();
    action.results.iter().flat_map(|r| &r.indicators).next().unwrap().id.clone()
}

/// A write route: its name, path, and the fields of a valid change.
type Route<'a> = (&'a str, String, Vec<(&'a str, &'a str)>);

fn action_form(title: &str, version: &str) -> Vec<(&'static str, String)> {
    vec![
        ("title", title.to_string()),
        ("description", "Testo **aggiornato**.".to_string()),
        ("term", "short".to_string()),
        ("status", "in_progress".to_string()),
        ("start_date", "2025-03-01".to_string()),
        ("end_date", "2026-12-31".to_string()),
        ("zone_plan_ref", String::new()),
        ("version", version.to_string()),
    ]
}

fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

// Every write route, for every role, in and out of scope: GET of the form and POST of a valid
// change must each answer exactly as the authorisation rules say.
both_backends!(the_authorisation_matrix, |backend| async move {
    let app = TestApp::demo(backend).await;
    add_rimini_coordinator(&app).await;
    let own_indicator = indicator_of(&app, "A02").await;
    let other_indicator = indicator_of(&app, "A01").await;
    let g = format!("/agende/{GUASTALLA}");
    let routes: Vec<Route> = vec![
        (
            "agenda",
            format!("{g}/modifica"),
            vec![("title", "Titolo"), ("period_start", "2025"), ("period_end", "2027")],
        ),
        ("status", format!("{g}/stato"), vec![("status", "archived"), ("note", "Fine")]),
        (
            "own action",
            format!("{g}/azioni/A02/modifica"),
            vec![("title", "T"), ("term", "short"), ("status", "planned")],
        ),
        (
            "other action",
            format!("{g}/azioni/A01/modifica"),
            vec![("title", "T"), ("term", "short"), ("status", "planned")],
        ),
        (
            "own indicator",
            format!("{g}/azioni/A02/indicatori/{own_indicator}/modifica"),
            vec![("name", "N"), ("unit", "u"), ("direction", "increase")],
        ),
        (
            "other indicator",
            format!("{g}/azioni/A01/indicatori/{other_indicator}/modifica"),
            vec![("name", "N"), ("unit", "u"), ("direction", "increase")],
        ),
        ("history", format!("{g}/cronologia"), vec![]),
        ("audit log", "/amministrazione/registro".to_string(), vec![]),
        ("agenda people", format!("{g}/persone"), vec![("email", "invitata@comune.example"), ("role", "coordinator")]),
        (
            "invite",
            "/amministrazione/invita".to_string(),
            vec![("email", "invitata@comune.example"), ("role", "citizen")],
        ),
        ("people", "/amministrazione/persone".to_string(), vec![]),
        ("outbox", "/amministrazione/posta".to_string(), vec![]),
        (
            "own organisation",
            "/soggetti/aps-ponti-tra-culture/modifica".to_string(),
            vec![("name", "Ponti tra Culture APS"), ("org_type", "aps")],
        ),
        (
            "other organisation",
            "/soggetti/unione-comuni-bassa-reggiana/modifica".to_string(),
            vec![("name", "Unione"), ("org_type", "local_authority")],
        ),
        (
            "district profile",
            "/territori/re-guastalla/profilo/modifica".to_string(),
            vec![("status", "published"), ("facilitation_km", "8")],
        ),
    ];
    // Expected answer per route (same order) for each person; 303 is "allowed" for a POST
    // (saved, then redirected) and 200 for a GET.
    use StatusCode as S;
    let ok = S::OK;
    let no = S::FORBIDDEN;
    let expected: Vec<(&str, [S; 19])> = vec![
        (ADMIN, [ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok]),
        (COORDINATOR, [ok, ok, ok, ok, ok, ok, ok, no, ok, no, no, no, no, no, ok, ok, ok, ok, ok]),
        (RIMINI_COORDINATOR, [no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no]),
        (REFERENT, [no, no, ok, no, ok, no, no, no, no, no, no, no, ok, no, no, no, ok, no, no]),
        (CITIZEN, [no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no, no]),
    ];
    for (email, answers) in &expected {
        let session = app.sign_in(email).await;
        for ((name, path, _), want) in routes.iter().zip(answers) {
            let got = app.get_as(path, &session).await.status;
            assert_eq!(got, *want, "GET {name} as {email}");
        }
    }
    // POSTs: each allowed person saves once (fresh versions each time), the others change nothing.
    for (email, answers) in &expected {
        let session = app.sign_in(email).await;
        for ((name, path, fields), want) in routes.iter().zip(answers).filter(|((_, _, f), _)| !f.is_empty()) {
            let form = app.get_as(path, &session).await;
            let version =
                form.body.split("name=\"version\" value=\"").nth(1).map(|r| r[..r.find('"').unwrap()].to_string());
            let version = version.unwrap_or_else(|| "1".into());
            let mut all = fields.clone();
            all.push(("version", &version));
            let got = app.post_as(path, &session, &all).await;
            let allowed = *want == ok;
            let status_move_possible = !(name == &"status" && got.status == S::UNPROCESSABLE_ENTITY);
            if allowed && status_move_possible {
                assert_eq!(got.status, S::SEE_OTHER, "POST {name} as {email}: {}", got.body);
            } else if !allowed {
                assert_eq!(got.status, *want, "POST {name} as {email}");
            }
        }
    }
    // Visitors who are not signed in are sent to sign in (GET) or refused (POST).
    let visitor = app.get(&routes[2].1).await;
    assert_eq!(visitor.status, S::SEE_OTHER);
    assert!(visitor.header("location").starts_with("/accedi?next="));
    let post = app.post_form(&routes[2].1, "", crate::support::form(&[("title", "x")])).await;
    assert_eq!(post.status, S::FORBIDDEN);
});

both_backends!(drafts_are_hidden_outside_their_circle, |backend| async move {
    let app = TestApp::demo(backend).await;
    add_rimini_coordinator(&app).await;
    app.make_draft(RIMINI).await;

    let page = format!("/agende/{RIMINI}");
    assert_eq!(app.get(&page).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("{page}/azioni/A01")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/agendas/{RIMINI}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/v1/agendas/{RIMINI}/actions/A01")).await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/agende").await.body.contains(RIMINI));
    assert!(!app.get("/api/v1/actions?per_page=100").await.body.contains(RIMINI));
    // Outside the circle: 404 even for a coordinator of another agenda, so existence does not leak.
    let citizen = app.sign_in(CITIZEN).await;
    assert_eq!(app.get_as(&page, &citizen).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_as(&format!("{page}/modifica"), &citizen).await.status, StatusCode::NOT_FOUND);
    // Inside: the coordinator sees the draft and may edit it.
    let coordinator = app.sign_in(RIMINI_COORDINATOR).await;
    app.get_as(&page, &coordinator).await.page_with(&["Bozza", &format!("{page}/modifica")]);
    app.get_as(&format!("{page}/stato"), &coordinator)
        .await
        .page_with(&["Stato attuale: Bozza.", "Apri la consultazione"]);
});

// From outside, a draft's tool pages answer exactly as the same pages of something that does
// not exist: sent to sign in when not signed in (whether or not it exists), 404 once signed in
// for whoever may not see it. Only the status and the kind of answer may be compared, since
// the sign-in link carries the address asked for.
both_backends!(tool_pages_do_not_tell_whether_a_draft_exists, |backend| async move {
    let app = TestApp::demo(backend).await;
    let agenda_id = app.make_draft(RIMINI).await;
    let objective = app.state.store.objectives_of_agenda(&agenda_id).await.unwrap()[0].code.clone();
    let tails = [
        "/modifica".to_string(),
        "/stato".to_string(),
        "/azioni/nuova".to_string(),
        "/obiettivi/nuovo".to_string(),
        "/cronologia".to_string(),
        "/persone".to_string(),
        "/archivio".to_string(),
        "/azioni/A01/modifica".to_string(),
        "/azioni/A01/soggetti".to_string(),
        "/azioni/A01/budget".to_string(),
        "/azioni/A01/asset".to_string(),
        "/azioni/A01/archivia".to_string(),
        "/azioni/A01/cronologia".to_string(),
        format!("/obiettivi/{objective}/modifica"),
        format!("/obiettivi/{objective}/archivia"),
    ];
    let citizen = app.sign_in(CITIZEN).await;
    for tail in &tails {
        let draft = format!("/agende/{RIMINI}{tail}");
        let missing = format!("/agende/non-esiste{tail}");
        let (a, b) = (app.get(&draft).await, app.get(&missing).await);
        assert_eq!((a.status, b.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "GET {tail}");
        assert!(a.header("location").starts_with("/accedi?next=%2Fagende%2F"), "{tail}: {}", a.header("location"));
        assert!(b.header("location").starts_with("/accedi?next=%2Fagende%2F"), "{tail}: {}", b.header("location"));
        let body = crate::support::form(&[("title", "x")]);
        let (a, b) = (app.post_form(&draft, "", body.clone()).await, app.post_form(&missing, "", body).await);
        assert_eq!(a.status, b.status, "POST {tail}");
        let (a, b) = (app.get_as(&draft, &citizen).await, app.get_as(&missing, &citizen).await);
        assert_eq!((a.status, b.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND), "GET {tail} as a citizen");
    }
    // Services and organisations are public, but their edit pages follow the same rule.
    for (existing, missing) in [
        ("/soggetti/aps-ponti-tra-culture/modifica", "/soggetti/non-esiste/modifica"),
        ("/soggetti/aps-ponti-tra-culture/cronologia", "/soggetti/non-esiste/cronologia"),
    ] {
        let (a, b) = (app.get(existing).await, app.get(missing).await);
        assert_eq!((a.status, b.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "{existing}");
    }
    // The API: no token, or a token that may not see the draft, answers as for nothing.
    let token = app.create_token(&citizen, "read").await;
    for path in [format!("/api/v1/agendas/{RIMINI}"), format!("/api/v1/agendas/{RIMINI}/actions/A01")] {
        let missing = path.replace(RIMINI, "non-esiste");
        for token in ["", token.as_str()] {
            let (a, b) = (
                app.api("GET", &path, token, serde_json::Value::Null).await,
                app.api("GET", &missing, token, serde_json::Value::Null).await,
            );
            assert_eq!((a.status, b.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND), "{path} with {token:?}");
        }
    }
});

both_backends!(an_action_edit_validates_keeps_input_and_records_the_change, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let path = format!("/agende/{GUASTALLA}/azioni/A02/modifica");
    let form = app.get_as(&path, &coordinator).await;
    form.page_with(&[
        "Modifica l&#39;azione A02",
        "name=\"version\" value=\"1\"",
        "<textarea",
        "aria-describedby=\"f-description-hint\"",
    ]);

    let mut bad = action_form("", "1");
    bad[4].1 = "2025-02-30".into();
    bad[5].1 = "ieri".into();
    bad[1].1 = "<script>alert(1)</script> keep me".into();
    let r = app.post_as(&path, &coordinator, &pairs(&bad)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"form-errors\" tabindex=\"-1\" autofocus"), "the summary takes the focus");
    assert!(r.body.contains("<a href=\"#f-title\">Titolo: campo obbligatorio.</a>"), "{}", r.body);
    assert!(r.body.contains("aria-describedby=\"f-start_date-hint f-start_date-error\" aria-invalid=\"true\""));
    let at = r.body.find("keep me").map(|i| &r.body[i.saturating_sub(80)..i + 10]).unwrap_or("none");
    assert!(r.body.contains("&#60;script&#62;alert(1)&#60;/script&#62; keep me"), "the input is kept, escaped: {at}");
    assert!(!r.body.contains("<script>alert(1)"));
    assert_eq!(
        app.state
            .store
            .history("action", &app.state.store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap().0.id)
            .await
            .unwrap()
            .len(),
        0
    );

    let good = action_form("Sportello digitale <b>di comunità</b>", "1");
    let r = app.post_as(&path, &coordinator, &pairs(&good)).await;
    assert_eq!(
        (r.status, r.header("location")),
        (StatusCode::SEE_OTHER, format!("/agende/{GUASTALLA}/azioni/A02").as_str())
    );
    // The page the save leads to confirms it, once: focused and announced, then gone.
    assert_eq!(set_cookie_value(&r, "agio_notice").as_deref(), Some("saved"));
    let with_notice = Session { cookie: format!("{}; agio_notice=saved", coordinator.cookie), ..coordinator.clone() };
    let page = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02"), &with_notice).await;
    page.page_with(&["<div class=\"alert alert-success agio-notice\" role=\"status\" id=\"agio-notice\" tabindex=\"-1\" autofocus><p class=\"mb-0\">Modifiche salvate.</p></div>"]);
    assert_eq!(set_cookie_value(&page, "agio_notice").as_deref(), Some(""), "the notice is cleared once shown");
    let forged = Session { cookie: format!("{}; agio_notice=%3Cscript%3E", coordinator.cookie), ..coordinator.clone() };
    let page = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02"), &forged).await;
    assert!(!page.body.contains("agio-notice"), "only the known notices are shown");
    let page = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02"), &coordinator).await;
    assert!(!page.body.contains("agio-notice"));
    page.page_with(&[
        "Sportello digitale &#60;b&#62;di comunità&#60;/b&#62;",
        "<strong>aggiornato</strong>",
        "In corso",
    ]);
    // The agenda is approved: the public keeps reading version 1 (cached or not) until the
    // coordinator publishes a new one; those who write it see the working draft.
    let a02 = format!("/agende/{GUASTALLA}/azioni/A02");
    let public = app.get(&a02).await;
    public.page_with(&["Versione approvata n. 1"]);
    assert!(!public.body.contains("Sportello digitale"), "the public page shows the approved version");
    app.get_as(&a02, &coordinator)
        .await
        .page_with(&["Stai vedendo la bozza di lavoro", "Confronta con la versione pubblica"]);
    // The toolbar has a hierarchy: the main actions first and prominent, the destructive last.
    let agenda = app.get_as(&format!("/agende/{GUASTALLA}"), &coordinator).await;
    let tools = agenda.body.split("class=\"agio-tools").nth(1).unwrap().split("</ul>").next().unwrap();
    let classes: Vec<&str> = tools.split("class=\"btn ").skip(1).map(|b| b.split(" btn-sm").next().unwrap()).collect();
    assert_eq!(classes.first(), Some(&"btn-primary"), "{tools}");
    assert_eq!(classes.last(), Some(&"btn-outline-danger"), "{tools}");
    assert!(tools.find("/modifica").unwrap() < tools.find("/versioni").unwrap(), "{tools}");
    // Before publishing, the workflow screen shows what the draft changes.
    let workflow = app.get_as(&format!("/agende/{GUASTALLA}/stato"), &coordinator).await;
    workflow.page_with(&[
        "<h2 class=\"mt-4\">Che cosa cambia la bozza rispetto alla versione n. 1</h2>",
        "<th scope=\"row\">Azione A02 · Titolo</th>",
        "Sportello digitale &#60;b&#62;di comunità&#60;/b&#62;",
    ]);
    let publish = [("status", "approved"), ("note", "Aggiornamento annuale"), ("version", "1")];
    let r = app.post_as(&format!("/agende/{GUASTALLA}/stato"), &coordinator, &publish).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.get(&a02).await.page_with(&["Sportello digitale &#60;b&#62;", "Versione approvata n. 2"]);
    let versions = app.get(&format!("/agende/{GUASTALLA}/versioni?da=1&a=2")).await;
    versions.page_with(&[
        "Aggiornamento annuale",
        "Cambiamenti dalla versione 1 alla versione 2",
        "Azione A02 · Titolo",
        "Sportello digitale &#60;b&#62;di comunità&#60;/b&#62;",
    ]);
    // Only those who write the agenda may compare with the working draft.
    let draft = format!("/agende/{GUASTALLA}/versioni?da=2&a=bozza");
    assert_eq!(app.get(&draft).await.status, StatusCode::BAD_REQUEST);
    app.get_as(&draft, &coordinator).await.page_with(&["Nessuna differenza."]);
    // A version is immutable, whatever the code path.
    assert!(app.state.store.execute_raw("UPDATE agenda_versions SET note = 'x'").await.is_err());
    let history = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02/cronologia"), &coordinator).await;
    history.page_with(&[
        "Cronologia",
        "Carlo Coordinatore (demo)",
        "modulo web",
        "Sportello digitale &#60;b&#62;di comunità&#60;/b&#62;",
        "Testo **aggiornato**.",
    ]);

    // The agenda's history holds its actions' and indicators' changes too, and reads as the
    // pages do: labels, statuses by name, Italian dates and decimals, no bookkeeping.
    let indicator = indicator_of(&app, "A02").await;
    let indicator_form = format!("/agende/{GUASTALLA}/azioni/A02/indicatori/{indicator}/modifica");
    let form = app.get_as(&indicator_form, &coordinator).await;
    let version = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let change = [
        ("name", "Guide tradotte"),
        ("unit", "servizi"),
        ("target_value", "150,5"),
        ("direction", "increase"),
        ("version", version.as_str()),
    ];
    let r = app.post_as(&indicator_form, &coordinator, &change).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let history = app.get_as(&format!("/agende/{GUASTALLA}/cronologia"), &coordinator).await;
    history.page_with(&[
        // The trail starts from the list: Home › Agende › the agenda › Cronologia.
        "<li class=\"breadcrumb-item\"><a href=\"/agende\">Agende digitali sociali</a>",
        "Pubblicazione della versione approvata n. 2",
        "Cambio di stato",
        "Azione A02",
        "<th scope=\"row\">Titolo</th>",
        "<th scope=\"row\">Data di inizio</th>",
        "Indicatore ",
        "<th scope=\"row\">Valore obiettivo</th>",
        "150,5",
    ]);
    for raw in ["<code>", "target_value", "start_date", "\"version\"", "slug", "2025-03-01", "150.5"] {
        assert!(!history.body.contains(raw), "the history shows {raw}");
    }
});

both_backends!(two_people_editing_at_once_lose_nothing, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let referent = app.sign_in(REFERENT).await;
    let path = format!("/agende/{GUASTALLA}/azioni/A02/modifica");
    // Both opened the form at version 1; the referent saves first.
    let first = app.post_as(&path, &referent, &pairs(&action_form("Titolo del referente", "1"))).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    let second = app.post_as(&path, &coordinator, &pairs(&action_form("Titolo del coordinatore", "1"))).await;
    assert_eq!(second.status, StatusCode::CONFLICT);
    assert!(second.body.contains("Modifiche salvate da un&#39;altra persona"));
    assert!(
        second.body.contains(
            "<td class=\"agio-pre\">Titolo del referente</td><td class=\"agio-pre\">Titolo del coordinatore</td>"
        ),
        "{}",
        second.body
    );
    assert!(second.body.contains("name=\"version\" value=\"2\""), "the form now starts from the stored version");
    assert!(second.body.contains("value=\"Titolo del coordinatore\""), "the coordinator's input is still there");
    let stored = app.state.store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap().0;
    assert_eq!(stored.fields.title, "Titolo del referente", "nothing saved until the person decides");
    // Deciding to keep their own version: save again from version 2.
    let again = app.post_as(&path, &coordinator, &pairs(&action_form("Titolo del coordinatore", "2"))).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.state.store.history("action", &stored.id).await.unwrap().len(), 2);
});

both_backends!(the_workflow_moves_with_a_note, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let path = format!("/agende/{RIMINI}/stato");
    // The screen names what each move does, not only the states.
    app.get_as(&path, &coordinator).await.page_with(&[
        "Stato attuale: In consultazione. Non è ancora stata pubblicata nessuna versione approvata.",
        "<option value=\"approved\">Pubblica la bozza come versione approvata n. 1</option>",
        "<option value=\"draft\">Riporta l&#39;agenda in bozza</option>",
        "Pubblica la bozza come versione approvata n. 1: la bozza di oggi diventa la versione n. 1",
        ">Cambia stato</button>",
    ]);
    // Once a version is published, the next approval names the next number, and the screen
    // shows how the draft differs from what is published (here: not at all).
    let guastalla = app.get_as(&format!("/agende/{GUASTALLA}/stato"), &app.sign_in(COORDINATOR).await).await;
    guastalla.page_with(&[
        "È pubblicata la versione approvata n. 1",
        "Che cosa cambia la bozza rispetto alla versione n. 1",
        "Nessuna differenza.",
    ]);
    assert!(!app.get_as(&path, &coordinator).await.body.contains("Che cosa cambia"), "nothing published yet");
    // Skipping a step is not one of the choices.
    let r = app.post_as(&path, &coordinator, &[("status", "archived"), ("note", "salto"), ("version", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post_as(&path, &coordinator, &[("status", "approved"), ("note", ""), ("version", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Nota: campo obbligatorio."));
    let r = app
        .post_as(&path, &coordinator, &[("status", "approved"), ("note", "Delibera n. 12/2026"), ("version", "1")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.get(&format!("/agende/{RIMINI}")).await.page_with(&["Approvata"]);
    let history = app.get_as(&format!("/agende/{RIMINI}/cronologia"), &coordinator).await;
    history.page_with(&["Cambio di stato", "Delibera n. 12/2026", "In consultazione", "Approvata"]);
    // The administrator finds it in the log by person and kind.
    let admin = app.sign_in(ADMIN).await;
    let log = app.get_as("/amministrazione/registro?person=coordinatore&entity=agenda", &admin).await;
    log.page_with(&["Registro delle modifiche", "Delibera n. 12/2026"]);
    assert!(!log.body.contains("Importazione"), "filtered by person");
    let bad = app.get_as("/amministrazione/registro?from=ieri", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("«ieri» non è una data"));
    let bad = app.get_as("/amministrazione/registro?prima=ieri", &admin).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // The whole log, page after older page: every entry once, newest first, as many as counted.
    let mut next = Some("/amministrazione/registro".to_string());
    let (mut seen, mut pages, mut total) = (Vec::new(), 0, 0);
    while let Some(path) = next.take() {
        let page = app.get_as(&path, &admin).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let count = page.body.split("role=\"status\">").nth(1).unwrap().split("<strong>").nth(1).unwrap();
        total = count.split('<').next().unwrap().parse::<usize>().unwrap();
        seen.extend(page.body.matches("class=\"agio-history-entry\"").map(|_| pages));
        next = page.body.split("href=\"/amministrazione/registro?").skip(1).find_map(|link| {
            let href = link.split('"').next().unwrap().replace("&amp;", "&");
            href.contains("prima=").then(|| format!("/amministrazione/registro?{href}"))
        });
        if pages > 0 {
            page.page_with(&["Le più recenti"]);
        }
        pages += 1;
    }
    assert!(pages > 1, "the demo's log takes more than one page ({total} entries)");
    assert_eq!(seen.len(), total, "each entry on exactly one page");
});

both_backends!(hostile_input_is_stored_literally_and_rendered_inert, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let path = format!("/agende/{GUASTALLA}/azioni/A02/modifica");
    let hostile = [
        ("title", "Robert'); DROP TABLE actions;-- <img src=x onerror=alert(1)>"),
        ("description", "[clic](javascript:alert(1)) <script>alert(2)</script> <a href=\"x\" onclick=\"y\">z</a>"),
        ("term", "short"),
        ("status", "planned"),
        ("version", "1"),
    ];
    let r = app.post_as(&path, &referent, &hostile).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02"), &referent).await;
    assert!(page.body.contains("Robert&#39;); DROP TABLE actions;-- &#60;img src=x onerror=alert(1)&#62;"));
    // Raw HTML shows as text, links go only to safe schemes.
    for inert in ["href=\"javascript:", "<script>alert(2)", "<a href=\"x\" onclick", "<img src=x"] {
        assert!(!page.body.contains(inert), "{inert} reached the page");
    }
    // Too long, control characters, invalid UTF-8, a huge body: clear 4xx answers, never a 500.
    let long = "x".repeat(301);
    let r = app
        .post_as(&path, &referent, &[("title", &long), ("term", "short"), ("status", "planned"), ("version", "2")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("supera i 300 caratteri"));
    let r = app
        .post_as(&path, &referent, &[("title", "a\u{0}b"), ("term", "short"), ("status", "planned"), ("version", "2")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = format!("csrf={}&title=%FF%FE&term=short", referent.csrf);
    let r = app.post_form(&path, &referent.cookie, body).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("non si possono leggere"), "{}", r.body);
    let huge = format!("csrf={}&description={}", referent.csrf, "x".repeat(600 * 1024));
    let r = app.post_form(&path, &referent.cookie, huge).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
});

both_backends!(a_referent_keeps_the_organisation_profile_up_to_date, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let page = app.get_as("/soggetti/aps-ponti-tra-culture", &referent).await;
    page.page_with(&["/soggetti/aps-ponti-tra-culture/modifica", "/soggetti/aps-ponti-tra-culture/cronologia"]);
    let form = app.get_as("/soggetti/aps-ponti-tra-culture/modifica", &referent).await;
    form.page_with(&["Modifica il profilo di Ponti tra Culture APS", "Associazione di promozione sociale"]);
    let bad = app
        .post_as(
            "/soggetti/aps-ponti-tra-culture/modifica",
            &referent,
            &[
                ("name", "Ponti"),
                ("org_type", "spa"),
                ("website", "javascript:alert(1)"),
                ("tax_code", "123"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for text in ["Tipo: scegli uno dei valori proposti", "https://", "partita IVA (11 cifre)"] {
        assert!(bad.body.contains(text), "{text}: {}", bad.body);
    }
    let ok = app
        .post_as(
            "/soggetti/aps-ponti-tra-culture/modifica",
            &referent,
            &[
                ("name", "Ponti tra Culture APS"),
                ("org_type", "aps"),
                ("website", "https://ponti.example.it"),
                ("description", "Mediazione e facilitazione digitale."),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    app.get("/soggetti/aps-ponti-tra-culture")
        .await
        .page_with(&["https://ponti.example.it", "Mediazione e facilitazione digitale."]);
    app.get_as("/soggetti/aps-ponti-tra-culture/cronologia", &referent)
        .await
        .page_with(&["Rita Referente (demo)", "https://ponti.example.it"]);
    // Through the API too, with the same rules.
    let token = app.create_token(&referent, "write").await;
    let r = app
        .api(
            "PATCH",
            "/api/v1/organizations/aps-ponti-tra-culture",
            &token,
            serde_json::json!({ "version": 2, "website": null }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["website"], serde_json::Value::Null);
    let r = app
        .api("PATCH", "/api/v1/organizations/unione-comuni-bassa-reggiana", &token, serde_json::json!({ "version": 1 }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

both_backends!(coordinators_add_objectives_and_actions, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let base = format!("/agende/{RIMINI}");
    app.get_as(&base, &coordinator).await.page_with(&["/obiettivi/nuovo", "/azioni/nuova"]);
    let r = app
        .post_as(&format!("{base}/obiettivi/nuovo"), &coordinator, &[("title", "Competenze digitali per tutte le età")])
        .await;
    assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, format!("{base}#obj-O5").as_str()));
    let form = app.get_as(&format!("{base}/azioni/nuova"), &coordinator).await;
    form.page_with(&["Nuova azione", "O5 — Competenze digitali per tutte le età"]);
    let bad = app
        .post_as(
            &format!("{base}/azioni/nuova"),
            &coordinator,
            &[("objective", "O99"), ("title", ""), ("term", "short"), ("status", "proposed"), ("lead", "nessuno")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for text in [
        "Obiettivo: scegli uno dei valori proposti",
        "Titolo: campo obbligatorio.",
        "Capofila: scegli uno dei valori proposti",
    ] {
        assert!(bad.body.contains(text), "{text}");
    }
    let fields = [
        ("objective", "O5"),
        ("title", "Palestre digitali nei quartieri"),
        ("term", "medium"),
        ("status", "planned"),
        ("lead", "aps-ponti-tra-culture"),
    ];
    let r = app.post_as(&format!("{base}/azioni/nuova"), &coordinator, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let code = r.header("location").rsplit('/').next().unwrap().to_string();
    assert_eq!(code, "A13", "the next code after the twelve demo actions");
    // Rimini is in consultation: the public reads the live agenda, new action included.
    app.get(&format!("{base}/azioni/A13"))
        .await
        .page_with(&["Palestre digitali nei quartieri", "Ponti tra Culture APS"]);
    app.get(&base).await.page_with(&["Competenze digitali per tutte le età", "Palestre digitali nei quartieri"]);
    // Its lead's referent may now edit it; the log knows who added it.
    let referent = app.sign_in(REFERENT).await;
    assert_eq!(app.get_as(&format!("{base}/azioni/A13/modifica"), &referent).await.status, StatusCode::OK);
    assert_eq!(app.get_as(&format!("{base}/azioni/nuova"), &referent).await.status, StatusCode::FORBIDDEN);
    let admin = app.sign_in(ADMIN).await;
    app.get_as("/amministrazione/registro?entity=objective", &admin)
        .await
        .page_with(&["Carlo Coordinatore (demo)", "Creazione"]);

    // The same through the API.
    let token = app.create_token(&coordinator, "write").await;
    let r = app
        .api(
            "POST",
            &format!("/api/v1/agendas/{RIMINI}/actions"),
            &token,
            serde_json::json!({
                "objective": "O1", "title": "Sportelli mobili", "term": "short", "status": "proposed"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!((r.json()["code"].as_str(), r.json()["title"].as_str()), (Some("A14"), Some("Sportelli mobili")));
    let r = app
        .api("POST", &format!("/api/v1/agendas/{RIMINI}/objectives"), &token, serde_json::json!({ "title": ["x"] }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let other = app.create_token(&referent, "write").await;
    let r = app
        .api("POST", &format!("/api/v1/agendas/{RIMINI}/objectives"), &other, serde_json::json!({ "title": "x" }))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

both_backends!(an_actions_partners_and_budget_lines, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let action = format!("/agende/{GUASTALLA}/azioni/A02");
    app.get_as(&action, &referent).await.page_with(&[&format!("{action}/soggetti"), &format!("{action}/budget")]);

    let partners = format!("{action}/soggetti");
    let page = app.get_as(&partners, &referent).await;
    page.page_with(&["Soggetti dell&#39;azione A02", "Ponti tra Culture APS", "Aggiungi un soggetto"]);
    let twice = app.post_as(&partners, &referent, &[("organization", "cpia-bassa-reggiana"), ("role", "lead")]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY, "already a partner, and a second lead");
    assert!(twice.body.contains("questo soggetto partecipa già all&#39;azione"), "{}", twice.body);
    assert!(twice.body.contains("l&#39;azione ha già un capofila"), "{}", twice.body);
    let r = app
        .post_as(
            &partners,
            &referent,
            &[("organization", "iis-guastalla"), ("role", "partner"), ("role_description", "Aule e studenti tutor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.get_as(&partners, &referent).await.page_with(&["Aule e studenti tutor"]);
    let r = app.post_as(&format!("{partners}/comune-novellara/rimuovi"), &referent, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    let names: Vec<&str> = after.partners.iter().map(|p| p.organization.slug.as_str()).collect();
    assert!(names.contains(&"iis-guastalla") && !names.contains(&"comune-novellara"), "{names:?}");

    let budget = format!("{action}/budget");
    let bad =
        app.post_as(&budget, &referent, &[("funding_source", "lotteria"), ("amount", "tanti"), ("cup", "x")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let total_before = after.budget_total_cents;
    let r = app
        .post_as(
            &budget,
            &referent,
            &[
                ("funding_source", "pnrr"),
                ("amount", "12.500,50"),
                ("cup", "J81B22000000005"),
                ("description", "Tablet"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    assert_eq!(after.budget_total_cents, total_before + 1_250_050);
    let line = after.budget.iter().find(|b| b.description == "Tablet").unwrap().id.clone();
    assert_eq!(app.post_as(&format!("{budget}/{line}/rimuovi"), &referent, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_as(&format!("{budget}/{line}/rimuovi"), &referent, &[]).await.status, StatusCode::NOT_FOUND);
    // Every change is in the action's history, and made a new version of it.
    let history = app.get_as(&format!("{action}/cronologia"), &referent).await;
    history.page_with(&[
        "Aggiunta di un soggetto",
        "Rimozione di un soggetto",
        "Aggiunta di una voce di budget",
        "Rimozione di una voce di budget",
    ]);
    assert_eq!(app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap().version, 5);
    // Not the referent's action: 403 on the page and on the forms.
    assert_eq!(
        app.get_as(&format!("/agende/{GUASTALLA}/azioni/A01/budget"), &referent).await.status,
        StatusCode::FORBIDDEN
    );
    let r =
        app.post_as(&format!("/agende/{GUASTALLA}/azioni/A01/soggetti/comune-guastalla/rimuovi"), &referent, &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
});

// Results, indicators and digital assets: added and removed by the lead's referent, each change
// checked, audited and counted as a new version of the action.
both_backends!(an_actions_results_indicators_and_assets, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let action = format!("/agende/{GUASTALLA}/azioni/A02");
    let tools = [format!("{action}/risultati"), format!("{action}/indicatori"), format!("{action}/asset")];
    app.get_as(&action, &referent).await.page_with(&tools.iter().map(String::as_str).collect::<Vec<_>>());
    let version = |app: &TestApp| {
        let store = app.state.store.clone();
        async move { store.action(GUASTALLA, "A02").await.unwrap().unwrap() }
    };
    let before = version(&app).await;

    let results = &tools[0];
    app.get_as(results, &referent)
        .await
        .page_with(&["Risultati attesi dell&#39;azione A02", "Aggiungi un risultato atteso"]);
    let bad = app.post_as(results, &referent, &[("kind", "miracle"), ("description", "")]).await;
    bad.answer_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &["aria-invalid=\"true\"", "Tipo di risultato", "Risultato atteso"],
    );
    let r = app
        .post_as(results, &referent, &[("kind", "outcome"), ("description", "Più persone usano lo SPID da sole")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = version(&app).await;
    let result = after.results.iter().find(|r| r.description == "Più persone usano lo SPID da sole").unwrap();
    assert_eq!(result.kind, agio_domain::ResultKind::Outcome);

    let indicators = &tools[1];
    app.get_as(indicators, &referent).await.page_with(&["Più persone usano lo SPID da sole", "Aggiungi un indicatore"]);
    let bad = app
        .post_as(
            indicators,
            &referent,
            &[
                ("result", "nessuno"),
                ("name", "Persone"),
                ("unit", "n."),
                ("direction", "increase"),
                ("baseline_year", "2027"),
                ("target_year", "2025"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("value=\"Persone\""), "the input is kept");
    let fields = [
        ("result", result.id.as_str()),
        ("name", "Persone che accedono da sole"),
        ("unit", "persone"),
        ("baseline_value", "0"),
        ("baseline_year", "2025"),
        ("target_value", "120,5"),
        ("target_year", "2027"),
        ("direction", "increase"),
    ];
    let r = app.post_as(indicators, &referent, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = version(&app).await;
    let result = after.results.iter().find(|r| r.description == "Più persone usano lo SPID da sole").unwrap();
    assert_eq!(result.indicators.len(), 1);
    assert_eq!(result.indicators[0].target_value, Some(120.5));
    let indicator = result.indicators[0].id.clone();
    app.get_as(&action, &referent).await.page_with(&["Persone che accedono da sole"]);
    assert_eq!(
        app.post_as(&format!("{indicators}/{indicator}/rimuovi"), &referent, &[]).await.status,
        StatusCode::SEE_OTHER
    );

    let assets = &tools[2];
    let page = app.get_as(assets, &referent).await;
    page.page_with(&["Asset digitali dell&#39;azione A02", "Collega un asset digitale", "Lepida"]);
    let twice = app.post_as(assets, &referent, &[("asset", "app-io")]).await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY, "already linked");
    let r = app.post_as(assets, &referent, &[("asset", "lepida-rete")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.post_as(&format!("{assets}/app-io/rimuovi"), &referent, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_as(&format!("{assets}/app-io/rimuovi"), &referent, &[]).await.status, StatusCode::NOT_FOUND);
    let after = version(&app).await;
    let linked: Vec<&str> = after.assets.iter().map(|a| a.slug.as_str()).collect();
    assert!(linked.contains(&"lepida-rete") && !linked.contains(&"app-io"), "{linked:?}");

    // Removing a result removes its indicators with it, and the history keeps both.
    let first = after.results[0].clone();
    assert!(!first.indicators.is_empty());
    assert_eq!(
        app.post_as(&format!("{results}/{}/rimuovi", first.id), &referent, &[]).await.status,
        StatusCode::SEE_OTHER
    );
    let after = version(&app).await;
    assert!(after.results.iter().all(|r| r.id != first.id));
    assert_eq!(after.version, before.version + 6);
    let history = app.get_as(&format!("{action}/cronologia"), &referent).await;
    history.page_with(&[
        "Aggiunta di un risultato atteso",
        "Aggiunta di un indicatore",
        "Rimozione di un indicatore",
        "Collegamento di un asset digitale",
        "Scollegamento di un asset digitale",
        "Rimozione di un risultato atteso",
        &first.indicators[0].name,
    ]);
    // Another organisation's action: 403 on each list.
    for part in ["risultati", "indicatori", "asset"] {
        let other = format!("/agende/{GUASTALLA}/azioni/A01/{part}");
        assert_eq!(app.get_as(&other, &referent).await.status, StatusCode::FORBIDDEN, "{part}");
        assert_eq!(app.post_as(&other, &referent, &[]).await.status, StatusCode::FORBIDDEN, "{part}");
    }
});
