//! The frameworks agendas serve (ADER, PNRR, SDGs): the regional page, the administrator's
//! forms, an objective's items, and the API. Both backends.

use crate::support::TestApp;
use agio_testkit::both_backends;
use axum::http::StatusCode;

const ADMIN: &str = "regione@demo.agio.example";
const COORDINATOR: &str = "coordinatore@demo.agio.example";
const RIMINI: &str = "/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028";

/// The table row of a framework item, by its code.
fn row<'a>(page: &'a str, code: &str) -> &'a str {
    let start = page.find(&format!("<td>{code}</td>")).expect("the item's row");
    &page[start..start + page[start..].find("</tr>").unwrap()]
}

both_backends!(each_framework_item_shows_the_agendas_serving_it_and_the_districts_without, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get("/quadri").await;
    page.page_with(&[
        "Quadri regionali e nazionali",
        "Agenda Digitale dell",
        "Piano Nazionale di Ripresa e Resilienza",
        "Agenda 2030 per lo sviluppo sostenibile (ONU)",
        // Both demo agendas serve SDG 10.2: 36 districts have nothing for it.
        "<td>10.2</td>",
        "36 distretti su 38",
        "<a href=\"/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028\">",
    ]);
    // An item nobody serves yet: every district is without.
    assert!(row(&page.body, "17.17").contains("38 distretti su 38"), "17.17 has no agenda");
    app.get_en("/quadri").await.page_with(&["Regional and national frameworks", "36 districts of 38"]);
    // The agenda page names what each objective serves, and the regional table leads here.
    app.get(RIMINI)
        .await
        .page_with(&["Contribuisce a: <a href=\"/quadri\">ADER 7</a>, <a href=\"/quadri\">PNRR M1C1-I1.7</a>"]);
    app.get("/profili").await.page_with(&["href=\"/quadri\""]);
    // The API says the same.
    let api: serde_json::Value = app.get("/api/v1/frameworks").await.json();
    let sdg = api.as_array().unwrap().iter().find(|f| f["id"] == "sdg").unwrap();
    let at = sdg["items"].as_array().unwrap().iter().position(|i| i["code"] == "10.2").unwrap();
    assert_eq!(sdg["contributions"][at]["agendas"].as_array().unwrap().len(), 2);
    assert_eq!(sdg["contributions"][at]["districts_without"].as_array().unwrap().len(), 36);
});

both_backends!(the_regional_administrator_edits_the_frameworks_and_nobody_else, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin = app.sign_in(ADMIN).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let new = "/quadri/sdg/voci/nuova";
    assert_eq!(app.get_as(new, &coordinator).await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.post_as(new, &coordinator, &[("code", "1.5"), ("title", "Resilienza"), ("version", "0")]).await.status,
        StatusCode::FORBIDDEN
    );
    app.get_as(new, &admin).await.page_with(&["Aggiungi una voce a Agenda 2030", "Fa parte di"]);
    // Bad input: a code in use, a code with spaces, a parent that is not an item.
    let taken = app.post_as(new, &admin, &[("code", "10.2"), ("title", "Doppione"), ("version", "0")]).await;
    taken.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["questo codice è già usato da un"]);
    let bad =
        app.post_as(new, &admin, &[("code", "1 5"), ("parent_code", "99"), ("title", "x"), ("version", "0")]).await;
    bad.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["usa solo lettere, cifre, punti e trattini"]);
    assert!(bad.body.contains("Fa parte di"), "the parent is named");
    let saved = app
        .post_as(
            new,
            &admin,
            &[
                ("code", "1.5"),
                ("parent_code", "1"),
                ("title", "Resilienza delle persone vulnerabili"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    app.get("/quadri").await.page_with(&["<td>1.5</td>", "Resilienza delle persone vulnerabili"]);
    // The edition, versioned: a second save from the same version is refused, nothing lost.
    let edit = "/quadri/ader/modifica";
    let fields = [
        ("name", "Agenda Digitale dell'Emilia-Romagna"),
        ("edition", "Data Valley Bene Comune 2026"),
        ("version", "1"),
    ];
    assert_eq!(app.post_as(edit, &admin, &fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_as(edit, &admin, &fields).await.status, StatusCode::CONFLICT);
    app.get("/quadri").await.page_with(&["Data Valley Bene Comune 2026"]);
    let history = app.state.store.history("framework", "ader").await.unwrap();
    assert_eq!(history.len(), 1);
});

both_backends!(an_objective_names_the_framework_items_it_serves, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let form = format!("{RIMINI}/obiettivi/O3/quadri");
    app.get_as(RIMINI, &coordinator).await.page_with(&[&format!("href=\"{form}\"")]);
    app.get_as(&form, &coordinator).await.page_with(&["value=\"sdg:17.17\"", "SDG 17.17 — Partenariati efficaci"]);
    let refused = app.post_as(&form, &coordinator, &[("targets", "sdg:99"), ("version", "1")]).await;
    refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["Voci dei quadri a cui contribuisce"]);
    let saved =
        app.post_as(&form, &coordinator, &[("targets", "sdg:17.17"), ("targets", "ader:5"), ("version", "1")]).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = app.get("/quadri").await;
    let served = row(&page.body, "17.17");
    assert!(served.contains("37 distretti su 38") && served.contains(RIMINI), "17.17 is served now: {served}");

    // Through the API, with a write token; a read token may not.
    let token = app.create_token(&coordinator, "write").await;
    let api = "/api/v1/agendas/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/objectives/O3/targets";
    let r = app.api("PATCH", api, &token, serde_json::json!({ "version": 2, "targets": ["pnrr:M9"] })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app.api("PATCH", api, &token, serde_json::json!({ "version": 2, "targets": ["pnrr:M1C1-I1.4"] })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["targets"], serde_json::json!(["pnrr:M1C1-I1.4"]));
    let reader = app.create_token(&coordinator, "read").await;
    let r = app.api("PATCH", api, &reader, serde_json::json!({ "version": 3, "targets": [] })).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The administrator's API: an item, then the same code again (422).
    let admin = app.sign_in(ADMIN).await;
    let token = app.create_token(&admin, "write").await;
    let item = serde_json::json!({ "code": "M5C2-I2.1", "parent_code": "M5C2", "title": "Rigenerazione urbana" });
    let r = app.api("POST", "/api/v1/frameworks/pnrr/items", &token, item.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.api("POST", "/api/v1/frameworks/pnrr/items", &token, item).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("\"code\""), "{}", r.body);
});
