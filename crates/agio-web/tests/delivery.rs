//! An action's results and delivery: milestones and financial progress recorded by the lead
//! organisation's referents, refused where wrong, audited, public, and in the API. Both backends.

use crate::support::{Session, TestApp, GUASTALLA};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";
/// Referent of the organisation leading A02 (and nothing else).
const REFERENT: &str = "referente@demo.agio.example";

fn page_of(code: &str) -> String {
    format!("/agende/{GUASTALLA}/azioni/{code}/attuazione")
}

/// The first address in `body` starting with `prefix` and ending with `suffix`.
fn link(body: &str, prefix: &str, suffix: &str) -> String {
    body.match_indices(prefix)
        .map(|(at, _)| &body[at..at + body[at..].find('"').unwrap_or(0)])
        .find(|href| href.ends_with(suffix))
        .unwrap_or_else(|| panic!("no link {prefix}…{suffix}"))
        .to_string()
}

fn version_of(body: &str) -> String {
    body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string()
}

async fn post(app: &TestApp, who: &Session, path: &str, pairs: &[(&str, &str)]) -> crate::support::Reply {
    app.post_as(path, who, pairs).await
}

both_backends!(the_public_reads_an_action_s_milestones_and_financial_progress, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get(&page_of("A03")).await;
    page.page_with(&[
        "<h1>Risultati e attuazione: A03 — Nonni e nipoti in rete: tutor digitali tra generazioni</h1>",
        "Avanzamento fisico",
        "Avvio delle attività con i partner",
        "Raggiunta",
        "<h2 id=\"avanzamento-finanziario\">Avanzamento finanziario</h2>",
        "€ 18.000,00",
        "<tfoot><tr><th scope=\"row\">Totale</th><td></td><td>€ 24.000,00</td>",
        "<figure class=\"agio-chart\">",
    ]);
    assert!(!page.body.contains("Aggiungi una tappa"), "the public records nothing");
    // A11 dropped its halfway check; the agenda's page gives each action's spending.
    app.get(&page_of("A11")).await.page_with(&["Annullata", "accorpata a quella dell&#39;azione A10"]);
    let monitoring = app.get(&format!("/agende/{GUASTALLA}/monitoraggio")).await;
    monitoring.page_with(&["Pagato sul budget dell&#39;Agenda", &format!("href=\"{}\"", page_of("A03"))]);
    app.get_en(&page_of("A03")).await.page_with(&["Results and delivery: A03", "Financial progress", "Paid of budget"]);
    app.get(&page_of("A99")).await.answer_with(StatusCode::NOT_FOUND, &[]);
    // The API gives the same figures.
    let json = app.get(&format!("/api/v1/agendas/{GUASTALLA}/actions/A03/delivery")).await.json();
    assert_eq!(json["milestones"].as_array().unwrap().len(), 3);
    assert_eq!(json["milestones"][0]["state"], "reached");
    assert_eq!(json["financial"]["budget_cents"], 2_400_000);
    assert_eq!(json["budget_lines"].as_array().unwrap().len(), 2);
    let missing = app.get(&format!("/api/v1/agendas/{GUASTALLA}/actions/A99/delivery")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
});

both_backends!(a_referent_records_milestones_and_spending_and_wrong_figures_are_refused, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let mine = app.get_as(&page_of("A02"), &referent).await;
    mine.page_with(&["Aggiungi una tappa", "Aggiorna impegnato e pagato"]);
    let base = format!("/agende/{GUASTALLA}/azioni/A02");
    let new = format!("{base}/tappe/nuova");
    // A reached milestone needs its date; a planned one has none.
    let undated =
        [("title", "Guide tradotte"), ("planned_date", "2027-03-31"), ("status", "reached"), ("version", "0")];
    post(&app, &referent, &new, &undated)
        .await
        .answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-actual_date\""]);
    let early = [
        ("title", "Guide tradotte"),
        ("planned_date", "2027-03-31"),
        ("status", "planned"),
        ("actual_date", "2027-03-01"),
        ("version", "0"),
    ];
    post(&app, &referent, &new, &early)
        .await
        .answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["href=\"#f-actual_date\"", "solo per una tappa raggiunta"]);
    let planned =
        [("title", "Guide tradotte"), ("planned_date", "2026-11-30"), ("status", "planned"), ("version", "0")];
    let saved = post(&app, &referent, &new, &planned).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mine = app.get_as(&page_of("A02"), &referent).await;
    mine.page_with(&["Guide tradotte", "<strong>In ritardo</strong>"]);
    // Reached after its planned date.
    let ours = &mine.body[mine.body.find("Guide tradotte").unwrap()..];
    let edit = link(ours, &format!("{base}/tappe/"), "/modifica");
    let form = app.get_as(&edit, &referent).await;
    let reached = [
        ("title", "Guide tradotte"),
        ("planned_date", "2026-11-30"),
        ("status", "reached"),
        ("actual_date", "2026-12-02"),
        ("version", &version_of(&form.body)),
    ];
    let saved = post(&app, &referent, &edit, &reached).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let public = app.get(&page_of("A02")).await;
    public.page_with(&["Guide tradotte", "Raggiunta in ritardo", "02/12/2026"]);
    assert_eq!(public.body.matches("Guide tradotte").count(), 1, "changed, not added");
    // Spending: within the line (€ 52.000) and paid within committed, as of a day gone by.
    let spend = link(&mine.body, &format!("{base}/budget/"), "/spesa");
    let form = app.get_as(&spend, &referent).await;
    let version = version_of(&form.body);
    let figures = |committed: &'static str, paid: &'static str, as_of: &'static str| {
        vec![("committed", committed), ("paid", paid), ("as_of", as_of)]
    };
    for (pairs, field) in [
        (figures("52.000,01", "0", "2026-11-30"), "committed"),
        (figures("1000", "1.000,50", "2026-11-30"), "paid"),
        (figures("1000", "500", "2999-01-01"), "as_of"),
    ] {
        let mut pairs = pairs;
        pairs.push(("version", &version));
        let refused = post(&app, &referent, &spend, &pairs).await;
        refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &[&format!("href=\"#f-{field}\"")]);
    }
    let mut pairs = figures("30.000", "12.500,50", "2026-11-30");
    pairs.push(("version", &version));
    let saved = post(&app, &referent, &spend, &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    app.get(&page_of("A02")).await.page_with(&["€ 30.000,00", "€ 12.500,50", "30/11/2026"]);
    // A second save from the same version is stale: nothing is written, and the form shows
    // the figures saved meanwhile next to the person's, in euros.
    let mut other_figures = figures("31.000", "12.500,50", "2026-11-30");
    other_figures.push(("version", &version));
    let stale = post(&app, &referent, &spend, &other_figures).await;
    stale.answer_with(StatusCode::CONFLICT, &["30000,00", "31.000"]);
    // The line's amount cannot go below what is committed on it (€ 30.000).
    let line_id = spend.rsplit('/').nth(1).unwrap();
    let token = app.create_token(&coordinator, "write").await;
    let api_line = format!("/api/v1/agendas/{GUASTALLA}/actions/A02/budget-lines/{line_id}");
    let version = app.state.store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap().0.version;
    let lowered = serde_json::json!({ "version": version, "amount_cents": 2_999_999 });
    let refused = app.api("PATCH", &api_line, &token, lowered).await;
    // What is already spent is the line's state: lowering below it clashes with it.
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert_eq!(refused.json()["invalid_params"][0]["name"], "amount_cents");
    let kept = serde_json::json!({ "version": version, "amount_cents": 3_000_000 });
    assert_eq!(app.api("PATCH", &api_line, &token, kept).await.status, StatusCode::OK);
    // Another organisation's action is not the referent's; anonymous visitors are sent to sign in.
    let other = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A01/tappe/nuova"), &referent).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert!(!app.get_as(&page_of("A01"), &referent).await.body.contains("Aggiungi una tappa"));
    assert_eq!(app.get(&new).await.status, StatusCode::SEE_OTHER);
    // Removed, and the history says who did what.
    let mine = app.get_as(&page_of("A02"), &referent).await;
    let ours = &mine.body[mine.body.find("Guide tradotte").unwrap()..];
    let remove = link(ours, &format!("{base}/tappe/"), "/elimina");
    let gone = post(&app, &referent, &remove, &[]).await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.body);
    assert!(!app.get(&page_of("A02")).await.body.contains("Guide tradotte"));
    let history = app.get_as(&format!("{base}/cronologia"), &coordinator).await;
    history.page_with(&[
        "Tappa aggiunta",
        "Tappa modificata",
        "Tappa eliminata",
        "Impegnato e pagato aggiornati",
        "€ 12.500,50",
    ]);
});
