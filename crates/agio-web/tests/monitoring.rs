//! Monitoring: a referent enters and sends a quarter's values, a coordinator returns one and
//! approves, the progress changes, and the public sees only approved values. Both backends.

use crate::support::{Session, TestApp};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";
/// Referent of the organisation leading A02 (and nothing else).
const REFERENT: &str = "referente@demo.agio.example";
const GUASTALLA: &str = "/agende/agenda-digitale-sociale-bassa-reggiana-2025-2027";

/// The form token and version a page's inline move form for `action` carries.
fn version_in(page: &str, action: &str) -> String {
    let at = page.find(&format!("action=\"{action}\"")).unwrap_or_else(|| panic!("no form for {action}"));
    let rest = &page[at..];
    let v = rest.find("name=\"version\" value=\"").unwrap() + 22;
    rest[v..v + rest[v..].find('"').unwrap()].to_string()
}

async fn post(app: &TestApp, who: &Session, path: &str, pairs: &[(&str, &str)]) -> crate::support::Reply {
    app.post_as(path, who, pairs).await
}

both_backends!(the_demo_agenda_shows_its_progress_and_only_approved_values_to_the_public, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get(&format!("{GUASTALLA}/monitoraggio")).await;
    page.page_with(&[
        "<h1>Monitoraggio — Agenda Digitale Sociale della Bassa Reggiana 2025-2027</h1>",
        "<dt>Avanzamento dell&#39;Agenda</dt>",
        "A03 — Nonni e nipoti in rete",
        "Completata",
        "<figure class=\"agio-chart\">",
        "Come si calcola",
        "Due Comuni non hanno ancora condiviso l&#39;elenco",
    ]);
    // A01's last quarter is waiting for approval: the public reads the quarter before.
    assert!(page.body.contains("7 (3º trimestre 2026)"), "A01's latest approved value");
    assert!(!page.body.contains("Valori da approvare"), "the queue is the coordinators'");
    let a01 = app.indicators(crate::support::GUASTALLA, "A01").await;
    let public = app.get(&format!("{GUASTALLA}/indicatori/{}", a01[0])).await;
    public.page_with(&["Valori nel tempo", "3º trimestre 2026", "<polyline"]);
    assert!(!public.body.contains("4º trimestre 2026"), "a value waiting for approval is not public");
    let coordinator = app.sign_in(COORDINATOR).await;
    let theirs = app.get_as(&format!("{GUASTALLA}/indicatori/{}", a01[0]), &coordinator).await;
    theirs.page_with(&["4º trimestre 2026", "Inviata", "Approva"]);
    app.get_en(&format!("{GUASTALLA}/monitoraggio")).await.page_with(&["Progress of the Agenda", "Q3 2026"]);
    app.get(&format!("{GUASTALLA}/indicatori/nessuno")).await.answer_with(StatusCode::NOT_FOUND, &[]);
});

both_backends!(a_referent_enters_and_sends_a_coordinator_returns_and_approves, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let a02 = app.indicators(crate::support::GUASTALLA, "A02").await;
    let page = format!("{GUASTALLA}/indicatori/{}", a02[0]);
    let quarter = format!("{page}/2027-Q1");
    // Numbers as people write them; an ambiguous one is refused and nothing is saved.
    let ambiguous = post(&app, &referent, &format!("{quarter}/valore"), &[("value", "1.234"), ("version", "0")]).await;
    ambiguous.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-value\"", "non è chiaro se il punto"]);
    let saved = post(
        &app,
        &referent,
        &format!("{quarter}/valore"),
        &[("value", "5"), ("note", "Tradotte in arabo e urdu."), ("version", "0")],
    )
    .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mine = app.get_as(&page, &referent).await;
    mine.page_with(&["1º trimestre 2027", "Bozza", "Tradotte in arabo e urdu.", "Invia per l&#39;approvazione"]);
    assert!(!app.get(&page).await.body.contains("1º trimestre 2027"), "a draft is not public");
    // Sent; a referent cannot approve; a coordinator must say why a value goes back.
    let version = version_in(&mine.body, &format!("{quarter}/invia"));
    let sent = post(&app, &referent, &format!("{quarter}/invia"), &[("version", &version)]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let theirs = app.get_as(&page, &coordinator).await;
    let version = version_in(&theirs.body, &format!("{quarter}/approva"));
    let by_referent = post(&app, &referent, &format!("{quarter}/approva"), &[("version", &version)]).await;
    assert_eq!(by_referent.status, StatusCode::FORBIDDEN);
    let no_reason = post(&app, &coordinator, &format!("{quarter}/restituisci"), &[("version", &version)]).await;
    no_reason.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-comment\""]);
    let returned = post(
        &app,
        &coordinator,
        &format!("{quarter}/restituisci"),
        &[("comment", "Contare solo le guide pubblicate."), ("version", &version)],
    )
    .await;
    assert_eq!(returned.status, StatusCode::SEE_OTHER, "{}", returned.body);
    let mine = app.get_as(&page, &referent).await;
    mine.page_with(&["Restituita", "Contare solo le guide pubblicate."]);
    // Corrected, sent again, approved: now public and counted.
    let edit = app.get_as(&format!("{quarter}/valore"), &referent).await;
    let version = edit.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let corrected = post(&app, &referent, &format!("{quarter}/valore"), &[("value", "4"), ("version", &version)]).await;
    assert_eq!(corrected.status, StatusCode::SEE_OTHER, "{}", corrected.body);
    let mine = app.get_as(&page, &referent).await;
    let version = version_in(&mine.body, &format!("{quarter}/invia"));
    post(&app, &referent, &format!("{quarter}/invia"), &[("version", &version)]).await;
    let theirs = app.get_as(&page, &coordinator).await;
    let version = version_in(&theirs.body, &format!("{quarter}/approva"));
    let approved = post(&app, &coordinator, &format!("{quarter}/approva"), &[("version", &version)]).await;
    assert_eq!(approved.status, StatusCode::SEE_OTHER, "{}", approved.body);
    app.get(&page).await.page_with(&["4 (1º trimestre 2027)", "Approvata"]);
    app.get(&format!("{GUASTALLA}/monitoraggio")).await.page_with(&["4 (1º trimestre 2027)"]);
    // The history says who did what, field by field.
    let history = app.get_as(&format!("{GUASTALLA}/cronologia"), &coordinator).await;
    history.page_with(&["Restituzione di un valore", "Approvazione di un valore"]);
});

both_backends!(values_outside_a_referent_s_reach_or_the_agenda_s_span_are_refused, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let a02 = app.indicators(crate::support::GUASTALLA, "A02").await;
    let a01 = app.indicators(crate::support::GUASTALLA, "A01").await;
    // A01 is led by another organisation.
    let other = format!("{GUASTALLA}/indicatori/{}/2027-Q1/valore", a01[0]);
    assert_eq!(post(&app, &referent, &other, &[("value", "1")]).await.status, StatusCode::FORBIDDEN);
    // 2028 is past the agenda's span; Q5 is no quarter.
    for period in ["2028-Q1", "2027-Q5", "2027-S1"] {
        let path = format!("{GUASTALLA}/indicatori/{}/{period}/valore", a02[0]);
        assert_eq!(app.get_as(&path, &referent).await.status, StatusCode::NOT_FOUND, "{period}");
    }
    // A percentage is its parts, and the numerator cannot exceed the denominator.
    let share = format!("{GUASTALLA}/indicatori/{}/2027-Q1/valore", a02[2]);
    app.get_as(&share, &referent).await.page_with(&["Numeratore", "Denominatore"]);
    let above = post(&app, &referent, &share, &[("numerator", "60"), ("denominator", "50"), ("version", "0")]).await;
    above.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-numerator\""]);
    // The coordinators judge an action's standing, with a reason.
    let judge = format!("{GUASTALLA}/azioni/A02/andamento");
    assert_eq!(app.get_as(&judge, &referent).await.status, StatusCode::FORBIDDEN);
    let no_reason = post(&app, &coordinator, &judge, &[("standing", "late"), ("version", "0")]).await;
    no_reason.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-reason\""]);
    let judged = post(
        &app,
        &coordinator,
        &judge,
        &[("standing", "late"), ("reason", "Mediatori non ancora assunti."), ("version", "0")],
    )
    .await;
    assert_eq!(judged.status, StatusCode::SEE_OTHER, "{}", judged.body);
    app.get(&format!("{GUASTALLA}/monitoraggio")).await.page_with(&["Mediatori non ancora assunti."]);
});

both_backends!(the_region_sees_every_agenda_s_progress_on_a_map_and_in_tables, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get("/monitoraggio").await;
    page.page_with(&[
        "<h1>Monitoraggio regionale delle Agende</h1>",
        "<dt>Avanzamento della regione</dt><dd>59,2%</dd>",
        &format!("href=\"{GUASTALLA}/monitoraggio\""),
        "Accesso con SPID e CIE tramite la federazione regionale",
        "Competenze digitali",
        "Persone a rischio di esclusione digitale",
        "Senza valori approvati",
    ]);
    // The API gives the same tree, approved values only for the public.
    let slug = GUASTALLA.trim_start_matches("/agende/");
    let tree = app.get(&format!("/api/v1/agendas/{slug}/monitoring")).await.json();
    assert_eq!(tree["progress"], "59.2");
    let statuses: Vec<&str> = tree["objectives"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|o| o["actions"].as_array().unwrap())
        .flat_map(|a| a["indicators"].as_array().unwrap())
        .flat_map(|i| i["measurements"].as_array().unwrap())
        .map(|m| m["status"].as_str().unwrap())
        .collect();
    assert!(statuses.len() > 100 && statuses.iter().all(|s| *s == "approved"), "{} values", statuses.len());
});

both_backends!(the_public_monitors_the_approved_plan_not_the_working_draft, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let a01 = app.indicators(crate::support::GUASTALLA, "A01").await;
    // A change to an indicator of the approved agenda is the working draft until approved again.
    let edit = format!("{GUASTALLA}/azioni/A01/indicatori/{}/modifica", a01[0]);
    let form = app.get_as(&edit, &coordinator).await;
    let version = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let renamed = post(
        &app,
        &coordinator,
        &edit,
        &[
            ("name", "Comuni con un punto digitale (bozza)"),
            ("unit", "comuni"),
            ("baseline_value", "3"),
            ("target_value", "8"),
            ("direction", "increase"),
            ("frequency", "quarter"),
            ("version", &version),
        ],
    )
    .await;
    assert_eq!(renamed.status, StatusCode::SEE_OTHER, "{}", renamed.body);
    let public = app.get(&format!("{GUASTALLA}/monitoraggio")).await;
    assert!(public.body.contains("Comuni con almeno un Punto Pane e Internet attivo"), "the approved name");
    assert!(!public.body.contains("(bozza)"), "the draft's name is not public");
    assert!(!app.get("/monitoraggio").await.body.contains("(bozza)"));
    app.get_as(&format!("{GUASTALLA}/monitoraggio"), &coordinator).await.page_with(&["(bozza)"]);
    // So is a new title and span of the agenda: the public monitoring keeps the approved ones.
    let agenda = app.get_as(&format!("{GUASTALLA}/modifica"), &coordinator).await;
    let version = agenda.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let retitled = post(
        &app,
        &coordinator,
        &format!("{GUASTALLA}/modifica"),
        &[("title", "Titolo in bozza"), ("period_start", "2025"), ("period_end", "2028"), ("version", &version)],
    )
    .await;
    assert_eq!(retitled.status, StatusCode::SEE_OTHER, "{}", retitled.body);
    for page in [format!("{GUASTALLA}/monitoraggio"), "/monitoraggio".to_string()] {
        let public = app.get(&page).await;
        assert!(!public.body.contains("Titolo in bozza"), "{page} shows the draft's title");
        assert!(public.body.contains("Bassa Reggiana 2025-2027"), "{page}");
    }
    let indicator = app.get(&format!("{GUASTALLA}/indicatori/{}/2028-Q1/documenti", a01[0])).await;
    assert_eq!(indicator.status, StatusCode::NOT_FOUND, "2028 is not a year of the approved agenda");
});

both_backends!(a_value_s_documents_are_public_once_it_is_approved, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let a01 = app.indicators(crate::support::GUASTALLA, "A01").await;
    // The demo's approved value has its register, public.
    let proved = format!("{GUASTALLA}/indicatori/{}/2026-Q3/documenti", a01[0]);
    let page = app.get(&proved).await;
    page.page_with(&["punti-attivi-2026-T3 (dimostrativo).csv"]);
    let href = page.body.split("href=\"").find(|s| s.starts_with(&format!("{proved}/"))).unwrap();
    let href = href.split('"').next().unwrap().to_string();
    let file = app.get(&href).await;
    assert_eq!(file.header("content-type"), "text/csv; charset=utf-8");
    assert!(file.header("content-disposition").starts_with("attachment;"));
    assert!(file.body.contains("Biblioteca Maldotti"));
    // A value waiting for approval keeps its documents from the public.
    let waiting = format!("{GUASTALLA}/indicatori/{}/2026-Q4/documenti", a01[0]);
    assert_eq!(app.get(&waiting).await.status, StatusCode::NOT_FOUND);
    // The referent attaches a file to a value of their own action; not a web page.
    let a02 = app.indicators(crate::support::GUASTALLA, "A02").await;
    let own = format!("{GUASTALLA}/indicatori/{}/2026-Q3/documenti", a02[0]);
    let refused = app.post_multipart(&own, &referent, &[], &[("file", "pagina.html", b"<script>x</script>")]).await;
    refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["pdf, odt"]);
    let added = app.post_multipart(&own, &referent, &[], &[("file", "verbale.pdf", b"%PDF-1.4 prova")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    app.get(&own).await.page_with(&["verbale.pdf"]);
    // Not on another organisation's value.
    let theirs = app.post_multipart(&proved, &referent, &[], &[("file", "x.pdf", b"%PDF")]).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
});

both_backends!(the_api_writes_a_value_exactly_as_the_json_number_says, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let token = app.create_token(&referent, "write").await;
    let a02 = app.indicators(crate::support::GUASTALLA, "A02").await;
    let slug = GUASTALLA.trim_start_matches("/agende/");
    let path = |period: &str| format!("/api/v1/agendas/{slug}/indicators/{}/measurements/{period}", a02[1]);
    for (period, number, stored) in
        [("2027-Q1", serde_json::json!(2.5e3), "2500"), ("2027-Q2", serde_json::json!(1.234), "1.234")]
    {
        let written = app.api("PUT", &path(period), &token, serde_json::json!({ "version": 0, "value": number })).await;
        assert_eq!(written.status, StatusCode::OK, "{}", written.body);
        assert_eq!(written.json()["value"], stored);
    }
    // Text is read as people write it, and an ambiguous one is refused naming the field.
    let ambiguous =
        app.api("PUT", &path("2027-Q3"), &token, serde_json::json!({ "version": 0, "value": "1.234" })).await;
    assert_eq!(ambiguous.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ambiguous.json()["invalid_params"][0]["name"], "value");
    // What is no period names no value (404); a period outside the agenda's span clashes with
    // the agenda as it is (409), naming the period.
    let body = serde_json::json!({ "version": 0, "value": 1 });
    let nowhere = app.api("PUT", &path("2027-Q9"), &token, body.clone()).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND, "{}", nowhere.body);
    let outside = app.api("PUT", &path("2090-Q1"), &token, body).await;
    assert_eq!(outside.status, StatusCode::CONFLICT, "{}", outside.body);
    assert_eq!(outside.json()["invalid_params"][0]["name"], "period");
});
