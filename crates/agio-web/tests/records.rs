//! Records that stand on their own — new agendas and organisations, digital assets with their
//! coverage, unions of comuni — and archiving, through the forms and the API, with who may do
//! what. Both backends.

use crate::support::{TestApp, GUASTALLA};
use agio_domain::access::Scope;
use agio_domain::Role;
use agio_testkit::both_backends;
use axum::http::StatusCode;
use serde_json::json;

const ADMIN: &str = "regione@demo.agio.example";
const COORDINATOR: &str = "coordinatore@demo.agio.example";
const REFERENT: &str = "referente@demo.agio.example";
const CITIZEN: &str = "cittadino@demo.agio.example";
/// Created by the tests: coordinates the district of Guastalla (a territorial scope).
const DISTRICT_COORDINATOR: &str = "distretto@demo.agio.example";

async fn add_district_coordinator(app: &TestApp) {
    let district = app.state.store.territory("re-guastalla").await.unwrap().unwrap();
    let name = "Ufficio di Piano di Guastalla";
    app.add_person(DISTRICT_COORDINATOR, name, Role::Coordinator, Scope::Territory(district.id)).await;
}

fn version_in(body: &str) -> String {
    let needle = "name=\"version\" value=\"";
    let at = body.find(needle).expect("a version field") + needle.len();
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

// Who may open each creation and archive form (GET), for every role.
both_backends!(who_may_create_and_archive, |backend| async move {
    let app = TestApp::demo(backend).await;
    add_district_coordinator(&app).await;
    let g = format!("/agende/{GUASTALLA}");
    let routes = [
        "/agende/nuova".to_string(),
        "/soggetti/nuovo".to_string(),
        "/asset-digitali/nuovo".to_string(),
        "/asset-digitali/app-io/modifica".to_string(),
        "/territori/unioni/nuova".to_string(),
        format!("{g}/azioni/A02/archivia"),
        format!("{g}/obiettivi/O1/archivia"),
        format!("{g}/archivio"),
        "/soggetti/aps-ponti-tra-culture/archivia".to_string(),
        format!("{g}/azioni/A02/risultati"),
        format!("{g}/azioni/A02/asset"),
    ];
    use StatusCode as S;
    let (ok, no) = (S::OK, S::FORBIDDEN);
    let expected: [(&str, [S; 11]); 5] = [
        (ADMIN, [ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, ok]),
        (DISTRICT_COORDINATOR, [ok, ok, ok, ok, no, ok, ok, ok, no, ok, ok]),
        (COORDINATOR, [no, ok, ok, ok, no, ok, ok, ok, no, ok, ok]),
        (REFERENT, [no, no, no, no, no, no, no, no, no, ok, ok]),
        (CITIZEN, [no, no, no, no, no, no, no, no, no, no, no]),
    ];
    for (email, answers) in expected {
        let session = app.sign_in(email).await;
        for (path, want) in routes.iter().zip(answers) {
            assert_eq!(app.get_as(path, &session).await.status, want, "GET {path} as {email}");
            if want == no && !path.ends_with("/archivio") {
                let post = app.post_as(path, &session, &[("note", "x"), ("name", "x")]).await;
                assert_eq!(post.status, no, "POST {path} as {email}");
            }
        }
    }
    // The "new …" links follow the same rules.
    let admin = app.sign_in(ADMIN).await;
    app.get_as("/territori", &admin).await.page_with(&["/territori/unioni/nuova"]);
    app.get_as("/agende", &admin).await.page_with(&["/agende/nuova"]);
    let referent = app.sign_in(REFERENT).await;
    let page = app.get_as("/asset-digitali", &referent).await;
    assert!(!page.body.contains("/asset-digitali/nuovo"));
    assert!(!app.get("/soggetti").await.body.contains("/soggetti/nuovo"));
});

both_backends!(the_region_keeps_unions_and_coordinators_keep_assets, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin = app.sign_in(ADMIN).await;
    let form = app.get_as("/territori/unioni/nuova", &admin).await;
    form.page_with(&["Nuova unione di comuni", "Comuni dell&#39;unione", "Guastalla"]);
    let bad = app
        .post_as(
            "/territori/unioni/nuova",
            &admin,
            &[("name", ""), ("district", "re-guastalla"), ("members", "Guastalla\nAtlantide")],
        )
        .await;
    bad.answer_with(
        StatusCode::UNPROCESSABLE_ENTITY,
        &["Atlantide", "campo obbligatorio", "value=\"re-guastalla\" selected"],
    );
    assert!(bad.body.contains("Guastalla\nAtlantide"), "the input is kept");
    let r = app
        .post_as(
            "/territori/unioni/nuova",
            &admin,
            &[
                ("name", "Unione dei Comuni Bassa Reggiana"),
                ("district", "re-guastalla"),
                ("members", "Guastalla\nluzzara, 035028"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let union = "/territori/unioni/unione-dei-comuni-bassa-reggiana";
    assert_eq!(r.header("location"), union);
    let page = app.get(union).await;
    page.page_with(&["Unione dei Comuni Bassa Reggiana", "Guastalla", "Luzzara", "/territori/re-guastalla"]);
    let members = page.body.matches("<th scope=\"row\">").count();
    assert_eq!(members, 3, "three comuni");
    app.get("/territori/re-guastalla").await.page_with(&["Unioni di comuni", union]);

    // Editing shows the comuni by name, keeps a stale save from overwriting, saves a new list.
    let edit = app.get_as(&format!("{union}/modifica"), &admin).await;
    edit.page_with(&["Guastalla (035024)", "Luzzara ("]);
    let version = version_in(&edit.body);
    let fields = |members: &'static str, version: &str| {
        vec![
            ("name", "Unione Bassa Reggiana".to_string()),
            ("district", "re-guastalla".into()),
            ("members", members.into()),
            ("version", version.to_string()),
        ]
    };
    let pairs = |v: &[(&'static str, String)]| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let first = pairs(&fields("Guastalla\nLuzzara\nReggiolo\nNovellara", &version));
    let r = app
        .post_as(&format!("{union}/modifica"), &admin, &first.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let stale = pairs(&fields("Guastalla", &version));
    let r = app
        .post_as(&format!("{union}/modifica"), &admin, &stale.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let stored = app.state.store.union_for_edit("unione-dei-comuni-bassa-reggiana").await.unwrap().unwrap();
    assert_eq!(stored.fields.members.len(), 4);
    assert_eq!(stored.fields.name, "Unione Bassa Reggiana");

    // A coordinator adds an asset covering the union (its name stands for its comuni).
    let coordinator = app.sign_in(COORDINATOR).await;
    let asset_form = |url: &'static str| {
        [
            ("name", "Sportello digitale di prossimità"),
            ("kind", "service_platform"),
            ("provider", "Unione Bassa Reggiana"),
            ("status", "in_development"),
            ("url", url),
            ("coverage", "Unione Bassa Reggiana"),
            ("description", "Un punto di accesso **unico**."),
        ]
    };
    let r = app.post_as("/asset-digitali/nuovo", &coordinator, &asset_form("javascript:alert(1)")).await;
    r.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["https://"]);
    let r = app.post_as("/asset-digitali/nuovo", &coordinator, &asset_form("https://sportello.example")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let asset = r.header("location").to_string();
    assert_eq!(asset, "/asset-digitali/sportello-digitale-di-prossimita");
    let stored = app.state.store.asset_for_edit("sportello-digitale-di-prossimita").await.unwrap().unwrap();
    assert_eq!(stored.fields.coverage.len(), 4);
    app.get_as(&asset, &coordinator).await.page_with(&[
        "Sportello digitale di prossimità",
        "Reggiolo",
        &format!("{asset}/modifica"),
    ]);
    // Retiring it is how an asset is archived: it can no longer be linked to an action.
    let edit = app.get_as(&format!("{asset}/modifica"), &coordinator).await;
    let version = version_in(&edit.body);
    let r = app
        .post_as(
            &format!("{asset}/modifica"),
            &coordinator,
            &[
                ("name", "Sportello digitale di prossimità"),
                ("kind", "service_platform"),
                ("provider", "Unione"),
                ("status", "retired"),
                ("coverage", "Guastalla (035024)"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.state.store.asset_for_edit("sportello-digitale-di-prossimita").await.unwrap().unwrap().fields.coverage,
        ["035024"]
    );
    let choices = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02/asset"), &coordinator).await;
    assert!(!choices.body.contains("value=\"sportello-digitale-di-prossimita\""));
    app.get_as(&format!("{asset}/cronologia"), &coordinator).await.page_with(&[
        "Creazione",
        "Modifica",
        "035024",
        "Dismesso",
    ]);

    // Archiving a union takes it out of the lists; its page stays, and the Region restores it.
    app.get_as(&format!("{union}/archivia"), &admin).await.page_with(&["Motivo"]);
    let r = app.post_as(&format!("{union}/archivia"), &admin, &[("note", "Unione sciolta")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    app.get_as(union, &admin).await.page_with(&["Archiviato il", "Ripristina"]);
    let unions = app.get("/api/v1/territories?kind=union").await.json();
    assert_eq!(unions["total"], 0);
    assert_eq!(app.post_as(&format!("{union}/ripristina"), &admin, &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/territories?kind=union").await.json()["total"], 1);
    app.get_as(&format!("{union}/cronologia"), &admin).await.page_with(&[
        "Archiviazione",
        "Unione sciolta",
        "Ripristino",
    ]);
});

both_backends!(new_agendas_and_organisations, |backend| async move {
    let app = TestApp::demo(backend).await;
    add_district_coordinator(&app).await;
    let coordinator = app.sign_in(DISTRICT_COORDINATOR).await;
    let form = app.get_as("/agende/nuova", &coordinator).await;
    form.page_with(&["Nuova agenda", "value=\"re-guastalla\""]);
    assert!(!form.body.contains("value=\"rn-rimini\""), "only the territories in the coordinator's scope");
    let r = app
        .post_as(
            "/agende/nuova",
            &coordinator,
            &[("territory", "rn-rimini"), ("title", "Altrove"), ("period_start", "2027"), ("period_end", "2029")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "another territory");
    let new_agenda = [
        ("territory", "re-guastalla"),
        ("title", "Agenda Digitale Sociale 2028-2030"),
        ("period_start", "2028"),
        ("period_end", "2030"),
        ("vision", "Nessuno escluso."),
    ];
    let r = app.post_as("/agende/nuova", &coordinator, &new_agenda).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let agenda = r.header("location").to_string();
    assert_eq!(agenda, "/agende/agenda-digitale-sociale-2028-2030");
    app.get_as(&agenda, &coordinator).await.page_with(&[
        "Agenda Digitale Sociale 2028-2030",
        "Nessuno escluso.",
        &format!("{agenda}/obiettivi/nuovo"),
    ]);
    assert_eq!(app.get(&agenda).await.status, StatusCode::NOT_FOUND, "a draft is not public");
    // The same title again gets its own address.
    let r = app.post_as("/agende/nuova", &coordinator, &new_agenda).await;
    assert_eq!(r.header("location"), "/agende/agenda-digitale-sociale-2028-2030-2");

    let r = app
        .post_as(
            "/soggetti/nuovo",
            &coordinator,
            &[
                ("name", "Biblioteca di Luzzara"),
                ("org_type", "local_authority"),
                ("territory", "Marte"),
                ("tax_code", "123"),
            ],
        )
        .await;
    r.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["Marte", "codice fiscale"]);
    let r = app
        .post_as(
            "/soggetti/nuovo",
            &coordinator,
            &[("name", "Biblioteca di Luzzara"), ("org_type", "local_authority"), ("territory", "Luzzara")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(r.header("location"), "/soggetti/biblioteca-di-luzzara");
    app.get("/soggetti/biblioteca-di-luzzara").await.page_with(&["Biblioteca di Luzzara", "Luzzara"]);
    // It can now take part in an action.
    let page = app.get_as(&format!("/agende/{GUASTALLA}/azioni/A02/soggetti"), &coordinator).await;
    page.page_with(&["value=\"biblioteca-di-luzzara\""]);
});

both_backends!(archiving_takes_out_of_the_plan_and_loses_nothing, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let g = format!("/agende/{GUASTALLA}");
    let before = app.state.store.agenda_detail(GUASTALLA).await.unwrap().unwrap();
    let empty = app.post_as(&format!("{g}/azioni/A03/archivia"), &coordinator, &[("note", " ")]).await;
    empty.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["campo obbligatorio"]);
    let r = app.post_as(&format!("{g}/azioni/A03/archivia"), &coordinator, &[("note", "Assorbita da A02")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = app.state.store.agenda_detail(GUASTALLA).await.unwrap().unwrap();
    assert_eq!(after.agenda.actions_count, before.agenda.actions_count - 1);
    let page = app.get_as(&g, &coordinator).await;
    assert!(!page.body.contains(&format!("{g}/azioni/A03\"")), "not in the working draft");
    app.get_as(&format!("{g}/azioni/A03"), &coordinator).await.page_with(&["Archiviato il", "Ripristina"]);
    // The approved version the public reads still has it, until the next approval.
    app.get(&g).await.page_with(&[&format!("{g}/azioni/A03\"")]);
    app.get_as(&format!("{g}/archivio"), &coordinator).await.page_with(&["A03 — ", "Ripristina"]);
    // Archiving the objective archives its remaining actions; restoring one restores it.
    let r = app.post_as(&format!("{g}/obiettivi/O1/archivia"), &coordinator, &[("note", "Obiettivo rivisto")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = app.state.store.agenda_detail(GUASTALLA).await.unwrap().unwrap();
    assert!(after.objectives.iter().all(|o| o.objective.code != "O1"));
    assert_eq!(after.agenda.actions_count, before.agenda.actions_count - 3);
    let r = app.post_as(&format!("{g}/azioni/A01/ripristina"), &coordinator, &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let after = app.state.store.agenda_detail(GUASTALLA).await.unwrap().unwrap();
    let o1 = after.objectives.iter().find(|o| o.objective.code == "O1").expect("restored with its action");
    assert_eq!(o1.actions.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(), ["A01"]);
    assert_eq!(
        app.post_as(&format!("{g}/azioni/A01/ripristina"), &coordinator, &[]).await.status,
        StatusCode::NOT_FOUND
    );
    let history = app.get_as(&format!("{g}/azioni/A03/cronologia"), &coordinator).await;
    history.page_with(&["Archiviazione", "Assorbita da A02"]);
    let history = app.get_as(&format!("{g}/azioni/A01/cronologia"), &coordinator).await;
    history.page_with(&["Archiviazione", "Obiettivo rivisto", "Ripristino"]);
    // A referent cannot archive, even the action their organisation leads.
    let referent = app.sign_in(REFERENT).await;
    let r = app.post_as(&format!("{g}/azioni/A02/archivia"), &referent, &[("note", "x")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // An archived organisation leaves the list and the choices, and keeps its page.
    let admin = app.sign_in(ADMIN).await;
    let r = app.post_as("/soggetti/iis-guastalla/archivia", &admin, &[("note", "Accorpato")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!app.get("/soggetti?q=guastalla").await.body.contains("/soggetti/iis-guastalla\""));
    app.get_as("/soggetti/iis-guastalla", &admin).await.page_with(&["Archiviato il", "Ripristina"]);
    let choices = app.get_as(&format!("{g}/azioni/A02/soggetti"), &admin).await;
    assert!(!choices.body.contains("value=\"iis-guastalla\""));
});

both_backends!(records_through_the_api, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin_session = app.sign_in(ADMIN).await;
    let admin = app.create_token(&admin_session, "write").await;
    let coordinator_session = app.sign_in(COORDINATOR).await;
    let coordinator = app.create_token(&coordinator_session, "write").await;

    let r = app
        .api(
            "POST",
            "/api/v1/territories",
            &admin,
            json!({ "name": "Unione", "district": "re-guastalla", "members": "Guastalla, Luzzara" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "names as text too: {}", r.body);
    let code = r.json()["code"].as_str().unwrap().to_string();
    let r = app
        .api(
            "POST",
            "/api/v1/territories",
            &coordinator,
            json!({ "name": "x", "district": "re-guastalla", "members": ["Guastalla"] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            "POST",
            "/api/v1/territories",
            &admin,
            json!({ "name": "x", "district": "re-guastalla", "members": [1, 2] }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a list of names, not numbers");
    let r = app
        .api("PATCH", &format!("/api/v1/territories/{code}"), &admin, json!({ "version": 1, "members": ["Guastalla"] }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["comuni_count"], 1);
    let r = app.api("PATCH", "/api/v1/territories/035024", &admin, json!({ "version": 1, "name": "x" })).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "a comune is reference data");

    let r = app.api("POST", "/api/v1/assets", &coordinator, json!({ "name": "Rete civica", "kind": "network", "provider": "Lepida", "status": "planned", "coverage": ["Guastalla", "035028"] })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let asset = r.json();
    assert_eq!(asset["comuni_covered"], 2);
    let slug = asset["slug"].as_str().unwrap().to_string();
    // PUT replaces the whole record: what it leaves out is emptied or refused.
    let r = app
        .api("PUT", &format!("/api/v1/assets/{slug}"), &coordinator, json!({ "version": 1, "name": "Rete civica" }))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut missing: Vec<String> = r.json()["invalid_params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    missing.sort();
    assert_eq!(missing, ["kind", "provider", "status"]);
    let r = app
        .api(
            "PUT",
            &format!("/api/v1/assets/{slug}"),
            &coordinator,
            json!({ "version": 1, "name": "Rete civica", "kind": "network", "provider": "Lepida", "status": "active" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["comuni_covered"], 0, "coverage left out is emptied");
    assert_eq!(
        app.api("DELETE", &format!("/api/v1/assets/{slug}"), &coordinator, json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&format!("/api/v1/assets/{slug}")).await.json()["status"], "retired");
    // Retiring it again leaves it retired: a DELETE may be repeated.
    assert_eq!(
        app.api("DELETE", &format!("/api/v1/assets/{slug}"), &coordinator, json!({})).await.status,
        StatusCode::NO_CONTENT
    );

    let r = app
        .api(
            "POST",
            "/api/v1/organizations",
            &coordinator,
            json!({ "name": "Pro Loco", "org_type": "odv", "territory": "Guastalla" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["territory"]["name"], "Guastalla");
    let r = app
        .api(
            "POST",
            "/api/v1/agendas",
            &coordinator,
            json!({ "territory": "re-guastalla", "title": "x", "period_start": 2028, "period_end": 2030 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "coordinates agendas, not the territory");
    let r = app
        .api(
            "POST",
            "/api/v1/agendas",
            &admin,
            json!({ "territory": "re-guastalla", "title": "Agenda 2028", "period_start": 2028, "period_end": 2027 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            "POST",
            "/api/v1/agendas",
            &admin,
            json!({ "territory": "re-guastalla", "title": "Agenda 2028", "period_start": 2028, "period_end": 2030 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.json()["status"], "draft");

    // PUT of an action: every field it leaves out is cleared.
    let a02 = format!("/api/v1/agendas/{GUASTALLA}/actions/A02");
    let version = app.state.store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap().0.version;
    let r = app.api("PUT", &a02, &admin, json!({ "version": version, "title": "Solo il titolo" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            "PUT",
            &a02,
            &admin,
            json!({ "version": version, "title": "Solo il titolo", "term": "short", "status": "planned" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let a = r.json();
    assert_eq!((a["description"].as_str(), a["start_date"].as_str()), (Some(""), None));

    // DELETE archives: the action leaves the lists, the objective takes its actions along.
    assert_eq!(app.api("DELETE", &a02, &coordinator, json!({})).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.api("DELETE", &a02, &coordinator, json!({})).await.status, StatusCode::NOT_FOUND);
    let listed = app.get(&format!("/api/v1/actions?agenda={GUASTALLA}&per_page=100")).await.json();
    assert!(listed["items"].as_array().unwrap().iter().all(|x| x["code"] != "A02"));
    assert_eq!(
        app.api("DELETE", &format!("/api/v1/agendas/{GUASTALLA}/objectives/O4"), &coordinator, json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api("DELETE", "/api/v1/organizations/iis-guastalla", &coordinator, json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api("DELETE", "/api/v1/organizations/iis-guastalla", &admin, json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api("DELETE", &format!("/api/v1/territories/{code}"), &admin, json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    // Every one of these writes is in the audit log, through the API.
    let filter = agio_store::AuditFilter { person: None, entity_type: None, entity_id: None, from: None, to: None };
    let log = app.state.store.search_audit(&filter, None, 100).await.unwrap();
    let archived =
        log.items.iter().filter(|e| e.operation == "archive" && e.channel == agio_domain::Channel::Api).count();
    // A02, O4 and its three actions, the organisation, the union.
    assert_eq!(archived, 1 + 1 + 3 + 1 + 1);
});

// Objectives and expected results are edited like every record: against a version, by those
// the rules allow, through the forms and the API, into the history.
both_backends!(objectives_and_results_are_edited, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let g = format!("/agende/{GUASTALLA}");
    let page = app.get_as(&g, &coordinator).await;
    page.page_with(&[&format!("{g}/obiettivi/O1/modifica"), &format!("{g}/obiettivi/O1/cronologia")]);
    let form = app.get_as(&format!("{g}/obiettivi/O1/modifica"), &coordinator).await;
    form.page_with(&["Modifica l&#39;obiettivo O1"]);
    let version = version_in(&form.body);
    let path = format!("{g}/obiettivi/O1/modifica");
    let empty = app.post_as(&path, &coordinator, &[("title", ""), ("version", &version)]).await;
    empty.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["campo obbligatorio"]);
    let fields = [("title", "Competenze digitali per tutti"), ("description", "Rivisto."), ("version", &version)];
    assert_eq!(app.post_as(&path, &coordinator, &fields).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.post_as(&path, &coordinator, &fields).await.status, StatusCode::CONFLICT, "a stale version");
    app.get_as(&g, &coordinator).await.page_with(&["O1 — Competenze digitali per tutti"]);
    app.get_as(&format!("{g}/obiettivi/O1/cronologia"), &coordinator)
        .await
        .page_with(&["Competenze digitali per tutti"]);
    let referent = app.sign_in(REFERENT).await;
    assert_eq!(app.get_as(&path, &referent).await.status, StatusCode::FORBIDDEN);

    // The referent of A02's lead edits its results, not another action's.
    let action = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    let result = &action.results[0];
    let path = format!("{g}/azioni/A02/risultati/{}/modifica", result.id);
    app.get_as(&format!("{g}/azioni/A02"), &referent).await.page_with(&[&path]);
    let form = app.get_as(&path, &referent).await;
    form.page_with(&["Modifica il risultato atteso"]);
    let version = version_in(&form.body);
    let r = app
        .post_as(&path, &referent, &[("kind", "impact"), ("description", "Meno isolamento"), ("version", &version)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    assert_eq!(after.results[0].description, "Meno isolamento");
    assert_eq!(after.version, action.version + 1, "a result is part of its action's version");
    let other = app.state.store.action(GUASTALLA, "A01").await.unwrap().unwrap();
    let path = format!("{g}/azioni/A01/risultati/{}/modifica", other.results[0].id);
    assert_eq!(app.get_as(&path, &referent).await.status, StatusCode::FORBIDDEN);

    // The same through the API, PATCH and PUT.
    let token = app.create_token(&coordinator, "write").await;
    let objective = format!("/api/v1/agendas/{GUASTALLA}/objectives/O2");
    let current = app.state.store.objective_for_edit(GUASTALLA, "O2").await.unwrap().unwrap();
    let r =
        app.api("PATCH", &objective, &token, json!({ "version": current.version, "title": "Servizi vicini" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["title"], "Servizi vicini");
    let r = app.api("PUT", &objective, &token, json!({ "version": current.version + 1 })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "PUT needs the title");
    let r =
        app.api("PUT", &objective, &token, json!({ "version": current.version + 1, "title": "Servizi vicini" })).await;
    assert_eq!(r.json()["description"], "", "PUT empties what it leaves out");
    let a02 = format!("/api/v1/agendas/{GUASTALLA}/actions/A02/results/{}", result.id);
    let r = app.api("PATCH", &a02, &token, json!({ "version": after.version, "kind": "miracle" })).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api("PUT", &a02, &token, json!({ "version": after.version, "kind": "outcome", "description": "Autonomia" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["results"][0]["description"], "Autonomia");
});

// An organisation's part and a budget line are corrected in place, not removed and added again.
both_backends!(partners_and_budget_lines_are_edited_in_place, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let a02 = format!("/agende/{GUASTALLA}/azioni/A02");
    let partners = app.get_as(&format!("{a02}/soggetti"), &referent).await;
    partners.page_with(&[&format!("{a02}/soggetti/comune-novellara/modifica")]);
    let path = format!("{a02}/soggetti/comune-novellara/modifica");
    let form = app.get_as(&path, &referent).await;
    let version = version_in(&form.body);
    let lead = app.post_as(&path, &referent, &[("role", "lead"), ("version", &version)]).await;
    lead.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["l&#39;azione ha già un capofila"]);
    let r = app
        .post_as(&path, &referent, &[("role", "partner"), ("role_description", "Sale civiche"), ("version", &version)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    app.get_as(&format!("{a02}/soggetti"), &referent).await.page_with(&["Sale civiche"]);

    let action = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    let line = &action.budget[0];
    let path = format!("{a02}/budget/{}/modifica", line.id);
    let form = app.get_as(&path, &referent).await;
    let shown = format!("value=\"{},{:02}\"", line.amount_cents / 100, line.amount_cents % 100);
    form.page_with(&[&shown]);
    let version = version_in(&form.body);
    // Raised by € 1.234,56 (it cannot go below what is already committed on it).
    let raised = line.amount_cents + 123_456;
    let amount = format!("{},{:02}", raised / 100, raised % 100);
    let fields = [("funding_source", line.funding_source.code.as_str()), ("amount", &amount), ("version", &version)];
    let r = app.post_as(&path, &referent, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    assert_eq!(after.budget.iter().find(|b| b.id == line.id).unwrap().amount_cents, raised);
    let history = app.get_as(&format!("{a02}/cronologia"), &referent).await;
    history.page_with(&["Modifica del ruolo di un soggetto", "Modifica di una voce di budget"]);
    // Not the referent's action.
    let a01 = app.state.store.action(GUASTALLA, "A01").await.unwrap().unwrap();
    let other = format!("/agende/{GUASTALLA}/azioni/A01/budget/{}/modifica", a01.budget[0].id);
    assert_eq!(app.get_as(&other, &referent).await.status, StatusCode::FORBIDDEN);

    // Through the API: a PATCH sends back the cents it read.
    let token = app.create_token(&referent, "write").await;
    let api = format!("/api/v1/agendas/{GUASTALLA}/actions/A02");
    let r = app
        .api(
            "PATCH",
            &format!("{api}/budget-lines/{}", line.id),
            &token,
            json!({ "version": after.version, "amount_cents": raised + 99 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let version = r.json()["version"].as_i64().unwrap();
    let r = app
        .api(
            "PATCH",
            &format!("{api}/budget-lines/{}", line.id),
            &token,
            json!({ "version": version, "amount_cents": -1 }),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            "PUT",
            &format!("{api}/partners/comune-novellara"),
            &token,
            json!({ "version": version, "role": "partner" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let novellara = r.json()["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["organization"]["slug"] == "comune-novellara")
        .unwrap()
        .clone();
    assert_eq!(novellara["role_description"], "", "PUT empties the contribution it leaves out");
});
