//! The Decidim connector, against a real Decidim-speaking GraphQL server on loopback
//! (`tests/decidim/server.py`): a coordinator names the instance and the process, imports it
//! (paged, twice without duplicates, incrementally), from instances of other versions, and
//! instances that fail; what was read shows on the agenda's Decidim page and in the API.

use agio_store::Backend;
use agio_testkit::both_backends;
use axum::http::StatusCode;
use serde_json::json;

use crate::support::{DecidimInstance, Session, TestApp, GUASTALLA, RIMINI};

const COORDINATOR: &str = "coordinatore@demo.agio.example";

/// The demo, allowed to read from `instance` only.
async fn app_reading(backend: Backend, instance: &DecidimInstance) -> TestApp {
    let store = agio_testkit::fresh_store(backend, agio_testkit::Seed::Demo).await;
    let state = agio_web::AppState::new(store, "http://127.0.0.1:8080").await.unwrap();
    TestApp::of(state.with_decidim_hosts(vec![instance.host()]).unwrap())
}

/// Names the source of the Bassa Reggiana's agenda, as its coordinator does.
async fn name_source(app: &TestApp, coordinator: &Session, url: &str, slug: &str) -> crate::support::Reply {
    let form = app.get_as(&format!("/agende/{GUASTALLA}/decidim/modifica"), coordinator).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    let version = form.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let fields = [("instance_url", url), ("process_slug", slug), ("version", version.as_str())];
    app.post_as(&format!("/agende/{GUASTALLA}/decidim/modifica"), coordinator, &fields).await
}

async fn import(app: &TestApp, coordinator: &Session) -> crate::support::Reply {
    app.post_as(&format!("/agende/{GUASTALLA}/decidim/importa"), coordinator, &[]).await
}

/// How many items of each kind the agenda's source keeps.
async fn kept(app: &TestApp) -> (usize, usize, usize, usize) {
    let facts = app.state.store.agenda_facts(GUASTALLA).await.unwrap().unwrap();
    let i = app.state.store.decidim_import(&facts.agenda_id).await.unwrap().unwrap();
    (i.steps.len(), i.proposals.len(), i.meetings.len(), i.results.len())
}

both_backends!(the_demo_agenda_shows_its_process_read_from_decidim, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get(&format!("/agende/{RIMINI}/decidim")).await;
    page.page_with(&[
        "Percorso su Decidim: Piano di Zona per la salute e il benessere sociale 2024-2026",
        "Contenuto dimostrativo",
        "da Decidim",
        "Sportello unico per i caregiver familiari nelle Case della Comunità",
        "accolta",
        "sostegni: 87",
        "Proposta accolta. È inserita nel Piano di Zona 2024-2026",
        "https://partecipazioni.demo.agio.example/processes/pdz-pianura-est-2024-2026/f/57/proposals/1203",
        "Restituzione e monitoraggio",
        "Hanno partecipato 34 persone",
        "partecipanti: 34",
        "Azione 3.2 – Sportello caregiver nelle Case della Comunità",
        "35 %",
    ]);
    // Visitors see neither the import button nor the source's form.
    assert!(!page.body.contains("/decidim/importa") && !page.body.contains("/decidim/modifica"));
    app.get_en(&format!("/agende/{RIMINI}/decidim")).await.page_with(&["Process on Decidim", "from Decidim"]);
    // The agenda leads to it; an agenda without a source has no such page.
    app.get(&format!("/agende/{RIMINI}")).await.page_with(&[&format!("href=\"/agende/{RIMINI}/decidim\"")]);
    app.get(&format!("/agende/{GUASTALLA}/decidim")).await.answer_with(StatusCode::NOT_FOUND, &[]);
    app.get("/agende/nessuna/decidim").await.answer_with(StatusCode::NOT_FOUND, &[]);
    // The API gives the same.
    let api = app.get(&format!("/api/v1/agendas/{RIMINI}/decidim")).await;
    assert_eq!(api.status, StatusCode::OK);
    let body = api.json();
    assert_eq!(body["proposals"].as_array().unwrap().len(), 3);
    assert_eq!(body["results"][1]["parent_id"], "88");
    assert_eq!(body["source"]["process_slug"], "pdz-pianura-est-2024-2026");
    // An agenda that names no process has nothing to import: a clash with its state, not a miss.
    let token = app.create_token(&app.sign_in(COORDINATOR).await, "write").await;
    let none = app.api("POST", &format!("/api/v1/agendas/{GUASTALLA}/decidim/import"), &token, json!(null)).await;
    assert_eq!(none.status, StatusCode::CONFLICT, "{}", none.body);
    assert!(none.body.contains("names no Decidim process"), "{}", none.body);
    let form = app.post_as(&format!("/agende/{GUASTALLA}/decidim/importa"), &app.sign_in(COORDINATOR).await, &[]).await;
    form.answer_with(StatusCode::CONFLICT, &["non indica alcun percorso Decidim"]);
});

both_backends!(a_coordinator_imports_a_paged_process_twice_without_duplicates, |backend| async move {
    // Two items a page: the connector must follow the cursors.
    let instance = DecidimInstance::start(json!({"max_per_page": 2}));
    let app = app_reading(backend, &instance).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let saved = name_source(&app, &coordinator, &instance.url(), "pdz-pianura-est-2024-2026").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(saved.header("location"), format!("/agende/{GUASTALLA}/decidim"));
    app.get_as(&format!("/agende/{GUASTALLA}/decidim"), &coordinator).await.page_with(&["non ancora importato"]);

    let done = import(&app, &coordinator).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert!(done.header("set-cookie").contains("=imported;"), "the page says it is done");
    assert_eq!(kept(&app).await, (3, 8, 2, 3));
    let page = app.get_as(&format!("/agende/{GUASTALLA}/decidim"), &coordinator).await;
    page.page_with(&[
        "Corsi di alfabetizzazione digitale per caregiver",
        "non accolta",
        "ritirata",
        &format!("{}/processes/pdz-pianura-est-2024-2026/f/57/proposals/1230", instance.url()),
        // Proposals that came out of a meeting are listed under it.
        "Sportello di prossimità per le domande online",
    ]);
    // Decidim's HTML is never rendered: its tags are gone, its words escaped.
    assert!(!page.body.contains("<script>alert") && !page.body.contains("<strong>in orario serale"));
    assert!(page.body.contains("Corsi brevi, in orario serale, per chi assiste un familiare."));

    // The second import finds everything as it was: nothing new, nothing twice.
    let token = app.create_token(&coordinator, "write").await;
    let again = app.api("POST", &format!("/api/v1/agendas/{GUASTALLA}/decidim/import"), &token, json!(null)).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    let report = again.json();
    assert_eq!(report["proposals"], json!({"new": 0, "updated": 0, "unchanged": 8, "removed": 0}));
    assert_eq!(report["meetings"], json!({"new": 0, "updated": 0, "unchanged": 2, "removed": 0}));
    assert_eq!(report["results"], json!({"new": 0, "updated": 0, "unchanged": 3, "removed": 0}));
    assert_eq!(report["steps"], json!({"new": 0, "updated": 0, "unchanged": 3, "removed": 0}));
    assert_eq!(kept(&app).await, (3, 8, 2, 3));
});

both_backends!(a_second_import_writes_only_what_moved_on_decidim, |backend| async move {
    let instance = DecidimInstance::start(json!({}));
    let app = app_reading(backend, &instance).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    name_source(&app, &coordinator, &instance.url(), "pdz-pianura-est-2024-2026").await;
    import(&app, &coordinator).await;
    let token = app.create_token(&coordinator, "write").await;

    // On Decidim, a proposal gets more supports (its time moves) and a new one is published.
    let example: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/decidim/more-proposals.synthetic.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut supported = example[0].clone();
    supported["voteCount"] = json!(64);
    supported["updatedAt"] = json!("2024-11-02T09:00:00+01:00");
    let mut new = example[4].clone();
    new["id"] = json!("1240");
    new["title"]["translations"][0]["text"] = json!("Assistente digitale per le prenotazioni del CUP");
    // Decidim 0.26–0.28 send an answer before it is published (with no state): not shown.
    new["answer"]["translations"][0]["text"] = json!("<p>Bozza di risposta interna</p>");
    instance.set(json!({"proposals": [supported.clone(), new.clone()]}));

    let report = app.api("POST", &format!("/api/v1/agendas/{GUASTALLA}/decidim/import"), &token, json!(null)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    assert_eq!(report.json()["proposals"], json!({"new": 1, "updated": 1, "unchanged": 7, "removed": 0}));
    assert_eq!(kept(&app).await.1, 9);
    app.get(&format!("/agende/{GUASTALLA}/decidim"))
        .await
        .page_with(&["Assistente digitale per le prenotazioni del CUP", "sostegni: 64"]);
    assert!(!app.get(&format!("/agende/{GUASTALLA}/decidim")).await.body.contains("Bozza di risposta interna"));

    // Decidim moves a count without touching `updatedAt`; a proposal is hidden by its moderators.
    let mut counted = example[1].clone();
    counted["voteCount"] = json!(40);
    instance.set(json!({"proposals": [supported, new, counted], "removed": ["1218"]}));
    let report = app.api("POST", &format!("/api/v1/agendas/{GUASTALLA}/decidim/import"), &token, json!(null)).await;
    assert_eq!(report.json()["proposals"], json!({"new": 0, "updated": 1, "unchanged": 7, "removed": 1}));
    let page = app.get(&format!("/agende/{GUASTALLA}/decidim")).await;
    page.page_with(&["sostegni: 40"]);
    assert!(!page.body.contains("Mappa online dei servizi per le famiglie"), "what Decidim hides goes");
});

both_backends!(instances_of_other_versions_are_read_without_the_fields_they_lack, |backend| async move {
    // 0.31 has no Meeting.isWithdrawn and no endorsementsCount: asking for them is an error
    // the connector reads, and it asks again without them.
    let instance = DecidimInstance::start(json!({"version": "0.31"}));
    let app = app_reading(backend, &instance).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let token = app.create_token(&coordinator, "write").await;
    name_source(&app, &coordinator, &instance.url(), "pdz-pianura-est-2024-2026").await;
    let report = app.api("POST", &format!("/api/v1/agendas/{GUASTALLA}/decidim/import"), &token, json!(null)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let report = report.json();
    let missing: Vec<&str> = report["missing_fields"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(missing.contains(&"Proposal.endorsementsCount") && missing.contains(&"Meeting.isWithdrawn"), "{missing:?}");
    assert_eq!(kept(&app).await, (3, 8, 2, 3));
    let page = app.get(&format!("/agende/{GUASTALLA}/decidim")).await;
    page.page_with(&["sostegni: 87 · commenti: 9"]);
    assert!(!page.body.contains("adesioni"), "no endorsements where the version has none");

    // 0.26 sends the phases' dates as plain dates, not date-times.
    instance.set(json!({"version": "0.26"}));
    let report = app.api("POST", &format!("/api/v1/agendas/{GUASTALLA}/decidim/import"), &token, json!(null)).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    app.get(&format!("/agende/{GUASTALLA}/decidim")).await.page_with(&["dal 01/02/2024 al 31/03/2024"]);
});

both_backends!(a_failing_instance_changes_nothing_and_says_why, |backend| async move {
    let instance = DecidimInstance::start(json!({}));
    let app = app_reading(backend, &instance).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let token = app.create_token(&coordinator, "write").await;
    let page = format!("/agende/{GUASTALLA}/decidim");
    let api = format!("/api/v1/agendas/{GUASTALLA}/decidim/import");
    name_source(&app, &coordinator, &instance.url(), "pdz-pianura-est-2024-2026").await;
    import(&app, &coordinator).await;
    let before = kept(&app).await;

    for (fail, says) in [
        ("http500", "The instance answered with HTTP error 500."),
        ("html", "The instance did not answer like a Decidim GraphQL API"),
    ] {
        instance.set(json!({"fail": fail}));
        let failed = app.api("POST", &api, &token, json!(null)).await;
        assert_eq!(failed.status, StatusCode::BAD_GATEWAY, "{}", failed.body);
        assert_eq!(failed.header("content-type"), "application/problem+json");
        assert!(failed.json()["detail"].as_str().unwrap().contains(says), "{}", failed.body);
        // The form says it too, on the page, to the coordinators only; what was read stays.
        let redirected = import(&app, &coordinator).await;
        assert_eq!(redirected.status, StatusCode::SEE_OTHER);
        app.get_as(&page, &coordinator).await.page_with(&["L&#39;ultima importazione non è riuscita"]);
        assert!(!app.get(&page).await.body.contains("non è riuscita"));
        assert_eq!(kept(&app).await, before);
    }

    // A process the instance does not have, named by the coordinator: the old process's items go.
    instance.set(json!({}));
    name_source(&app, &coordinator, &instance.url(), "nessun-percorso").await;
    assert_eq!(kept(&app).await, (0, 0, 0, 0));
    let failed = app.api("POST", &api, &token, json!(null)).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    assert!(
        failed.json()["detail"].as_str().unwrap().contains("no public process with identifier \"nessun-percorso\""),
        "{}",
        failed.body
    );

    // An instance that does not answer at all.
    drop(instance);
    let silent = app.api("POST", &api, &token, json!(null)).await;
    assert_eq!(silent.status, StatusCode::BAD_GATEWAY);
    assert!(silent.json()["detail"].as_str().unwrap().starts_with("The instance does not answer"), "{}", silent.body);
});

both_backends!(only_coordinators_name_allowed_instances_and_import, |backend| async move {
    let instance = DecidimInstance::start(json!({}));
    let app = app_reading(backend, &instance).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    // A host the platform may not call (the server would fetch whatever a form names).
    for url in ["https://evil.example", "http://127.0.0.1:1", "http://169.254.169.254/latest"] {
        let refused = name_source(&app, &coordinator, url, "x").await;
        refused.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["la piattaforma può leggere solo da queste istanze"]);
    }
    let refused = name_source(&app, &coordinator, &instance.url(), "../../admin").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(kept_source(&app).await, None);

    let citizen = app.sign_in("cittadino@demo.agio.example").await;
    for path in ["modifica", "importa"] {
        let page = format!("/agende/{RIMINI}/decidim/{path}");
        let r = match path {
            "modifica" => app.get_as(&page, &citizen).await,
            _ => app.post_as(&page, &citizen, &[]).await,
        };
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{path}: {}", r.status);
    }
    // Without a session, the import button is a forgery.
    let anonymous = app.post_form(&format!("/agende/{RIMINI}/decidim/importa"), "", String::new()).await;
    assert!(anonymous.status.is_client_error() || anonymous.status == StatusCode::SEE_OTHER);
    // A read-only token cannot import.
    let token = app.create_token(&coordinator, "read").await;
    let r = app.api("POST", &format!("/api/v1/agendas/{RIMINI}/decidim/import"), &token, json!(null)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Through the API too, the host is checked, field by field.
    let token = app.create_token(&coordinator, "write").await;
    let body = json!({"version": 0, "instance_url": "https://evil.example", "process_slug": "x"});
    let r = app.api("PUT", &format!("/api/v1/agendas/{GUASTALLA}/decidim"), &token, body).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["invalid_params"][0]["name"], "instance_url", "{}", r.body);
    let body = json!({"version": 0, "instance_url": instance.url(), "process_slug": "pdz-pianura-est-2024-2026"});
    let r = app.api("PUT", &format!("/api/v1/agendas/{GUASTALLA}/decidim"), &token, body).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["instance_url"], instance.url());
});

async fn kept_source(app: &TestApp) -> Option<String> {
    let facts = app.state.store.agenda_facts(GUASTALLA).await.unwrap().unwrap();
    app.state.store.decidim_source(&facts.agenda_id).await.unwrap().map(|s| s.instance_url)
}
