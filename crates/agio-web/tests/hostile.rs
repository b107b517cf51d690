//! A corpus of hostile inputs through every write form and every kind of API body: each value
//! is stored literally or refused with a clear 4xx, always rendered inert, never a 500. Both
//! backends. (The literal storage of one record is checked in `editing.rs`.)

use crate::support::{Reply, Session, TestApp, GUASTALLA};
use agio_testkit::both_backends;
use axum::http::StatusCode;
use serde_json::{json, Value};

const ADMIN: &str = "regione@demo.agio.example";

/// Values meant to break out of HTML, Markdown, SQL or the form's limits.
const CORPUS: &[&str] = &[
    "<script>alert('x')</script>",
    "\"><img src=x onerror=alert(1)>",
    "[clic](javascript:alert(1))",
    "Robert'); DROP TABLE agendas;--",
    "%' OR '1'='1",
    "\u{202e}gnp.exe ☃ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
];

/// The API fields that are free text (the others name places, codes or records, and a hostile
/// value is accepted only when it names one: a union called `<script>` is a union).
const FREE_TEXT: &[&str] = &["title", "description", "name", "role_description", "unit", "provider"];

/// What must never reach a page as markup.
const LIVE: &[&str] = &["<script>alert(", "<img src=x", "href=\"javascript:", "onerror=alert(1)>"];

fn assert_inert(reply: &Reply, what: &str) {
    for live in LIVE {
        assert!(!reply.body.contains(live), "{what}: {live:?} reached the page");
    }
}

/// The editable fields of the page's form that posts to `action`, with the value each select
/// has chosen (the hostile values go into the others).
fn form_fields(html: &str, action: &str) -> Vec<(String, Option<String>)> {
    let Some(start) = html.find(&format!("action=\"{action}\"")) else { return Vec::new() };
    let form = &html[start..start + html[start..].find("</form>").unwrap()];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find(" name=\"") {
        let tag_start = rest[..at].rfind('<').unwrap();
        let tag = &rest[tag_start + 1..];
        let name_at = at + 7;
        let name = rest[name_at..name_at + rest[name_at..].find('"').unwrap()].to_string();
        rest = &rest[name_at..];
        if name == "csrf" || name == "version" {
            continue;
        }
        let chosen = tag.starts_with("select").then(|| {
            let options = &rest[..rest.find("</select>").unwrap()];
            let selected = options.find(" selected").map(|s| &options[..s]).and_then(|o| o.rfind("value=\""));
            let first = options.find("value=\"");
            let from = selected.or(first).map(|i| i + 7).unwrap_or(0);
            options[from..from + options[from..].find('"').unwrap_or(0)].to_string()
        });
        fields.push((name, chosen));
    }
    fields
}

fn version_of(html: &str) -> Option<String> {
    let needle = "name=\"version\" value=\"";
    let at = html.find(needle)? + needle.len();
    Some(html[at..at + html[at..].find('"')?].to_string())
}

/// Posts the form of `path` with `value` in every field that is not a select; `None` when the
/// form has only selects (nothing to write into). The form is on the page at `path`, or for
/// `/area-personale/token` on the personal area.
async fn post_hostile(app: &TestApp, session: &Session, path: &str, value: &str) -> Option<Reply> {
    let page = if path == "/area-personale/token" { "/area-personale" } else { path };
    let form = app.get_as(page, session).await;
    assert_eq!(form.status, StatusCode::OK, "GET {page}: {}", form.body);
    let fields = form_fields(&form.body, path);
    assert!(!fields.is_empty(), "{path} has a form");
    if fields.iter().all(|(_, chosen)| chosen.is_some()) {
        return None;
    }
    let version = version_of(&form.body);
    let mut pairs: Vec<(String, String)> =
        fields.into_iter().map(|(name, chosen)| (name, chosen.unwrap_or_else(|| value.to_string()))).collect();
    if let Some(v) = version {
        pairs.push(("version".into(), v));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    Some(app.post_as(path, session, &pairs).await)
}

both_backends!(every_form_takes_the_hostile_corpus, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin = app.sign_in(ADMIN).await;
    let g = format!("/agende/{GUASTALLA}");
    let action = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap();
    let indicator = action.results.iter().flat_map(|r| &r.indicators).next().unwrap().id.clone();
    let result = action.results[0].id.clone();
    let forms = [
        "/agende/nuova".to_string(),
        "/soggetti/nuovo".to_string(),
        "/asset-digitali/nuovo".to_string(),
        "/asset-digitali/app-io/modifica".to_string(),
        "/territori/unioni/nuova".to_string(),
        "/soggetti/aps-ponti-tra-culture/modifica".to_string(),
        format!("{g}/modifica"),
        format!("{g}/stato"),
        format!("{g}/obiettivi/nuovo"),
        format!("{g}/azioni/nuova"),
        format!("{g}/azioni/A02/modifica"),
        format!("{g}/azioni/A02/indicatori/{indicator}/modifica"),
        format!("{g}/azioni/A02/risultati/{result}/modifica"),
        format!("{g}/obiettivi/O1/modifica"),
        format!("{g}/azioni/A02/soggetti/comune-novellara/modifica"),
        format!("{g}/azioni/A02/budget/{}/modifica", action.budget[0].id),
        format!("{g}/azioni/A02/soggetti"),
        format!("{g}/azioni/A02/budget"),
        format!("{g}/azioni/A02/risultati"),
        format!("{g}/azioni/A02/indicatori"),
        format!("{g}/azioni/A02/asset"),
        format!("{g}/persone"),
        "/amministrazione/invita".to_string(),
        "/area-personale/token".to_string(),
    ];
    for path in &forms {
        for value in CORPUS {
            let Some(r) = post_hostile(&app, &admin, path, value).await else { continue };
            let what = format!("POST {path} with {value:?}");
            match r.status {
                StatusCode::SEE_OTHER => {
                    let next = app.get_as(r.header("location"), &admin).await;
                    assert!(next.status.is_success(), "{what}: then {} {}", r.header("location"), next.status);
                    assert_inert(&next, &what);
                }
                StatusCode::OK | StatusCode::UNPROCESSABLE_ENTITY | StatusCode::CONFLICT => assert_inert(&r, &what),
                other => panic!("{what}: {other} {}", r.body),
            }
        }
        // Too long, control characters, invalid UTF-8, a huge body: clear 4xx answers.
        let too_long = "é".repeat(20_001);
        if let Some(r) = post_hostile(&app, &admin, path, &too_long).await {
            assert!(r.status.is_client_error(), "{path} with 20,001 characters: {}", r.status);
        }
        if let Some(r) = post_hostile(&app, &admin, path, "a\u{0}b\u{7}c").await {
            assert!(r.status.is_client_error(), "{path} with control characters: {}", r.status);
        }
        let r = app.post_form(path, &admin.cookie, format!("csrf={}&name=%FF%FE&title=%C3", admin.csrf)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} with invalid UTF-8");
        let r =
            app.post_form(path, &admin.cookie, format!("csrf={}&name={}", admin.csrf, "x".repeat(600 * 1024))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} with 600 KB");
    }
});

// Each value replaced, field by field, by a string of the corpus, a wrong type or an extreme
// number: the answer is 2xx (stored literally) or a 4xx problem, never a 500.
both_backends!(every_api_body_takes_the_hostile_corpus, |backend| async move {
    let app = TestApp::demo(backend).await;
    let admin_session = app.sign_in(ADMIN).await;
    let token = app.create_token(&admin_session, "write").await;
    let a02 = format!("/api/v1/agendas/{GUASTALLA}/actions/A02");
    let result = app.state.store.action(GUASTALLA, "A02").await.unwrap().unwrap().results[0].id.clone();
    let bodies: Vec<(&str, String, Value)> = vec![
        (
            "POST",
            "/api/v1/agendas".into(),
            json!({ "territory": "re-guastalla", "title": "T", "period_start": 2028, "period_end": 2030 }),
        ),
        ("POST", "/api/v1/organizations".into(), json!({ "name": "N", "org_type": "odv", "territory": "Guastalla" })),
        (
            "POST",
            "/api/v1/assets".into(),
            json!({ "name": "N", "kind": "network", "provider": "P", "status": "active", "coverage": ["Guastalla"] }),
        ),
        (
            "POST",
            "/api/v1/territories".into(),
            json!({ "name": "N", "district": "re-guastalla", "members": ["Guastalla"] }),
        ),
        ("POST", format!("/api/v1/agendas/{GUASTALLA}/objectives"), json!({ "title": "T", "description": "D" })),
        (
            "POST",
            format!("/api/v1/agendas/{GUASTALLA}/actions"),
            json!({ "objective": "O1", "title": "T", "term": "short", "status": "planned" }),
        ),
        (
            "POST",
            format!("{a02}/partners"),
            json!({ "organization": "iis-guastalla", "role": "partner", "role_description": "R" }),
        ),
        ("POST", format!("{a02}/budget-lines"), json!({ "funding_source": "pnrr", "amount": 10, "description": "D" })),
        ("POST", format!("{a02}/results"), json!({ "kind": "output", "description": "D" })),
        (
            "POST",
            format!("{a02}/indicators"),
            json!({ "result": result, "name": "N", "unit": "u", "direction": "increase" }),
        ),
        ("POST", format!("{a02}/assets"), json!({ "asset": "lepida-rete" })),
        ("PATCH", a02.clone(), json!({ "title": "T", "description": "D" })),
        (
            "PUT",
            format!("/api/v1/agendas/{GUASTALLA}"),
            json!({ "title": "T", "period_start": 2025, "period_end": 2027 }),
        ),
        (
            "PATCH",
            "/api/v1/organizations/aps-ponti-tra-culture".into(),
            json!({ "name": "N", "website": "https://a.example" }),
        ),
        ("PATCH", "/api/v1/assets/app-io".into(), json!({ "name": "N", "coverage": ["Guastalla"] })),
    ];
    let odd: Vec<Value> = CORPUS
        .iter()
        .map(|s| json!(s))
        .chain([
            json!(true),
            json!([1, {}]),
            json!({ "a": 1 }),
            json!(1e308),
            json!(-9_223_372_036_854_775_808_i64),
            json!("é".repeat(20_001)),
        ])
        .collect();
    for (method, path, body) in &bodies {
        let fields: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
        for field in &fields {
            for value in &odd {
                let mut body = body.clone();
                body[field] = value.clone();
                // A change names the version it starts from: the current one.
                if *method != "POST" {
                    let current = app.api("GET", path, &token, json!({})).await.json();
                    body["version"] = current["version"].clone();
                }
                let r = app.api(method, path, &token, body).await;
                let what = format!(
                    "{method} {path} with {field} = {}",
                    value.to_string().chars().take(40).collect::<String>()
                );
                assert!(r.status.is_success() || r.status.is_client_error(), "{what}: {} {}", r.status, r.body);
                if r.status.is_client_error() {
                    assert_eq!(r.header("content-type"), "application/problem+json", "{what}");
                } else if let (Some(text), true) = (value.as_str(), FREE_TEXT.contains(&field.as_str())) {
                    // Accepted: stored as it was sent, and answered back in the record.
                    let literal = serde_json::to_string(text).unwrap();
                    assert!(r.body.contains(&literal[1..literal.len() - 1]), "{what}: {}", r.body);
                }
            }
        }
    }
});
