//! What the database guarantees when requests race: concurrent duplicate additions answer one
//! success and field errors naming the field, never a 500, through the forms (422) and the API
//! (409: a clash with what the first one added).
//! Both backends.

use crate::support::{form, Session, TestApp, GUASTALLA};
use agio_testkit::both_backends;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::json;
use tower::ServiceExt;

const COORDINATOR: &str = "coordinatore@demo.agio.example";
/// More than the SQLite pool's eight connections: a write must not need a second connection
/// while the other writers hold theirs.
const ATTEMPTS: usize = 12;

/// Sends every request at once; the statuses and bodies, in no particular order.
async fn all_at_once(app: &TestApp, requests: Vec<Request<Body>>) -> Vec<(StatusCode, String)> {
    let mut running = tokio::task::JoinSet::new();
    for request in requests {
        let router = app.router.clone();
        running.spawn(async move {
            let response = router.oneshot(request).await.expect("the router answers");
            let status = response.status();
            let body = response.into_body().collect().await.expect("a body").to_bytes();
            (status, String::from_utf8_lossy(&body).into_owned())
        });
    }
    running.join_all().await
}

fn form_post(path: &str, session: &Session, pairs: &[(&str, &str)]) -> Request<Body> {
    let mut all = vec![("csrf", session.csrf.as_str())];
    all.extend_from_slice(pairs);
    Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &session.cookie)
        .body(Body::from(form(&all)))
        .unwrap()
}

fn api_post(path: &str, token: &str, body: serde_json::Value) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// One success (`created`), and for every other attempt `refused` naming `field` with `text`.
fn one_wins(replies: &[(StatusCode, String)], created: StatusCode, refused: StatusCode, field: &str, text: &str) {
    let statuses: Vec<StatusCode> = replies.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == created).count(), 1, "{statuses:?}");
    for (status, body) in replies.iter().filter(|(s, _)| *s != created) {
        assert_eq!(*status, refused, "{body}");
        assert!(body.contains(field) && body.contains(text), "{field} / {text:?} not in {body}");
    }
}

both_backends!(concurrent_duplicate_partners_and_assets_are_field_errors, |backend| async move {
    let app = TestApp::demo(backend).await;
    let session = app.sign_in(COORDINATOR).await;
    let action = format!("/agende/{GUASTALLA}/azioni/A01");

    let partner = [("organization", "farmacie-comunali-bassa"), ("role", "partner"), ("role_description", "")];
    let requests = (0..ATTEMPTS).map(|_| form_post(&format!("{action}/soggetti"), &session, &partner)).collect();
    let replies = all_at_once(&app, requests).await;
    one_wins(&replies, StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY, "organization", "partecipa già");

    let requests =
        (0..ATTEMPTS).map(|_| form_post(&format!("{action}/asset"), &session, &[("asset", "lepida-rete")])).collect();
    let replies = all_at_once(&app, requests).await;
    one_wins(&replies, StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY, "asset", "già collegato");

    let token = app.create_token(&session, "write").await;
    let api = format!("/api/v1/agendas/{GUASTALLA}/actions/A01");
    let body = json!({ "organization": "aps-ponti-tra-culture", "role": "partner" });
    let requests = (0..ATTEMPTS).map(|_| api_post(&format!("{api}/partners"), &token, body.clone())).collect();
    let replies = all_at_once(&app, requests).await;
    one_wins(&replies, StatusCode::CREATED, StatusCode::CONFLICT, "\"organization\"", "already takes part");

    let requests = (0..ATTEMPTS)
        .map(|_| api_post(&format!("{api}/assets"), &token, json!({ "asset": "lepida-datacenter" })))
        .collect();
    let replies = all_at_once(&app, requests).await;
    one_wins(&replies, StatusCode::CREATED, StatusCode::CONFLICT, "\"asset\"", "already linked");
});

const ADMIN: &str = "regione@demo.agio.example";

// A union's comuni lie in its district, and a comune is in one union at most.
both_backends!(a_union_keeps_to_its_district_and_a_comune_to_one_union, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin = app.sign_in(ADMIN).await;
    let new = "/territori/unioni/nuova";
    let union = |name: &'static str, members: &'static str| {
        [("name", name), ("district", "re-guastalla"), ("members", members)]
    };
    let r = app.post_as(new, &admin, &union("Unione con Bologna", "Guastalla\nBologna")).await;
    r.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["non sono comuni del distretto scelto: Bologna"]);
    let r = app.post_as(new, &admin, &union("Unione della Bassa", "Guastalla\nLuzzara")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = app.post_as(new, &admin, &union("Seconda unione", "Luzzara\nReggiolo")).await;
    r.answer_with(StatusCode::UNPROCESSABLE_ENTITY, &["già in un&#39;altra unione", "Luzzara (Unione della Bassa)"]);
    // The union itself may keep its comuni when edited; the API says the same in English.
    let token = app.create_token(&admin, "write").await;
    let p = app
        .api(
            "POST",
            "/api/v1/territories",
            &token,
            json!({ "name": "U", "district": "re-guastalla", "members": ["Bologna"] }),
        )
        .await;
    assert_eq!(p.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", p.body);
    assert_eq!(p.json()["invalid_params"][0]["name"], "members");
    assert!(p.json()["invalid_params"][0]["reason"].as_str().unwrap().contains("not comuni of the chosen district"));
});

// Coordinators add objectives and actions to their agenda while it is still a draft, and read
// the draft through the API with their token.
both_backends!(a_draft_agenda_can_be_written_and_read_by_its_coordinators, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.make_draft(GUASTALLA).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let form = app.get_as(&format!("/agende/{GUASTALLA}/azioni/nuova"), &coordinator).await;
    form.page_with(&["value=\"O1\""]);
    let r = app
        .post_as(
            &format!("/agende/{GUASTALLA}/azioni/nuova"),
            &coordinator,
            &[("objective", "O1"), ("title", "Nuova azione in bozza"), ("term", "short"), ("status", "planned")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let token = app.create_token(&coordinator, "write").await;
    let read = app.api("GET", &format!("/api/v1/agendas/{GUASTALLA}"), &token, serde_json::Value::Null).await;
    assert_eq!((read.status, read.json()["status"].as_str()), (StatusCode::OK, Some("draft")), "{}", read.body);
    let anonymous = app.get(&format!("/api/v1/agendas/{GUASTALLA}")).await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND);
});
