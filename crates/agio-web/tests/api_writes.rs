//! The write API: personal access tokens, the same rules as the forms, problem+json answers,
//! every change audited. Both backends.

use crate::support::{TestApp, GUASTALLA, RIMINI};
use agio_testkit::both_backends;
use axum::http::StatusCode;
use serde_json::{json, Value};

const REFERENT: &str = "referente@demo.agio.example";
const COORDINATOR: &str = "coordinatore@demo.agio.example";

fn problem(r: &crate::support::Reply, status: StatusCode) -> serde_json::Value {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.header("content-type"), "application/problem+json");
    r.json()
}

both_backends!(tokens_are_shown_once_stored_hashed_and_revocable, |backend| async move {
    let app = TestApp::demo(backend).await;
    let session = app.sign_in(REFERENT).await;
    let token = app.create_token(&session, "write").await;
    assert!(token.starts_with("agio_") && token.len() == 69);
    let me = app.api("GET", "/api/v1/me", &token, json!({})).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.json()["person"]["email"], REFERENT);
    assert_eq!(me.json()["token_scope"], "write");
    // The personal area lists it without the secret, and can revoke it.
    let area = app.get_as("/area-personale", &session).await;
    area.page_with(&["gestionale", "Lettura e modifica", "Revoca"]);
    assert!(!area.body.contains(&token[5..]), "the secret is never shown again");
    let id_at = area.body.find("/area-personale/token/").unwrap() + 22;
    let id = &area.body[id_at..id_at + area.body[id_at..].find('/').unwrap()];
    let revoked = app.post_as(&format!("/area-personale/token/{id}/revoca"), &session, &[]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let after = problem(&app.api("GET", "/api/v1/me", &token, json!({})).await, StatusCode::UNAUTHORIZED);
    assert_eq!(after["status"], 401);
    // No token, a malformed one, an unknown one: 401 with a Bearer challenge.
    for bad in ["", "agio_123", &format!("agio_{}", "0".repeat(64)), "Basic xyz"] {
        let r = app.api("GET", "/api/v1/me", bad, json!({})).await;
        problem(&r, StatusCode::UNAUTHORIZED);
        assert_eq!(r.header("www-authenticate"), "Bearer realm=\"agio\"");
    }
    // An expired token stops working.
    let expiring = app.create_token(&session, "read").await;
    app.state
        .store
        .execute_raw("UPDATE api_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE scope = 'read'")
        .await
        .unwrap();
    problem(&app.api("GET", "/api/v1/me", &expiring, json!({})).await, StatusCode::UNAUTHORIZED);
    // A bad form is answered on the personal area, in Italian.
    let r =
        app.post_as("/area-personale/token", &session, &[("name", ""), ("scope", "admin"), ("lifetime", "7")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Nome: campo obbligatorio.") && r.body.contains("Permessi: scegli uno dei valori proposti"),
        "{}",
        r.body
    );
});

both_backends!(changes_follow_the_same_rules_as_the_forms, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let token = app.create_token(&referent, "write").await;
    let a02 = format!("/api/v1/agendas/{GUASTALLA}/actions/A02");
    let before = app.get(&a02).await.json();
    assert_eq!(before["version"], 1);

    let r =
        app.api("PATCH", &a02, &token, json!({ "version": 1, "title": "Mediazione digitale", "end_date": null })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = r.json();
    assert_eq!((after["title"].as_str(), after["version"].as_i64()), (Some("Mediazione digitale"), Some(2)));
    assert_eq!(after["description"], before["description"], "fields left out keep their value");
    assert_eq!(after["end_date"], serde_json::Value::Null, "null clears an optional field");
    // The agenda is approved: the public reads its approved version until the next approval,
    // the token's owner (who writes the agenda) reads the working draft.
    assert_eq!(app.get(&a02).await.json()["title"], before["title"]);
    assert_eq!(app.api("GET", &a02, &token, json!({})).await.json()["title"], "Mediazione digitale");
    // The audit log says who, how and from where.
    let id = after["id"].as_str().unwrap();
    let history = app.state.store.history("action", id).await.unwrap();
    assert_eq!((history[0].channel.code(), history[0].person_name.as_str()), ("api", "Rita Referente (demo)"));

    // A stale version: 409 with the stored values, nothing saved.
    let stale = problem(
        &app.api("PATCH", &a02, &token, json!({ "version": 1, "title": "Vecchia" })).await,
        StatusCode::CONFLICT,
    );
    assert_eq!(
        (stale["current"]["title"].as_str(), stale["current_version"].as_i64()),
        (Some("Mediazione digitale"), Some(2))
    );
    // Every invalid field listed at once.
    let invalid = app
        .api("PATCH", &a02, &token, json!({ "version": 2, "title": "", "start_date": "2026-13-01", "term": ["short"], "colour": "red", "status": "done" }))
        .await;
    let invalid = problem(&invalid, StatusCode::UNPROCESSABLE_ENTITY);
    let mut names: Vec<&str> =
        invalid["invalid_params"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["colour", "start_date", "status", "term", "title"], "{invalid}");
    // Not the referent's action: 403; an unknown one: 404.
    problem(
        &app.api("PATCH", &format!("/api/v1/agendas/{GUASTALLA}/actions/A01"), &token, json!({ "version": 1 })).await,
        StatusCode::FORBIDDEN,
    );
    problem(
        &app.api("PATCH", &format!("/api/v1/agendas/{GUASTALLA}/actions/Z99"), &token, json!({ "version": 1 })).await,
        StatusCode::NOT_FOUND,
    );
    // The indicators of its action, with numbers as JSON numbers.
    let indicator = &after["results"][0]["indicators"][0];
    let path = format!("{a02}/indicators/{}", indicator["id"].as_str().unwrap());
    let r = app.api("PATCH", &path, &token, json!({ "version": 2, "target_value": 150.5 })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["version"].as_i64(), r.json()["indicator"]["target_value"].as_f64()), (Some(3), Some(150.5)));
    // A read-only token cannot change anything.
    let reader = app.create_token(&referent, "read").await;
    problem(&app.api("PATCH", &a02, &reader, json!({ "version": 3, "title": "x" })).await, StatusCode::FORBIDDEN);
});

both_backends!(unreadable_bodies_are_clear_400s, |backend| async move {
    let app = TestApp::demo(backend).await;
    let session = app.sign_in(REFERENT).await;
    let token = app.create_token(&session, "write").await;
    let a02 = format!("/api/v1/agendas/{GUASTALLA}/actions/A02");
    for body in ["{not json", "[1, 2]", "\"text\""] {
        let request = axum::http::Request::patch(&a02)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(axum::body::Body::from(body))
            .unwrap();
        let r = app.request(request).await;
        let p = problem(&r, StatusCode::BAD_REQUEST);
        assert!(p["detail"].as_str().unwrap().contains("cannot be read"), "{p}");
    }
    let request = axum::http::Request::patch(&a02)
        .header("content-type", "text/plain")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from("{}"))
        .unwrap();
    problem(&app.request(request).await, StatusCode::BAD_REQUEST);
    let huge = json!({ "version": 1, "description": "x".repeat(400 * 1024) });
    problem(&app.api("PATCH", &a02, &token, huge).await, StatusCode::BAD_REQUEST);
});

// A body is checked against its operation's request schema: what the OpenAPI document forbids,
// the server refuses, nothing created, with the editors' findings on the other fields.
both_backends!(bodies_outside_their_schema_are_refused, |backend| async move {
    let app = TestApp::demo(backend).await;
    let session = app.sign_in(COORDINATOR).await;
    let token = app.create_token(&session, "write").await;
    let objectives = format!("/api/v1/agendas/{GUASTALLA}/objectives");
    let listed = format!("/api/v1/objectives?agenda={GUASTALLA}");
    let before = app.get(&listed).await.json()["total"].as_i64().unwrap();
    // Found by Schemathesis: a JSON number was taken as a title.
    let p =
        problem(&app.api("POST", &objectives, &token, json!({ "title": 0 })).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["invalid_params"][0]["name"], "title", "{p}");
    let p = problem(
        &app.api("POST", &objectives, &token, json!({ "title": "Inclusione", "colour": "blu" })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(p["invalid_params"][0]["name"], "colour", "{p}");
    assert_eq!(p["invalid_params"][0]["reason"], "unknown field.", "{p}");
    assert_eq!(app.get(&listed).await.json()["total"].as_i64().unwrap(), before, "nothing created");
    // A body composed of a record's fields and its creation's refuses an unknown field too (found
    // by Schemathesis: it was let through), and the document says so.
    let body = json!({ "name": "Pro Loco", "org_type": "odv", "colour": "blu" });
    let p = problem(&app.api("POST", "/api/v1/organizations", &token, body).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["invalid_params"][0]["name"], "colour", "{p}");
    assert_eq!(p["invalid_params"].as_array().unwrap().len(), 1, "{p}");
    // An enum's value outside the schema, beside the editors' own findings.
    let results = format!("/api/v1/agendas/{GUASTALLA}/actions/A02/results");
    let p = problem(
        &app.api("POST", &results, &token, json!({ "kind": "wish", "description": ["a", "b"] })).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let fields: Vec<&str> =
        p["invalid_params"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(fields, ["kind", "description"], "{p}");
    // What a client sends back as it read it: cents, and null for an optional text.
    let lines = format!("/api/v1/agendas/{GUASTALLA}/actions/A02/budget-lines");
    let body = json!({ "funding_source": "pnrr", "amount_cents": 150_050, "description": null });
    let r = app.api("POST", &lines, &token, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // The document says what a PUT must give (every field that cannot be null), and a required
    // text cannot be blank.
    let doc = app.get("/api/v1/openapi.json").await.json();
    let put = &doc["paths"]["/api/v1/agendas/{slug}/objectives/{code}"]["put"]["requestBody"]["content"]
        ["application/json"]["schema"];
    assert_eq!(put["required"], json!(["title", "version"]), "{put}");
    assert_eq!(doc["components"]["schemas"]["ObjectiveChange"]["properties"]["title"]["minLength"], 1);
    assert_eq!(doc["components"]["schemas"]["ObjectiveChange"]["additionalProperties"], false);
    // A meeting's body also creates one (its version left out); its PUT changes one, so needs it.
    let put = &doc["paths"]["/api/v1/agendas/{slug}/process/meetings/{number}"]["put"]["requestBody"]["content"]
        ["application/json"]["schema"];
    // It also gives what its reader requires, and a place or a link to join online.
    assert_eq!(
        (&put["required"], &put["properties"]["version"]["type"]),
        (&json!(["version", "date", "kind", "title"]), &json!("integer"))
    );
    let somewhere: Vec<&Value> =
        put["allOf"][1]["anyOf"].as_array().unwrap().iter().map(|o| &o["required"][0]).collect();
    assert_eq!(somewhere, [&json!("place"), &json!("online_url")], "{put}");
    let phase = &doc["paths"]["/api/v1/agendas/{slug}/process/phases/{kind}"]["put"]["parameters"][1]["schema"];
    assert_eq!(phase["$ref"], "#/components/schemas/PhaseKind", "the phases are named in the document");
    let organization = &doc["components"]["schemas"]["NewOrganization"];
    assert_eq!(organization["additionalProperties"], false, "{organization}");
    assert!(organization["properties"]["territory"].is_object() && organization["properties"]["name"].is_object());
    // A version written as 3.0 is the integer 3, as JSON Schema reads it.
    let objective = format!("/api/v1/agendas/{GUASTALLA}/objectives/O1");
    let version = app.state.store.objective_for_edit(GUASTALLA, "O1").await.unwrap().unwrap().version as f64;
    let r = app.api("PATCH", &objective, &token, json!({ "version": version, "description": "Con i Comuni" })).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // An end changed alone, before the saved start: a clash with the agenda as it is, named.
    let agenda = format!("/api/v1/agendas/{GUASTALLA}");
    let version = app.get(&agenda).await.json()["version"].clone();
    let r = app.api("PATCH", &agenda, &token, json!({ "version": version, "period_end": 2001 })).await;
    let p = problem(&r, StatusCode::CONFLICT);
    assert_eq!(p["invalid_params"][0]["name"], "period_end", "{p}");
    assert!(p["invalid_params"][0]["reason"].as_str().unwrap().contains("saved period_start"), "{p}");
    // A start changed alone, after the saved end: named at the start the body sent.
    let r = app.api("PATCH", &agenda, &token, json!({ "version": version, "period_start": 2099 })).await;
    let p = problem(&r, StatusCode::CONFLICT);
    assert_eq!(p["invalid_params"][0]["name"], "period_start", "{p}");
    assert!(p["invalid_params"][0]["reason"].as_str().unwrap().contains("saved period_end"), "{p}");
});

both_backends!(the_workflow_through_the_api, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let token = app.create_token(&coordinator, "write").await;
    let path = format!("/api/v1/agendas/{RIMINI}/status");
    let skip = problem(
        &app.api("POST", &path, &token, json!({ "version": 1, "status": "archived", "note": "x" })).await,
        // Not a move from the present status: a clash with the agenda's state.
        StatusCode::CONFLICT,
    );
    assert_eq!(skip["invalid_params"][0]["name"], "status");
    let r = app
        .api("POST", &path, &token, json!({ "version": 1, "status": "approved", "note": "Delibera n. 12/2026" }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!((r.json()["status"].as_str(), r.json()["version"].as_i64()), (Some("approved"), Some(2)));
    let r = app
        .api("PATCH", &format!("/api/v1/agendas/{RIMINI}"), &token, json!({ "version": 2, "period_end": 2029 }))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["period_end"], 2029);
    // The referent is not a coordinator.
    let referent = app.sign_in(REFERENT).await;
    let other = app.create_token(&referent, "write").await;
    problem(
        &app.api("PATCH", &format!("/api/v1/agendas/{GUASTALLA}"), &other, json!({ "version": 1, "title": "x" })).await,
        StatusCode::FORBIDDEN,
    );
});

// The lists inside an action through the API: POST adds a line and answers with the action,
// DELETE removes one; invalid lines list every invalid field; the same rules as the forms.
both_backends!(an_actions_lists_are_written_through_the_api, |backend| async move {
    let app = TestApp::demo(backend).await;
    let referent = app.sign_in(REFERENT).await;
    let token = app.create_token(&referent, "write").await;
    let a02 = format!("/api/v1/agendas/{GUASTALLA}/actions/A02");

    let r = app
        .api(
            "POST",
            &format!("{a02}/partners"),
            &token,
            json!({ "organization": "iis-guastalla", "role": "partner", "role_description": "Aule" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let partners = r.json()["partners"].as_array().unwrap().clone();
    assert!(partners.iter().any(|p| p["organization"]["slug"] == "iis-guastalla" && p["role_description"] == "Aule"));
    let p = problem(
        &app.api(
            "POST",
            &format!("{a02}/partners"),
            &token,
            json!({ "organization": "iis-guastalla", "role": "lead" }),
        )
        .await,
        // Already a partner, and a second lead: clashes with the action as it is.
        StatusCode::CONFLICT,
    );
    let fields: Vec<&str> =
        p["invalid_params"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(fields, ["organization", "role"], "{p}");

    let r = app
        .api(
            "POST",
            &format!("{a02}/budget-lines"),
            &token,
            json!({ "funding_source": "pnrr", "amount": 1500.5, "description": "Tablet" }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let line = r.json()["budget"].as_array().unwrap().iter().find(|b| b["description"] == "Tablet").unwrap().clone();
    assert_eq!(line["amount_cents"], 150_050);
    let r = app
        .api("POST", &format!("{a02}/budget-lines"), &token, json!({ "funding_source": "pnrr", "amount": "12.500,00" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "Italian amounts are read too: {}", r.body);
    let p = problem(
        &app.api("POST", &format!("{a02}/budget-lines"), &token, json!({ "funding_source": ["pnrr"], "amount": true }))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert_eq!(p["invalid_params"].as_array().unwrap().len(), 2, "{p}");

    let r = app
        .api("POST", &format!("{a02}/results"), &token, json!({ "kind": "impact", "description": "Meno isolamento" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let result =
        r.json()["results"].as_array().unwrap().iter().find(|x| x["description"] == "Meno isolamento").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
    let r = app
        .api("POST", &format!("{a02}/indicators"), &token, json!({ "result": result, "name": "Persone raggiunte", "unit": "persone", "target_value": 40, "target_year": 2027, "direction": "increase" }))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let action = r.json();
    let indicator = action["results"].as_array().unwrap().iter().find(|x| x["id"] == result.as_str()).unwrap()
        ["indicators"][0]
        .clone();
    assert_eq!(indicator["name"], "Persone raggiunte");
    assert_eq!(indicator["target_value"], 40.0);
    let p = problem(
        &app.api(
            "POST",
            &format!("{a02}/indicators"),
            &token,
            json!({ "result": "altro", "unit": "x", "direction": "up" }),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let mut fields: Vec<&str> =
        p["invalid_params"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    fields.sort();
    assert_eq!(fields, ["direction", "name", "result"], "{p}");

    let r = app.api("POST", &format!("{a02}/assets"), &token, json!({ "asset": "lepida-rete" })).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert!(r.json()["assets"].as_array().unwrap().iter().any(|a| a["slug"] == "lepida-rete"));

    // Removals answer 204, then 404 once gone.
    let id = indicator["id"].as_str().unwrap();
    for path in [
        format!("{a02}/indicators/{id}"),
        format!("{a02}/results/{result}"),
        format!("{a02}/assets/lepida-rete"),
        format!("{a02}/budget-lines/{}", line["id"].as_str().unwrap()),
        format!("{a02}/partners/iis-guastalla"),
    ] {
        assert_eq!(app.api("DELETE", &path, &token, json!({})).await.status, StatusCode::NO_CONTENT, "{path}");
        problem(&app.api("DELETE", &path, &token, json!({})).await, StatusCode::NOT_FOUND);
    }
    // Eleven changes, each a new version of the action.
    let version = app.state.store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap().0.version;
    assert_eq!(version, 12);
    // Every change is in the audit log, by the API channel.
    let log = app
        .state
        .store
        .history("action", &app.state.store.action_for_edit(GUASTALLA, "A02").await.unwrap().unwrap().0.id)
        .await
        .unwrap();
    assert!(log.iter().filter(|e| e.channel == agio_domain::Channel::Api).count() == 11, "{}", log.len());

    // Not the referent's action; a read-only token.
    let a01 = format!("/api/v1/agendas/{GUASTALLA}/actions/A01");
    problem(
        &app.api("POST", &format!("{a01}/results"), &token, json!({ "kind": "output", "description": "x" })).await,
        StatusCode::FORBIDDEN,
    );
    problem(&app.api("DELETE", &format!("{a01}/assets/app-io"), &token, json!({})).await, StatusCode::FORBIDDEN);
    let reader = app.create_token(&referent, "read").await;
    problem(
        &app.api("POST", &format!("{a02}/assets"), &reader, json!({ "asset": "app-io" })).await,
        StatusCode::FORBIDDEN,
    );
});

// The Community Lab's meetings and pacts, written by the coordinators through the API with the
// forms' rules, and read by anyone where the agenda is public.
both_backends!(coordinators_write_meetings_and_pacts_through_the_api, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.create_token(&app.sign_in(COORDINATOR).await, "write").await;
    let referent = app.create_token(&app.sign_in(REFERENT).await, "write").await;
    let meetings = format!("/api/v1/agendas/{RIMINI}/process/meetings");
    let meeting = json!({"kind": "meeting", "title": "Incontro API", "date": "2027-03-04", "starts": "17:30",
        "place": "Sala del Consiglio", "capacity": 30, "agenda": "Le **idee** raccolte"});
    problem(&app.api("POST", &meetings, &referent, meeting.clone()).await, StatusCode::FORBIDDEN);
    let bad = problem(
        &app.api("POST", &meetings, &coordinator, json!({"kind": "meeting", "title": "x"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    assert!(bad["invalid_params"].as_array().unwrap().iter().any(|p| p["name"] == "date"), "{bad}");
    let created = app.api("POST", &meetings, &coordinator, meeting).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    let number = created["number"].as_i64().unwrap();
    assert_eq!((created["title"].as_str(), created["capacity"].as_i64()), (Some("Incontro API"), Some(30)));
    // Anyone reads it; a number that is not one is a 404.
    let one = format!("{meetings}/{number}");
    assert_eq!(app.get(&one).await.json()["place"], "Sala del Consiglio");
    problem(&app.get(&format!("{meetings}/999")).await, StatusCode::NOT_FOUND);
    problem(&app.get(&format!("{meetings}/uno")).await, StatusCode::NOT_FOUND);
    // A change names the version it starts from; an older one is refused.
    let change = json!({"version": 1, "kind": "meeting", "title": "Incontro API", "date": "2027-03-11", "place": "Sala del Consiglio"});
    let changed = app.api("PUT", &one, &coordinator, change.clone()).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.json()["date"], "2027-03-11");
    problem(&app.api("PUT", &one, &coordinator, change).await, StatusCode::CONFLICT);

    let pacts = format!("/api/v1/agendas/{RIMINI}/process/pacts");
    let pact = json!({"title": "Patto API", "object": "La cura del punto digitale", "parties": ["Comune di Rimini — amministrazione"],
        "status": "proposed"});
    let bad = problem(&app.api("POST", &pacts, &coordinator, pact).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad["invalid_params"].as_array().unwrap().iter().any(|p| p["name"] == "parties"),
        "two parties at least: {bad}"
    );
    let pact = json!({"title": "Patto API", "object": "La cura del punto digitale", "status": "signed",
        "parties": ["Comune di Rimini — amministrazione", "Ponti tra Culture APS — associazione"], "reporting_dates": ["2027-06-30"]});
    let created = app.api("POST", &pacts, &coordinator, pact).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let number = created.json()["number"].as_i64().unwrap();
    let reports = format!("{pacts}/{number}/reports");
    let reported = app
        .api("POST", &reports, &coordinator, json!({"version": 1, "date": "2027-06-30", "text": "Aperto il punto."}))
        .await;
    assert_eq!(reported.status, StatusCode::CREATED, "{}", reported.body);
    assert_eq!(reported.json()["reports"][0]["text"], "Aperto il punto.");
    problem(
        &app.api("POST", &reports, &referent, json!({"version": 2, "date": "2027-07-01", "text": "x"})).await,
        StatusCode::FORBIDDEN,
    );
    let concluded = app
        .api(
            "PUT",
            &format!("{pacts}/{number}"),
            &coordinator,
            json!({"version": 2, "title": "Patto API",
        "object": "La cura del punto digitale", "status": "concluded",
        "parties": ["Comune di Rimini — amministrazione", "Ponti tra Culture APS — associazione"]}),
        )
        .await;
    assert_eq!(concluded.status, StatusCode::OK, "{}", concluded.body);
    assert_eq!(app.get(&format!("{pacts}/{number}")).await.json()["status"], "concluded");
});

both_backends!(coordinators_set_up_the_process_its_phases_and_the_vote_through_the_api, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.create_token(&app.sign_in(COORDINATOR).await, "write").await;
    let referent = app.create_token(&app.sign_in(REFERENT).await, "write").await;
    let process = format!("/api/v1/agendas/{RIMINI}/process");
    let read = app.get(&process).await.json();
    let version = read["version"].as_i64().unwrap();
    let change = json!({"version": version, "title": "Community Lab di Rimini", "description": "Aggiornato",
        "vote_method": "points", "vote_points": 10});
    problem(&app.api("PUT", &process, &referent, change.clone()).await, StatusCode::FORBIDDEN);
    let bad = json!({"version": version, "title": "x", "vote_method": "points", "vote_points": 1000});
    problem(&app.api("PUT", &process, &coordinator, bad).await, StatusCode::UNPROCESSABLE_ENTITY);
    let changed = app.api("PUT", &process, &coordinator, change.clone()).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(changed.json()["vote_points"], 10);
    problem(&app.api("PUT", &process, &coordinator, change).await, StatusCode::CONFLICT);

    let phases = changed.json()["phases"].clone();
    let working_day = phases.as_array().unwrap().iter().find(|p| p["kind"] == "working_day").unwrap().clone();
    let phase = format!("{process}/phases/working_day");
    let backwards = json!({"version": working_day["version"], "starts_on": "2027-03-10", "ends_on": "2027-03-01"});
    let refused = problem(&app.api("PUT", &phase, &coordinator, backwards).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["invalid_params"][0]["name"], "ends_on");
    let dates = json!({"version": working_day["version"], "starts_on": "2027-03-01", "ends_on": "2027-03-10",
        "description": "La giornata di lavoro"});
    let dated = app.api("PUT", &phase, &coordinator, dates).await;
    assert_eq!(dated.status, StatusCode::OK, "{}", dated.body);
    let saved = dated.json()["phases"].as_array().unwrap().iter().find(|p| p["kind"] == "working_day").unwrap().clone();
    assert_eq!((saved["starts_on"].as_str(), saved["ends_on"].as_str()), (Some("2027-03-01"), Some("2027-03-10")));
    problem(
        &app.api("PUT", &format!("{process}/phases/nessuna"), &coordinator, json!({"version": 1})).await,
        StatusCode::NOT_FOUND,
    );

    let admitted = format!("{process}/admitted");
    let version = dated.json()["version"].as_i64().unwrap();
    problem(
        &app.api("PUT", &admitted, &coordinator, json!({"version": version, "admitted": ["99"]})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    );
    let chosen = app.api("PUT", &admitted, &coordinator, json!({"version": version, "admitted": ["1", "2"]})).await;
    assert_eq!(chosen.status, StatusCode::OK, "{}", chosen.body);
});

// Found by Schemathesis on PostgreSQL: the same insert, first with no baseline value, then with
// one, must both be saved (a statement prepared for a null of one type must take a number).
both_backends!(an_indicator_s_numbers_may_be_left_out_then_given, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let token = app.create_token(&coordinator, "write").await;
    let a01 = format!("/api/v1/agendas/{GUASTALLA}/actions/A01");
    let result = app.get(&a01).await.json()["results"][0]["id"].clone();
    for baseline in [json!(null), json!(3847064.51), json!(null), json!(12)] {
        let body = json!({ "name": "Punti attivi", "unit": "punti", "direction": "decrease", "result": result,
            "baseline_value": baseline, "baseline_year": 1954.0, "target_value": null, "weight": 26 });
        let r = app.api("POST", &format!("{a01}/indicators"), &token, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{baseline}: {}", r.body);
    }
});

/// An answer given before the request's body is read to its end (a write without a token, a
/// panic) may leave the body on the connection, which the server then closes: the answer says
/// so, or the client would send its next request into it (a failed POST, not a retried one). A
/// body read to its end, of a known length or chunked, keeps the connection.
#[tokio::test]
async fn an_answer_given_before_the_body_is_read_closes_the_connection() {
    use axum::body::{Body, Bytes};
    use axum::http::Request;
    let app = TestApp::demo(agio_store::Backend::Sqlite).await;
    let token = app.create_token(&app.sign_in(REFERENT).await, "write").await;
    // The body whole, with its length, or chunked in three parts.
    let patch = |authorization: Option<String>, body: String, chunked: bool| {
        let mut request = Request::builder()
            .method("PATCH")
            .uri(format!("/api/v1/agendas/{GUASTALLA}/actions/A02"))
            .header("content-type", "application/json");
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        if !chunked {
            return request.header("content-length", body.len()).body(Body::from(body)).unwrap();
        }
        let third = body.len() / 3;
        let parts = [&body[..third], &body[third..2 * third], &body[2 * third..]]
            .map(|part| Ok::<_, std::io::Error>(Bytes::from(part.to_string())));
        request
            .header("transfer-encoding", "chunked")
            .body(Body::from_stream(futures_util::stream::iter(parts)))
            .unwrap()
    };
    let large = json!({ "version": 1, "title": "x".repeat(70_000) }).to_string();
    let bad_title = json!({ "version": 1, "title": "" }).to_string();
    for chunked in [false, true] {
        for authorization in [None, Some("Bearer agio_0".to_string()), Some("Basic eDp5".to_string())] {
            let refused = app.request(patch(authorization, large.clone(), chunked)).await;
            problem(&refused, StatusCode::UNAUTHORIZED);
            assert_eq!(refused.header("connection"), "close", "chunked: {chunked}");
        }
        let read = app.request(patch(Some(format!("Bearer {token}")), bad_title.clone(), chunked)).await;
        assert!(matches!(read.status, StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY), "{}", read.body);
        assert_eq!(read.header("connection"), "", "chunked: {chunked}: a body read to its end keeps the connection");
    }
    let page = app.get("/agende").await;
    assert_eq!((page.status, page.header("connection")), (StatusCode::OK, ""));
    // A handler that fails before reading: the answer comes from a layer below the outermost.
    let boom = axum::Router::new()
        .route("/boom", axum::routing::post(|| async { panic!("before the body is read") as &'static str }))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(agio_web::kit::observe::ObserveLayer(app.state.clone()));
    let request = Request::post("/boom").header("content-length", large.len()).body(Body::from(large)).unwrap();
    let answer = tower::ServiceExt::oneshot(boom, request).await.unwrap();
    assert_eq!(
        (answer.status(), answer.headers().get("connection").map(|v| v.to_str().unwrap())),
        (StatusCode::INTERNAL_SERVER_ERROR, Some("close"))
    );
}
