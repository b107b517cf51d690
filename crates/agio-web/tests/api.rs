//! Every API endpoint, on both backends: JSON content, paging, filters and problem+json errors.

use crate::support::{TestApp, GUASTALLA, RIMINI};
use agio_testkit::both_backends;
use axum::http::StatusCode;

#[track_caller]
fn ok(r: &crate::support::Reply) -> serde_json::Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header("content-type").starts_with("application/json"));
    r.json()
}

#[track_caller]
fn problem(r: &crate::support::Reply, status: StatusCode) -> serde_json::Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/problem+json");
    let p = r.json();
    assert_eq!(p["status"], status.as_u16());
    assert!(p["title"].is_string() && p["detail"].is_string() && p["type"].is_string());
    p
}

both_backends!(territories, |backend| async move {
    let app = TestApp::demo(backend).await;
    let districts = ok(&app.get("/api/v1/territories?kind=district&per_page=100").await);
    assert_eq!(districts["total"], 38);
    assert_eq!(districts["items"].as_array().unwrap().len(), 38);
    let comuni = ok(&app.get("/api/v1/territories?parent=re-guastalla").await);
    assert_eq!(comuni["total"], 8);
    assert!(comuni["items"].as_array().unwrap().iter().all(|c| c["parent"]["code"] == "re-guastalla"));
    let one = ok(&app.get("/api/v1/territories/035024").await);
    assert_eq!((one["name"].as_str(), one["kind"].as_str()), (Some("Guastalla"), Some("comune")));
    problem(&app.get("/api/v1/territories/999999").await, StatusCode::NOT_FOUND);
});

both_backends!(agendas, |backend| async move {
    let app = TestApp::demo(backend).await;
    let all = ok(&app.get("/api/v1/agendas").await);
    assert_eq!((all["total"].as_i64(), all["page"].as_i64(), all["per_page"].as_i64()), (Some(2), Some(1), Some(20)));
    let approved = ok(&app.get("/api/v1/agendas?status=approved").await);
    assert_eq!(approved["items"][0]["slug"], GUASTALLA);
    assert_eq!(approved["total"], 1);
    let themed = ok(&app.get("/api/v1/agendas?theme=telecare&life_stage=elderly").await);
    assert!(themed["total"].as_i64().unwrap() >= 1);
    let one = ok(&app.get(&format!("/api/v1/agendas/{RIMINI}")).await);
    assert_eq!(
        (one["status"].as_str(), one["territory"]["code"].as_str(), one["is_demo"].as_bool()),
        (Some("consultation"), Some("rn-rimini"), Some(true))
    );
    assert_eq!(one["actions_count"], 12);
    problem(&app.get("/api/v1/agendas/nessuna").await, StatusCode::NOT_FOUND);
});

both_backends!(objectives_and_actions, |backend| async move {
    let app = TestApp::demo(backend).await;
    let objectives = ok(&app.get(&format!("/api/v1/objectives?agenda={GUASTALLA}")).await);
    assert!(objectives["total"].as_i64().unwrap() >= 4);
    let o1 = ok(&app.get(&format!("/api/v1/agendas/{GUASTALLA}/objectives/O1")).await);
    assert_eq!((o1["code"].as_str(), o1["agenda_slug"].as_str()), (Some("O1"), Some(GUASTALLA)));

    let page2 = ok(&app.get("/api/v1/actions?page=2&per_page=5").await);
    assert_eq!(
        (page2["total"].as_i64(), page2["total_pages"].as_i64(), page2["items"].as_array().unwrap().len()),
        (Some(24), Some(5), 5)
    );
    let last = ok(&app.get("/api/v1/actions?page=5&per_page=5").await);
    assert_eq!(last["items"].as_array().unwrap().len(), 4);
    let by_org = ok(&app.get(&format!("/api/v1/actions?agenda={RIMINI}&objective=O1")).await);
    assert!(by_org["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["objective_code"] == "O1" && a["agenda_slug"] == RIMINI));

    let a = ok(&app.get(&format!("/api/v1/agendas/{GUASTALLA}/actions/A01")).await);
    assert_eq!(a["code"], "A01");
    assert!(a["lead"]["slug"].is_string());
    assert!(!a["results"][0]["indicators"].as_array().unwrap().is_empty());
    let sum: i64 = a["budget"].as_array().unwrap().iter().map(|b| b["amount_cents"].as_i64().unwrap()).sum();
    assert_eq!(a["budget_total_cents"].as_i64(), Some(sum));
    problem(&app.get(&format!("/api/v1/agendas/{GUASTALLA}/actions/Z1")).await, StatusCode::NOT_FOUND);
});

both_backends!(organizations_assets_vocabularies, |backend| async move {
    let app = TestApp::demo(backend).await;
    let orgs = ok(&app.get("/api/v1/organizations?type=health_authority").await);
    let first = &orgs["items"][0];
    assert_eq!(first["org_type"]["code"], "health_authority");
    let slug = first["slug"].as_str().unwrap();
    assert_eq!(ok(&app.get(&format!("/api/v1/organizations/{slug}")).await)["slug"], slug);

    let assets = ok(&app.get("/api/v1/assets?comune=035024&per_page=100").await);
    assert!(assets["items"].as_array().unwrap().iter().any(|a| a["slug"] == "lepida-rete"));
    let lepida = ok(&app.get("/api/v1/assets/lepida-rete").await);
    assert_eq!(lepida["coverage"].as_array().unwrap().len() as i64, lepida["comuni_covered"].as_i64().unwrap());

    let all = ok(&app.get("/api/v1/vocabularies").await);
    assert!(all.as_array().unwrap().len() >= 40);
    let stages = ok(&app.get("/api/v1/vocabularies/life_stage").await);
    assert_eq!(stages[4]["code"], "elderly");
    assert_eq!(stages[4]["label_it"], "Anziani");
    problem(&app.get("/api/v1/vocabularies/colours").await, StatusCode::NOT_FOUND);
});

both_backends!(bad_parameters_are_problems, |backend| async move {
    let app = TestApp::demo(backend).await;
    // A key naming nothing answers 404, like an address naming nothing; both name the parameter.
    let (bad, nothing) = (StatusCode::BAD_REQUEST, StatusCode::NOT_FOUND);
    for (path, param, status) in [
        ("/api/v1/agendas?status=ok", "status", bad),
        ("/api/v1/agendas?page=-1", "page", bad),
        ("/api/v1/agendas?page=%201", "page", bad),
        ("/api/v1/actions?per_page=1000", "per_page", bad),
        ("/api/v1/actions?theme=cooking", "theme", bad),
        ("/api/v1/organizations?territory=zzz", "territory", nothing),
        ("/api/v1/assets?status=broken", "status", bad),
        ("/api/v1/territories?kind=planet", "kind", bad),
        ("/api/v1/actions?agenda=zzz", "agenda", nothing),
        ("/api/v1/actions?organization=zzz", "organization", nothing),
        ("/api/v1/actions?asset=zzz", "asset", nothing),
        ("/api/v1/objectives?agenda=zzz", "agenda", nothing),
        ("/api/v1/territories?q=a%00b", "q", bad),
    ] {
        let p = problem(&app.get(path).await, status);
        assert_eq!(p["invalid_params"][0]["name"], param, "{path}");
        assert!(p["detail"].as_str().unwrap().contains(param));
        let reason = p["invalid_params"][0]["reason"].as_str().unwrap();
        assert!(!reason.contains("is not valid:"), "the reason is only the reason: {reason}");
    }
    let unknown = problem(&app.get("/api/v1/nothing-here").await, StatusCode::NOT_FOUND);
    assert_eq!(unknown["instance"], "/api/v1/nothing-here");
    assert_eq!(unknown["detail"], "Nothing is published at this address.");
});

both_backends!(openapi_document_covers_every_route, |backend| async move {
    let app = TestApp::demo(backend).await;
    let doc = ok(&app.get("/api/v1/openapi.json").await);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths: Vec<&str> = doc["paths"].as_object().unwrap().keys().map(String::as_str).collect();
    for expected in [
        "/api/v1/territories",
        "/api/v1/territories/{code}",
        "/api/v1/agendas",
        "/api/v1/agendas/{slug}",
        "/api/v1/objectives",
        "/api/v1/agendas/{slug}/objectives/{code}",
        "/api/v1/actions",
        "/api/v1/agendas/{slug}/actions/{code}",
        "/api/v1/organizations",
        "/api/v1/organizations/{slug}",
        "/api/v1/assets",
        "/api/v1/assets/{slug}",
        "/api/v1/vocabularies",
        "/api/v1/vocabularies/{vocabulary}",
        "/api/v1/me",
        "/api/v1/agendas/{slug}/status",
        "/api/v1/agendas/{slug}/actions/{code}/indicators/{id}",
        "/api/v1/profiles",
        "/api/v1/profiles/{slug}",
        "/api/v1/profiles/{slug}/internal-services",
        "/api/v1/profiles/{slug}/internal-services/{id}",
        "/api/v1/profiles/{slug}/databases",
        "/api/v1/profiles/{slug}/databases/{id}",
        "/api/v1/profiles/{slug}/zone-plan",
        "/api/v1/agendas/{slug}/objectives/{code}/gaps",
        "/api/v1/agendas/{slug}/actions/{code}/gaps",
        "/api/v1/frameworks",
        "/api/v1/frameworks/{id}",
        "/api/v1/frameworks/{id}/items",
        "/api/v1/frameworks/{id}/items/{item}",
        "/api/v1/agendas/{slug}/objectives/{code}/targets",
        "/api/v1/agendas/{slug}/process",
        "/api/v1/agendas/{slug}/process/ideas",
        "/api/v1/agendas/{slug}/process/results",
        "/api/v1/agendas/{slug}/process/document",
        "/api/v1/agendas/{slug}/process/ideas/{number}",
        "/api/v1/agendas/{slug}/process/ideas/{number}/answer",
        "/api/v1/agendas/{slug}/process/active-phase",
        "/api/v1/agendas/{slug}/decidim",
        "/api/v1/agendas/{slug}/decidim/import",
        "/api/v1/agendas/{slug}/process/meetings",
        "/api/v1/agendas/{slug}/process/meetings/{number}",
        "/api/v1/agendas/{slug}/process/pacts",
        "/api/v1/agendas/{slug}/process/pacts/{number}",
        "/api/v1/agendas/{slug}/process/pacts/{number}/reports",
        "/api/v1/agendas/{slug}/process/phases/{kind}",
        "/api/v1/agendas/{slug}/process/admitted",
        "/api/v1/agendas/{slug}/monitoring",
        "/api/v1/agendas/{slug}/actions/{code}/delivery",
        "/api/v1/agendas/{slug}/indicators/{id}/measurements",
        "/api/v1/agendas/{slug}/indicators/{id}/measurements/{period}",
        "/api/v1/agendas/{slug}/indicators/{id}/measurements/{period}/{step}",
    ] {
        assert!(paths.contains(&expected), "{expected} is not documented");
    }
    // Every documented public read answers (with real values in place of its parameters);
    // the changes, which need a token, are exercised by tests/api_writes.rs.
    let a01 = ok(&app.get(&format!("/api/v1/agendas/{GUASTALLA}/actions/A01")).await);
    let indicator = a01["results"][0]["indicators"][0]["id"].as_str().unwrap().to_string();
    let public_reads =
        paths.iter().filter(|p| doc["paths"][**p]["get"].is_object() && doc["paths"][**p]["get"]["security"].is_null());
    for path in public_reads {
        let concrete = path
            // Only Rimini's demo agenda reads its consultation from Decidim.
            .replace("/agendas/{slug}/decidim", &format!("/agendas/{RIMINI}/decidim"))
            .replace("/territories/{code}", "/territories/re-guastalla")
            .replace("/indicators/{id}", &format!("/indicators/{indicator}"))
            .replace("{slug}/objectives/{code}", &format!("{GUASTALLA}/objectives/O1"))
            .replace("{slug}/actions/{code}", &format!("{GUASTALLA}/actions/A01"))
            .replace("/agendas/{slug}", &format!("/agendas/{GUASTALLA}"))
            .replace("/organizations/{slug}", "/organizations/unione-comuni-bassa-reggiana")
            .replace("/assets/{slug}", "/assets/lepida-rete")
            .replace("/profiles/{slug}", "/profiles/re-guastalla")
            .replace("{vocabulary}", "theme")
            .replace("{number}", "1");
        ok(&app.get(&concrete).await);
    }
});

// Every query parameter the document lists is really read and validated: a value no
// parameter accepts (a control character) is refused naming it, while an unknown
// parameter is ignored.
both_backends!(documented_query_parameters_are_validated, |backend| async move {
    let app = TestApp::demo(backend).await;
    let doc = ok(&app.get("/api/v1/openapi.json").await);
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if path.contains('{') || !item["get"].is_object() || !item["get"]["security"].is_null() {
            continue;
        }
        for param in item["get"]["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "query") {
            let name = param["name"].as_str().unwrap();
            let p = problem(&app.get(&format!("{path}?{name}=%01")).await, StatusCode::BAD_REQUEST);
            assert_eq!(p["invalid_params"][0]["name"], name, "{path}: {name}");
            checked += 1;
        }
        ok(&app.get(&format!("{path}?not_a_parameter=%01")).await);
    }
    assert!(checked >= 30, "only {checked} parameters checked");
});

both_backends!(the_served_document_declares_what_the_server_checks, |backend| async move {
    let app = TestApp::demo(backend).await;
    let doc = ok(&app.get("/api/v1/openapi.json").await);
    let parameter = |path: &str, name: &str| -> serde_json::Value {
        let parameters = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
        parameters.iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{path} has no {name}")).clone()
    };
    // The vocabularies' codes, from the database.
    let groups = parameter("/api/v1/agendas", "target_group");
    assert!(groups["schema"]["enum"].as_array().unwrap().iter().any(|c| c == "digital_divide"), "{groups}");
    assert_eq!(parameter("/api/v1/agendas", "status")["schema"]["enum"][0], "draft");
    // Free text, keys and an empty value (no filter).
    let q = parameter("/api/v1/agendas", "q");
    assert_eq!((q["schema"]["maxLength"].clone(), q["allowEmptyValue"].clone()), (200.into(), true.into()));
    assert!(parameter("/api/v1/actions", "organization")["schema"]["pattern"].is_string());
    assert_eq!(parameter("/api/v1/agendas", "page")["schema"]["maximum"], 1_000_000);
    assert!(doc["paths"]["/api/v1/agendas"]["get"]["responses"]["404"].is_object(), "a key naming nothing");
    // What the document says is what the server does: an empty value is no filter.
    let all = ok(&app.get("/api/v1/agendas").await);
    assert_eq!(ok(&app.get("/api/v1/agendas?status=&territory=&q=").await)["total"], all["total"]);
    assert_eq!(ok(&app.get("/api/v1/agendas?q=%20%20").await)["total"], all["total"], "spaces are no text");
});
