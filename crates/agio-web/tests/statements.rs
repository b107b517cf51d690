//! How many SQL statements a page runs (issue "Hardening and layout", section 2): a signed-in
//! person's agenda and action pages run none once someone with the same tools has seen them,
//! and the path without any cache stays within a fixed number. The counts are printed for
//! `docs/benchmarks.md`. One test in its own binary: it counts every statement of the process.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};

use agio_store::Backend;
use agio_web::AppState;
use support::{TestApp, GUASTALLA};

static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

/// Counts the events sqlx sends for each statement it runs (target `sqlx::query`).
struct StatementCounter;

impl tracing::Subscriber for StatementCounter {
    fn enabled(&self, metadata: &tracing::Metadata<'_>) -> bool {
        metadata.target() == "sqlx::query"
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        if event.metadata().target() != "sqlx::query" {
            return;
        }
        // The settings of a connection the pool has just opened are not the page's statements.
        let mut summary = Summary(String::new());
        event.record(&mut summary);
        if !summary.0.to_uppercase().starts_with("PRAGMA") {
            STATEMENTS.fetch_add(1, Ordering::SeqCst);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// The `summary` field of sqlx's event: the start of the statement.
struct Summary(String);

impl tracing::field::Visit for Summary {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "summary" {
            self.0 = value.to_string();
        }
    }
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        if field.name() == "summary" {
            self.0 = format!("{value:?}").trim_matches('"').to_string();
        }
    }
}

/// The statements one GET runs (the status must be 200).
async fn statements(app: &TestApp, path: &str, cookie: Option<&str>) -> usize {
    let before = STATEMENTS.load(Ordering::SeqCst);
    let reply = match cookie {
        Some(cookie) => app.get_as(path, &support::Session { cookie: cookie.to_string(), csrf: String::new() }).await,
        None => app.get(path).await,
    };
    assert_eq!(reply.status, axum::http::StatusCode::OK, "{path}");
    STATEMENTS.load(Ordering::SeqCst) - before
}

/// The statements one GET runs, told apart from those the application's background tasks run
/// meanwhile (they share the process's count): a request runs the same statements each time it
/// is repeated, the others only add to them, so the fewest of three is the request's own. Only
/// for what repeats the same: a page seen before, or any page without a cache.
async fn repeated(app: &TestApp, path: &str, cookie: Option<&str>) -> usize {
    let mut fewest = usize::MAX;
    for _ in 0..3 {
        fewest = fewest.min(statements(app, path, cookie).await);
    }
    fewest
}

async fn count(backend: Backend) {
    let agenda = format!("/agende/{GUASTALLA}");
    let action = format!("/agende/{GUASTALLA}/azioni/A02");
    let app = TestApp::demo(backend).await;
    let coordinator = app.sign_in("coordinatore@demo.agio.example").await;
    let other_coordinator_view = app.sign_in("coordinatore@demo.agio.example").await;
    for path in [&agenda, &action] {
        let first = statements(&app, path, Some(&coordinator.cookie)).await;
        // The same person again, and another session with the same tools: nothing is read.
        let again = repeated(&app, path, Some(&coordinator.cookie)).await;
        let other = repeated(&app, path, Some(&other_coordinator_view.cookie)).await;
        println!("{backend:?} {path} signed in: first view {first} statements, then {again} and {other}");
        assert_eq!((again, other), (0, 0), "{path}: a page seen before runs no statement");
        assert!(first > 0, "{path}: the first view reads the database");
    }
    // Without any cache, every request reads all it shows; the numbers are kept in check.
    let store = agio_testkit::fresh_store(backend, agio_testkit::Seed::Demo).await;
    let uncached = AppState::new(store, "http://127.0.0.1:8080").await.unwrap().without_caches().unwrap();
    let app = TestApp::of(uncached);
    // The facts, the approved version, the district's profile gaps, the Decidim process and
    // the Community Lab's origins come in one statement (`Store::agenda_page`); the action page
    // also reads where its Piano di Zona sheet is (the district's published plan).
    for (path, most) in [(&agenda, 1), (&action, 2)] {
        let public = repeated(&app, path, None).await;
        let again = repeated(&app, path, None).await;
        println!("{backend:?} {path} without any cache: {public} statements each time");
        assert_eq!(public, again, "{path}: without a cache each request reads the same");
        assert!(public <= most, "{path}: {public} statements, more than {most}");
    }
}

#[tokio::test]
async fn pages_run_few_statements_and_seen_pages_none() {
    tracing::subscriber::set_global_default(StatementCounter).expect("the only subscriber of this binary");
    count(Backend::Sqlite).await;
    count(Backend::Postgres).await;
}
