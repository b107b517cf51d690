//! Two instances on one PostgreSQL database, as behind a proxy that sends each request to
//! either: sessions, form tokens and the sign-in limits live in the database, so each instance
//! honours what the other started.

use crate::support::{csrf_of, Session, TestApp, RIMINI};
use agio_store::{Backend, Store};
use agio_testkit::{fresh_url, Seed};
use agio_web::AppState;
use axum::http::StatusCode;

const COORDINATOR: &str = "coordinatore@demo.agio.example";

/// Two instances of AGIO on the database at `url`, on one clock: each stopped on its own,
/// one would be a second behind the other whenever they were built across a second's turn, and
/// the throttle's waits would then seem not to have run out.
async fn two_instances(url: &str) -> (TestApp, TestApp) {
    let clock = agio_web::Clock::frozen_at(time::OffsetDateTime::now_utc());
    let instance = || async {
        let store = Store::connect(url).await.unwrap();
        TestApp::on_clock(AppState::new(store, "http://127.0.0.1:8080").await.unwrap(), clock.clone())
    };
    (instance().await, instance().await)
}

#[tokio::test]
async fn two_instances_share_sessions_form_tokens_and_sign_in_limits() {
    let url = fresh_url(Backend::Postgres, Seed::Demo).await;
    let (a, b) = two_instances(&url).await;

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

// A write through one instance reaches the other's cached pages as soon as PostgreSQL tells the
// other of it: that instance polls only once an hour here, so nothing else can refresh it.
#[tokio::test]
async fn a_write_through_one_instance_reaches_the_others_pages_when_postgres_tells_it() {
    let url = fresh_url(Backend::Postgres, Seed::Demo).await;
    let (a, b) = two_instances(&url).await;
    let hour = std::time::Duration::from_secs(3600);
    tokio::spawn(agio_web::kit::cache::watch_data_version(b.state.clone(), hour));
    let base = format!("/agende/{RIMINI}");
    // B renders the page once and keeps it.
    assert!(!b.get(&base).await.body.contains("Obiettivo scritto su A"));
    assert!(!b.get(&base).await.body.contains("Obiettivo scritto su A"));
    // B's listener is connected (the LISTEN is its session's last statement).
    let mut admin = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
    let listening =
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'";
    let connected = async {
        while sqlx::query_scalar::<_, i64>(listening).fetch_one(&mut admin).await.unwrap() != 1 {
            tokio::task::yield_now().await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), connected).await.expect("B listens");

    let on_a = a.sign_in(COORDINATOR).await;
    let added = a.post_as(&format!("{base}/obiettivi/nuovo"), &on_a, &[("title", "Obiettivo scritto su A")]).await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let started = std::time::Instant::now();
    wait_until("B's page to show A's write", || async { b.get(&base).await.body.contains("Obiettivo scritto su A") })
        .await;
    eprintln!("B showed A's write {} ms after it was acknowledged", started.elapsed().as_millis());
}

/// Checks `done` again, letting the other tasks run in between, until it holds (at most 30 s:
/// what a hang looks like, not a measure of speed).
async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, mut done: impl FnMut() -> F) {
    let waited = tokio::time::timeout(std::time::Duration::from_secs(30), async {
        while !done().await {
            tokio::task::yield_now().await;
        }
    });
    waited.await.unwrap_or_else(|_| panic!("waited 30 s for {what}"));
}

/// A long import's services reach the search even when other writes commit and set off syncs
/// while it runs: its rows are stamped when it began, so a sync that looked back a minute only
/// passed them over, on every instance, until a restart.
#[tokio::test]
async fn a_long_imports_services_reach_the_search_though_syncs_ran_while_it_was_open() {
    use agio_app::directory::{Ask, Directory, DEFAULT_SYNONYMS};
    use sqlx::Connection;
    let url = fresh_url(Backend::Postgres, Seed::Demo).await;
    let store = Store::connect(&url).await.unwrap();
    let synonyms = agio_search::Synonyms::parse(DEFAULT_SYNONYMS).unwrap();
    let directory = Directory::build(&store, synonyms).await.unwrap();
    let found = |at| {
        let ask = Ask { text: "quokka".into(), limit: 10, ..Ask::default() };
        directory.search(&ask, at).unwrap().total
    };

    // The import: a transaction that renames a service, stamped as it begins, and stays open.
    let mut import = sqlx::PgConnection::connect(&url).await.unwrap();
    let (id, document): (String, String) =
        sqlx::query_as("SELECT id, document FROM directory_services ORDER BY id LIMIT 1")
            .fetch_one(&mut import)
            .await
            .unwrap();
    let mut document: serde_json::Value = serde_json::from_str(&document).unwrap();
    document["name"] = "Sportello Quokka".into();
    sqlx::query("BEGIN").execute(&mut import).await.unwrap();
    let began = time::OffsetDateTime::now_utc();
    sqlx::query("UPDATE directory_services SET document = $1, updated_at = $2 WHERE id = $3")
        .bind(document.to_string())
        .bind(agio_store::now())
        .bind(&id)
        .execute(&mut import)
        .await
        .unwrap();

    // Two minutes on, another write sets off a sync; then the import commits, and the next sync
    // must find it.
    let later = began + time::Duration::minutes(2);
    directory.sync_at(&store, later).await.unwrap();
    assert_eq!(found(later), 0, "not committed yet");
    sqlx::query("COMMIT").execute(&mut import).await.unwrap();
    directory.sync_at(&store, later).await.unwrap();
    assert_eq!(found(later), 1, "the import's service is found once it committed");
}
