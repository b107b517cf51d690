//! AGIO storage: one layer over SQLite (embedded default) and PostgreSQL (production).
//!
//! SQL is written once with `$n` placeholders, which both dialects accept; the few places
//! where the dialects differ are inside this crate (`Backend`). Migrations live in
//! `migrations/common`, or in `migrations/{sqlite,postgres}` where the dialects differ, and the
//! two schemas are kept in lockstep (see the schema-parity test).

mod accounts;
mod audit;
mod copy;
mod demo;
mod demo_lab;
mod demo_monitoring;
mod directory;
mod identities;
mod invitations;
mod mail;
mod migrate;
mod notifications;
mod opendata;
mod profile_versions;
mod profiles;
pub(crate) mod read;
mod reference;
mod registrations;
pub mod schema;
mod sql;
mod throttle;
mod versions;
mod write;

use std::str::FromStr;
use std::sync::Once;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use accounts::{normalize_email, ApiToken, NewPerson, Person, RoleAssignment, SessionRecord};
pub use audit::{Actor, AuditEntry, AuditFilter, AuditPage, EntityRef, WriteTx};
pub use copy::{CopyReport, COPY_ORDER, DERIVED};
pub use demo::{DemoReport, DEMO_PASSWORD};
pub use directory::{
    DirectoryWrite, PreparedService, ServiceCursor, ServiceFilter, ServiceWriter, StoredService,
    StoredServiceAtLocation,
};
pub use identities::{
    ExternalIdentity, PendingLogin, FISCAL_NUMBER_ISSUER, PENDING_LOGINS_AT_MOST, PENDING_LOGINS_PER_ADDRESS,
};
pub use invitations::Invitation;
pub use mail::OutboxMessage;
pub use migrate::MigrationStatus;
pub use notifications::Recipient;
pub use opendata::OpenTable;
pub use profile_versions::PublishedProfile;
pub use profiles::{ActionReference, AssetInUse, ComuneFacts, DistrictUsing, StoredProfile, ZonePlan};
pub use read::{
    ActionFilter, AgendaDetail, AgendaFilter, AgendaPartner, AssetDetail, AssetFilter, Choosable, DistrictDetail,
    MapShape, ObjectiveWithActions, OrganizationDetail, OrganizationFilter, Place, Places, TerritoryFilter,
    UnionDetail,
};
pub use registrations::{PendingRegistration, PENDING_REGISTRATIONS_AT_MOST};
pub use throttle::{Attempt, ThrottlePolicy};
pub use versions::{AgendaSnapshot, VersionInfo};
pub use write::{
    answer_of, decidim_source_for_edit, measurement_for_edit, meeting_for_edit, pact_for_edit, Addresser, CodeList,
    GapLink, IdeaFilter, IdeaSort, MonitoredAgenda, MonitoringImport, NewZonePlan, Reuse, TargetLink, IMPORTS_KEPT,
};
pub use write::{AgendaPageReads, Archivable, ArchivedItem, Editable, Published, Saved};

/// Which database server a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("cannot use the data folder {path}: {reason}")]
    DataFolder { path: String, reason: String },
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("invalid data: {0}")]
    InvalidData(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the target database is not empty: table {0} has rows")]
    TargetNotEmpty(String),
    #[error(
        "the database was migrated by a newer AGIO (it has migration {found}; this AGIO knows up to {known}): \
         upgrade AGIO before running it against this database"
    )]
    SchemaTooNew { found: String, known: i64 },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// The integrity rule of the database that a write broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    /// A second row with the same key (often a concurrent request that got there first).
    Unique,
    /// A reference to a row that does not exist (or no longer does).
    ForeignKey,
    /// A value outside what a column allows, or a required one missing.
    Check,
}

impl StoreError {
    /// Which rule of the database this error is, if it is one: the same on both backends.
    pub fn violation(&self) -> Option<Violation> {
        let StoreError::Database(sqlx::Error::Database(e)) = self else { return None };
        match e.kind() {
            sqlx::error::ErrorKind::UniqueViolation => Some(Violation::Unique),
            sqlx::error::ErrorKind::ForeignKeyViolation => Some(Violation::ForeignKey),
            sqlx::error::ErrorKind::CheckViolation | sqlx::error::ErrorKind::NotNullViolation => Some(Violation::Check),
            _ => None,
        }
    }

    /// Whether the database may be out of reach (the connection refused, cut or timed out,
    /// PostgreSQL shutting down or starting up, the pool waiting in vain), rather than busy:
    /// what `Store::reachable` then tells apart from a full pool.
    pub fn is_unreachable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_),
            ) => true,
            StoreError::Database(sqlx::Error::Database(e)) => {
                let code = e.code().unwrap_or_default();
                code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
            }
            _ => false,
        }
    }

    /// Whether the database could not be reached or is going away (PostgreSQL restarting, the
    /// network, a pool that waited in vain): the request may succeed later, unchanged.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::Database(
                sqlx::Error::PoolTimedOut
                | sqlx::Error::PoolClosed
                | sqlx::Error::Io(_)
                | sqlx::Error::Tls(_)
                | sqlx::Error::WorkerCrashed,
            ) => true,
            StoreError::Database(sqlx::Error::Database(e)) => {
                let code = e.code().unwrap_or_default();
                if e.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                    // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes: another writer
                    // held the file past the busy timeout (a long import).
                    return code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6));
                }
                // SQLSTATE class 08: connection exceptions; 53: insufficient resources (too many
                // connections, disk full); 57P01–57P03 and 57P05: the server shutting down or
                // starting up, an idle session ended.
                // 40001 and 40P01: writers that now run at once were chosen to give way (a
                // serialization failure, a deadlock); the same request again will pass.
                code.starts_with("08")
                    || code.starts_with("53")
                    || matches!(&*code, "57P01" | "57P02" | "57P03" | "57P05" | "40001" | "40P01")
            }
            _ => false,
        }
    }
}

/// A pool of connections to one AGIO database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// PostgreSQL only: a few connections of the native driver, for the reads of thousands of
    /// rows ([`sql::Sql::json_rows`]). The generic driver copies every row, each value and its
    /// columns' names, before the first is read: a quarter of the regional dashboard's time.
    bulk: Option<sqlx::PgPool>,
}

static INSTALL_DRIVERS: Once = Once::new();

impl Store {
    /// The request pool's connections: (open, of which idle), for `/metrics`.
    pub fn pool_connections(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    /// Connects to `url` (`sqlite://path`, `sqlite:path` or `postgres://…`). For SQLite the file
    /// and its folder are created when missing; WAL and foreign keys are switched on.
    pub async fn connect(url: &str) -> Result<Store> {
        Self::open(url, true).await
    }

    /// Connects to an existing database only (a missing SQLite file is an error, not created).
    pub async fn connect_existing(url: &str) -> Result<Store> {
        Self::open(url, false).await
    }

    async fn open(url: &str, create: bool) -> Result<Store> {
        INSTALL_DRIVERS.call_once(sqlx::any::install_default_drivers);
        let (backend, url) = normalize_url(url, create)?;
        let options = AnyConnectOptions::from_str(&url)?;
        let pool_options = match backend {
            Backend::Sqlite => {
                AnyPoolOptions::new().max_connections(8).after_connect(|conn, _meta| {
                    Box::pin(async move {
                        // page_size applies to a new file only (directory documents of 5–10 KB then fit
                        // one page). journal_size_limit: a large import grows the write-ahead log to
                        // its size; once checkpointed, the log is cut back to 64 MB.
                        conn.execute(
                            "PRAGMA page_size = 16384; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                         PRAGMA synchronous = NORMAL; PRAGMA journal_size_limit = 67108864;",
                        )
                        .await?;
                        Ok(())
                    })
                })
            }
            Backend::Postgres => AnyPoolOptions::new().max_connections(16),
        };
        let pool = pool_options.acquire_timeout(std::time::Duration::from_secs(5)).connect_with(options).await?;
        let bulk = match backend {
            Backend::Sqlite => {
                // WAL is a property of the file: set once, it stays.
                sqlx::query("PRAGMA journal_mode = WAL").execute(&pool).await?;
                None
            }
            // Connected on first use: most commands never read that much.
            Backend::Postgres => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(4)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect_lazy(&url)?,
            ),
        };
        Ok(Store { pool, backend, bulk })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// True once [`Store::close`] ran: background tasks on this store stop.
    pub fn is_closed(&self) -> bool {
        self.pool.is_closed()
    }

    /// Whether the database server answers a new connection, within two seconds, outside the
    /// pool: a full pool answers as slowly as a database that is down, a fresh connection does
    /// not. A server that answers but refuses (too many connections) is reachable.
    pub async fn reachable(&self) -> bool {
        use sqlx::Connection;
        let options = self.pool.connect_options();
        let attempt = async {
            match sqlx::AnyConnection::connect_with(&options).await {
                Ok(connection) => {
                    let _ = connection.close().await;
                    true
                }
                // Answered, but starting up or shutting down (57P0x): not yet.
                Err(sqlx::Error::Database(e)) => !e.code().is_some_and(|code| code.starts_with("57P")),
                Err(_) => false,
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(2), attempt).await.unwrap_or(false)
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// When the oldest transaction that has written and is still open began (the database
    /// server's clock); a reader (`pg_dump`, an idle `psql`) does not count. None on SQLite, where
    /// nothing commits while a write is open (one writer at a time). PostgreSQL shows the
    /// transactions of the same role only, the one every instance and `agio` command uses.
    pub async fn oldest_open_write(&self) -> Result<Option<time::OffsetDateTime>> {
        if self.backend == Backend::Sqlite {
            return Ok(None);
        }
        // A transaction has an ID once it writes: every write of AGIO's counts itself first.
        let row = sqlx::query(
            "SELECT CAST(EXTRACT(EPOCH FROM MIN(xact_start)) AS BIGINT) AS began FROM pg_stat_activity \
             WHERE datname = current_database() AND backend_type = 'client backend' AND backend_xid IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        let began: Option<i64> = read::col(&row, "began")?;
        Ok(began.and_then(|seconds| time::OffsetDateTime::from_unix_timestamp(seconds).ok()))
    }

    /// The data version: the number of writes committed (by any instance), so it changes with
    /// each. One statement: it sees the writes folded into `data_version` or still in
    /// `data_writes`, never both or neither.
    pub async fn data_version(&self) -> Result<i64> {
        let row = sqlx::query(
            "SELECT CAST(version + (SELECT COUNT(*) FROM data_writes) AS BIGINT) AS version FROM data_version WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        read::col(&row, "version")
    }

    /// Folds the rows of `data_writes` into `data_version`, which keeps the table small and the
    /// data version the same. Any instance may run it at any time, also while others write.
    pub async fn fold_data_writes(&self) -> Result<()> {
        let pending = sqlx::query("SELECT COUNT(*) AS n FROM (SELECT 1 FROM data_writes LIMIT 1) AS any_write")
            .fetch_one(&self.pool)
            .await?;
        if read::col::<i64>(&pending, "n")? == 0 {
            return Ok(()); // nothing to fold: no write either
        }
        match self.backend {
            // One statement, so that it counts exactly the rows it deletes (a write committed
            // meanwhile stays for the next time; another instance folding at once waits on the row).
            Backend::Postgres => {
                sqlx::query(
                    "WITH gone AS (DELETE FROM data_writes RETURNING id) \
                     UPDATE data_version SET version = version + (SELECT COUNT(*) FROM gone) WHERE id = 1",
                )
                .execute(&self.pool)
                .await?;
            }
            // SQLite has no DELETE in a WITH; its one writer at a time keeps the two statements
            // together (the first takes the write lock).
            Backend::Sqlite => {
                let mut tx = self.pool.begin().await?;
                sqlx::query(
                    "UPDATE data_version SET version = version + (SELECT COUNT(*) FROM data_writes) WHERE id = 1",
                )
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM data_writes").execute(&mut *tx).await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// A listener for the writes of every instance, as PostgreSQL tells of their commits (see
    /// [`count_write`]); None on SQLite, which has no notifications (its readers poll).
    pub async fn change_listener(&self) -> Result<Option<ChangeListener>> {
        let Some(bulk) = &self.bulk else { return Ok(None) };
        // A connection of its own, held for as long as it listens.
        let own = sqlx::postgres::PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*bulk.connect_options()).clone());
        let mut listener = sqlx::postgres::PgListener::connect_with(&own).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        Ok(Some(ChangeListener(listener)))
    }

    /// Runs SQL without parameters (administration: CREATE DATABASE, PRAGMA, …).
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(bulk) = &self.bulk {
            bulk.close().await;
        }
    }
}

/// Works out the backend from the URL and, for SQLite when `create` is set, makes sure the
/// file can be created.
fn normalize_url(url: &str, create: bool) -> Result<(Backend, String)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((Backend::Postgres, url.to_string()));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::UnsupportedUrl(url.to_string()))?;
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::UnsupportedUrl(url.to_string()));
    }
    if !create {
        if !std::path::Path::new(path).exists() {
            return Err(StoreError::DataFolder { path: path.to_string(), reason: "no database file there".into() });
        }
        return Ok((
            Backend::Sqlite,
            format!("sqlite://{path}?mode=rw{}", if query.is_empty() { String::new() } else { format!("&{query}") }),
        ));
    }
    let folder = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(folder) = folder {
        std::fs::create_dir_all(folder)
            .map_err(|e| StoreError::DataFolder { path: folder.display().to_string(), reason: e.to_string() })?;
        // A name of its own, so that several connections opening at once do not race.
        let probe = folder.join(format!(".agio-write-probe-{}", new_id()));
        std::fs::write(&probe, b"")
            .and_then(|_| std::fs::remove_file(&probe))
            .map_err(|e| StoreError::DataFolder { path: folder.display().to_string(), reason: e.to_string() })?;
    }
    let mut normalized = format!("sqlite://{path}?mode=rwc");
    if !query.is_empty() {
        normalized.push('&');
        normalized.push_str(query);
    }
    Ok((Backend::Sqlite, normalized))
}

/// A database URL fit to print: the password, if any, replaced by `***`.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => match url[scheme + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}

/// Current time as an RFC 3339 UTC string, the format of every timestamp column.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .expect("RFC 3339 formatting of a UTC time cannot fail")
}

/// The channel on which PostgreSQL tells every instance that data changed (see agio-web's page cache).
const CHANGES_CHANNEL: &str = "agio_data_changed";

/// Waits for the writes that any instance commits (see [`Store::change_listener`]).
pub struct ChangeListener(sqlx::postgres::PgListener);

impl ChangeListener {
    /// Waits for the next write committed by any instance: true. False when the connection was
    /// lost (the next call connects again): what was sent meanwhile is lost, and the caller
    /// should look for itself. An error: it cannot connect again.
    pub async fn next(&mut self) -> Result<bool> {
        Ok(self.0.try_recv().await?.is_some())
    }
}

/// Counts a write, inside the transaction that writes: a row of its own in `data_writes`, so
/// that writers never wait for each other here. On SQLite, a write first is what takes the
/// write lock at once (no upgrade deadlock).
pub(crate) async fn count_write(tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
    sql::Sql::insert("data_writes", sql::columns!["id" => new_id()]).query().execute(&mut **tx).await?;
    Ok(())
}

/// Tells every instance listening on PostgreSQL that data changed, once a write has committed.
/// Not from inside the write's transaction: PostgreSQL commits the transactions that notify one
/// at a time, holding a lock until the commit is on disk, which would make every writer wait
/// for the others again. This short transaction does not wait for the disk. A notification lost
/// here (the connection gone) is made up for by the instances' polling.
pub(crate) async fn tell_instances(pool: &AnyPool) {
    let notify = format!("BEGIN; SET LOCAL synchronous_commit = off; NOTIFY {CHANGES_CHANNEL}; COMMIT;");
    if let Err(e) = sqlx::raw_sql(&notify).execute(pool).await {
        tracing::warn!(error = %e, "cannot tell the other instances of a write");
    }
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(normalize_url("postgres://u@h/db", true).unwrap().0, Backend::Postgres);
        let dir = std::env::temp_dir().join(format!("agio-url-{}", std::process::id()));
        let url = format!("sqlite://{}/x.sqlite", dir.display());
        let (backend, normalized) = normalize_url(&url, true).unwrap();
        assert_eq!(backend, Backend::Sqlite);
        assert!(normalized.ends_with("x.sqlite?mode=rwc"));
        assert!(matches!(normalize_url("mysql://x", true), Err(StoreError::UnsupportedUrl(_))));
        assert!(matches!(
            normalize_url("sqlite:///nonexistent/agio.sqlite", false),
            Err(StoreError::DataFolder { .. })
        ));
    }

    #[tokio::test]
    async fn sqlite_connections_are_set_up() {
        let dir = std::env::temp_dir().join(format!("agio-pragmas-{}", std::process::id()));
        let store = Store::connect(&format!("sqlite://{}/x.sqlite", dir.display())).await.unwrap();
        // A pragma answers in a column of its own name.
        let pragma = |name: &'static str| {
            let pool = store.pool.clone();
            async move {
                let row = sqlx::query(&format!("PRAGMA {name}")).fetch_one(&pool).await.unwrap();
                read::col::<i64>(&row, name).unwrap()
            }
        };
        assert_eq!(pragma("journal_size_limit").await, 64 * 1024 * 1024);
        assert_eq!(pragma("foreign_keys").await, 1);
        assert_eq!(pragma("page_size").await, 16384);
        store.close().await;
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact_url("postgres://agio:s3cret@db/agio"), "postgres://agio:***@db/agio");
        assert_eq!(redact_url("postgres://agio@db/agio"), "postgres://agio@db/agio");
        assert_eq!(redact_url("sqlite://./data/agio.sqlite"), "sqlite://./data/agio.sqlite");
    }
}
