//! A fresh database for every test, on both backends.
//!
//! PostgreSQL comes from `AGIO_TEST_PG_URL` (an admin URL to a throwaway server, which
//! `scripts/test` starts). Each test process seeds one template database once; every test then
//! gets its own copy (`CREATE DATABASE … TEMPLATE …` on PostgreSQL, a file copy on SQLite).
//! Without `AGIO_TEST_PG_URL` the PostgreSQL tests fail: every database test runs on both backends.

use std::path::PathBuf;

use agio_store::{Backend, Store};
use tokio::sync::OnceCell;

/// What the fresh database holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Nothing at all, not even the schema.
    Nothing,
    /// Migrated, with reference territories and the demo agendas.
    Demo,
}

fn unique() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..12].to_string()
}

fn scratch_dir() -> PathBuf {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(sweep_dead_scratch_dirs);
    let dir = std::env::temp_dir().join(format!("agio-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create the scratch folder");
    dir
}

/// Removes the scratch folders of test processes that have ended: a process cannot clean up
/// after itself (its databases are open until it exits), so the next one does, and a day of
/// test runs does not fill the disk.
fn sweep_dead_scratch_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix("agio-tests-")) else { continue };
        let ended = pid.parse::<u32>().is_ok_and(|pid| !std::path::Path::new(&format!("/proc/{pid}")).exists());
        if ended {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The admin URL of the test PostgreSQL server.
pub fn pg_admin_url() -> String {
    std::env::var("AGIO_TEST_PG_URL").expect(
        "AGIO_TEST_PG_URL is not set: database tests run on PostgreSQL too. Use scripts/test, which starts a throwaway server.",
    )
}

/// URL of database `name` on the test server.
pub fn pg_url(name: &str) -> String {
    let admin = pg_admin_url();
    let (base, query) =
        admin.split_once('?').map(|(b, q)| (b.to_string(), format!("?{q}"))).unwrap_or((admin.clone(), String::new()));
    let server = base.rsplit_once('/').map(|(s, _)| s.to_string()).unwrap_or(base);
    format!("{server}/{name}{query}")
}

async fn pg_admin(sql: &str) {
    let admin = Store::connect(&pg_admin_url()).await.expect("connect to the test PostgreSQL server");
    sqlx_execute(&admin, sql).await;
    admin.close().await;
}

async fn sqlx_execute(store: &Store, sql: &str) {
    store.execute_raw(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn seed(store: &Store) {
    store.migrate().await.expect("migrate");
    store.load_reference_territories().await.expect("reference territories");
    store.load_demo().await.expect("demo");
}

static SQLITE_TEMPLATE: OnceCell<PathBuf> = OnceCell::const_new();
static PG_TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// A new database URL for one test.
pub async fn fresh_url(backend: Backend, what: Seed) -> String {
    match (backend, what) {
        (Backend::Sqlite, Seed::Nothing) => format!("sqlite://{}/{}.sqlite", scratch_dir().display(), unique()),
        (Backend::Sqlite, Seed::Demo) => {
            let template = SQLITE_TEMPLATE
                .get_or_init(|| async {
                    let path = scratch_dir().join("template.sqlite");
                    let _ = std::fs::remove_file(&path);
                    let store = Store::connect(&format!("sqlite://{}", path.display())).await.expect("template");
                    seed(&store).await;
                    store.execute_raw("PRAGMA wal_checkpoint(TRUNCATE)").await.expect("checkpoint");
                    store.close().await;
                    path
                })
                .await;
            let path = scratch_dir().join(format!("{}.sqlite", unique()));
            std::fs::copy(template, &path).expect("copy the template database");
            format!("sqlite://{}", path.display())
        }
        (Backend::Postgres, Seed::Nothing) => {
            let name = format!("agio_t_{}", unique());
            pg_admin(&format!("CREATE DATABASE {name}")).await;
            pg_url(&name)
        }
        (Backend::Postgres, Seed::Demo) => {
            let template = PG_TEMPLATE
                .get_or_init(|| async {
                    let name = format!("agio_tpl_{}", unique());
                    pg_admin(&format!("CREATE DATABASE {name}")).await;
                    let store = Store::connect(&pg_url(&name)).await.expect("template");
                    seed(&store).await;
                    store.close().await;
                    name
                })
                .await;
            let name = format!("agio_t_{}", unique());
            pg_admin(&format!("CREATE DATABASE {name} TEMPLATE {template}")).await;
            pg_url(&name)
        }
    }
}

/// A connected store on a new database.
pub async fn fresh_store(backend: Backend, what: Seed) -> Store {
    Store::connect(&fresh_url(backend, what).await).await.expect("connect to the fresh database")
}

/// Runs a test body on SQLite and on PostgreSQL, as two tests:
/// `both_backends!(name, |backend| async move { … });`
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$backend:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn run($backend: ::agio_store::Backend) {
                $body.await
            }

            #[tokio::test]
            async fn sqlite() {
                run(::agio_store::Backend::Sqlite).await
            }

            #[tokio::test]
            async fn postgres() {
                run(::agio_store::Backend::Postgres).await
            }
        }
    };
}
