//! Two instances on one PostgreSQL database, as behind a proxy that sends each request to
//! either: sessions, form tokens and the sign-in limits live in the database, so each instance
//! honours what the other started.

use crate::support::{csrf_of, Session, TestApp, RIMINI};
use agio_store::{Backend, Store};
use agio_testkit::{fresh_url, Seed};
use agio_web::AppState;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";

#[tokio::test]
async fn two_instances_share_sessions_form_tokens_and_sign_in_limits() {
    let url = fresh_url(Backend::Postgres, Seed::Demo).await;
    let instance = || async {
        let store = Store::connect(&url).await.unwrap();
        TestApp::of(AppState::new(store, "http://127.0.0.1:8080").await.unwrap())
    };
    let (a, b) = (instance().await, instance().await);

    // Signed in through A; B knows the session, and A takes the form token B's page gave.
    let on_a = a.sign_in(COORDINATOR).await;
    let account = b.get_as("/area-personale", &on_a).await;
    account.page_with(&["Carlo Coordinatore (demo)"]);
    let on_b = Session { cookie: on_a.cookie.clone(), csrf: csrf_of(&account.body) };
    let base = format!("/agende/{RIMINI}");
    let added = a.post_as(&format!("{base}/obiettivi/nuovo"), &on_b, &[("title", "Obiettivo da due istanze")]).await;
    assert_eq!((added.status, added.header("location")), (StatusCode::SEE_OTHER, format!("{base}#obj-O5").as_str()));

    // Signed out through B: the next change through A is refused at once.
    assert_eq!(b.post_as("/esci", &on_a, &[]).await.status, StatusCode::SEE_OTHER);
    let after = a.post_as(&format!("{base}/obiettivi/nuovo"), &on_b, &[("title", "Dopo l'uscita")]).await;
    assert_ne!(after.status, StatusCode::SEE_OTHER, "{}", after.body);
    assert!(!b.get(&base).await.body.contains("Dopo l'uscita"));

    // Wrong passwords through both count together: the seventh attempt waits, whichever
    // instance it reaches, even with the right password.
    for n in 0..6 {
        let app = if n % 2 == 0 { &a } else { &b };
        assert_eq!(app.try_sign_in(COORDINATOR, "non è questa").await.status, StatusCode::UNAUTHORIZED, "attempt {n}");
    }
    assert_eq!(a.try_sign_in(COORDINATOR, agio_store::DEMO_PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(b.try_sign_in(COORDINATOR, agio_store::DEMO_PASSWORD).await.status, StatusCode::TOO_MANY_REQUESTS);
}
