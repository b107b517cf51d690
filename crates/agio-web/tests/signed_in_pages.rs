//! Signed-in pages are kept in memory for everyone who sees them the same way (issue "Hardening
//! and layout", section 2): these tests show that nobody is ever shown another person's page,
//! and that a change shows on the next request. Both backends.

use crate::support::{TestApp, GUASTALLA};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";
const REFERENT: &str = "referente@demo.agio.example";
const CITIZEN: &str = "cittadino@demo.agio.example";

/// The value of the hidden `version` field of a form page.
fn version_of(body: &str) -> String {
    let after = body.split("name=\"version\" value=\"").nth(1).expect("a version field");
    after.split('"').next().unwrap().to_string()
}

both_backends!(each_person_sees_their_own_tools_whatever_the_order, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let referent = app.sign_in(REFERENT).await;
    let citizen = app.sign_in(CITIZEN).await;
    let agenda = format!("/agende/{GUASTALLA}");
    let action = format!("/agende/{GUASTALLA}/azioni/A02");
    let edit_agenda = format!("href=\"{agenda}/modifica\"");
    let edit_action = format!("href=\"{action}/modifica\"");
    let results = format!("href=\"{action}/risultati\"");
    // Twice round, in both orders: the second round is served from what the first kept.
    for round in 0..2 {
        let people = match round {
            0 => [&coordinator, &referent, &citizen],
            _ => [&citizen, &referent, &coordinator],
        };
        for session in people {
            let page = app.get_as(&agenda, session).await;
            assert_eq!(page.status, StatusCode::OK);
            let is_coordinator = session.cookie == coordinator.cookie;
            assert_eq!(page.body.contains(&edit_agenda), is_coordinator, "round {round}, agenda page");
            let page = app.get_as(&action, session).await;
            assert_eq!(page.status, StatusCode::OK);
            // The referent of A02's lead organisation edits it and reports its results too.
            let writes_it = is_coordinator || session.cookie == referent.cookie;
            assert_eq!(page.body.contains(&edit_action), writes_it, "round {round}, action page");
            assert_eq!(page.body.contains(&results), writes_it, "round {round}, results");
        }
        let anonymous = app.get(&agenda).await;
        assert!(anonymous.body.contains("A02") && !anonymous.body.contains(&edit_agenda));
    }
});

both_backends!(a_saved_change_shows_on_the_next_signed_in_page, |backend| async move {
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in(COORDINATOR).await;
    let action = format!("/agende/{GUASTALLA}/azioni/A02");
    let before = app.get_as(&action, &coordinator).await;
    assert!(!before.body.contains("Sportello riscritto"));
    let form = app.get_as(&format!("{action}/modifica"), &coordinator).await;
    let version = version_of(&form.body);
    let saved = app
        .post_as(
            &format!("{action}/modifica"),
            &coordinator,
            &[
                ("title", "Sportello riscritto"),
                ("description", "Testo."),
                ("term", "short"),
                ("status", "in_progress"),
                ("start_date", "2025-03-01"),
                ("end_date", "2026-12-31"),
                ("zone_plan_ref", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    app.get_as(&action, &coordinator).await.page_with(&["Sportello riscritto"]);
});

both_backends!(a_session_ended_elsewhere_is_not_served_from_memory_for_long, |backend| async move {
    let app = TestApp::demo(backend).await;
    let citizen = app.sign_in(CITIZEN).await;
    app.get_as("/area-personale", &citizen).await.page_with(&["Ciro Cittadino (demo)"]);
    // Another instance signs the person out: only the database knows. A change (a POST) always
    // reads the session from the database, so it is refused at once.
    let hash = agio_domain::credentials::token_hash(citizen.cookie.trim_start_matches("agio_session="));
    app.state.store.delete_session(&hash).await.unwrap();
    let post = app.post_as("/area-personale/token", &citizen, &[("name", "x")]).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN);
});
