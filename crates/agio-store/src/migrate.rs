//! Embedded migrations, one list for both backends, applied in order inside a transaction each.

use crate::read::col;
use crate::sql::Sql;
use sqlx::Connection;

use crate::{now, Backend, Result, Store, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sql: MigrationSql,
}

/// A migration's SQL: one file for both backends (`migrations/common`), optionally followed by a
/// file in `migrations/sqlite` and `migrations/postgres` for what the dialects write differently
/// (triggers, JSON functions).
enum MigrationSql {
    Common(&'static str),
    CommonThenDialect { common: &'static str, sqlite: &'static str, postgres: &'static str },
}

impl Migration {
    /// The scripts to run, in order, inside the migration's transaction.
    fn scripts(&self, backend: Backend) -> Vec<&'static str> {
        match (&self.sql, backend) {
            (MigrationSql::Common(sql), _) => vec![sql],
            (MigrationSql::CommonThenDialect { common, sqlite, .. }, Backend::Sqlite) => vec![common, sqlite],
            (MigrationSql::CommonThenDialect { common, postgres, .. }, Backend::Postgres) => vec![common, postgres],
        }
    }
}

macro_rules! migration_file {
    ($dir:literal, $name:literal) => {
        include_str!(concat!("../migrations/", $dir, "/", $name, ".sql"))
    };
}

macro_rules! migrations {
    ($(($version:literal, $name:literal, $kind:ident)),+ $(,)?) => {
        &[$(Migration { version: $version, name: $name, sql: migrations!(@sql $kind, $name) }),+]
    };
    (@sql common, $name:literal) => {
        MigrationSql::Common(migration_file!("common", $name))
    };
    (@sql common_then_dialect, $name:literal) => {
        MigrationSql::CommonThenDialect {
            common: migration_file!("common", $name),
            sqlite: migration_file!("sqlite", $name),
            postgres: migration_file!("postgres", $name),
        }
    };
}

/// Every migration, in order. A new one goes to `migrations/common`, with a dialect file only for what the dialects write differently.
const MIGRATIONS: &[Migration] = migrations!(
    (1, "0001_foundation", common),
    (2, "0002_vocabularies", common),
    (3, "0003_data_version", common),
    (4, "0004_accounts", common_then_dialect),
    (5, "0005_api_tokens", common),
    (6, "0006_mail", common),
    (7, "0007_invitations", common),
    (8, "0008_agenda_versions", common_then_dialect),
    (9, "0009_external_identities", common),
    (10, "0010_archiving", common),
    (11, "0011_directory", common),
    (12, "0012_audit_documents_once", common),
    (13, "0013_sign_in_throttle", common),
    (14, "0014_oidc_bound_to_the_browser", common),
    (15, "0015_directory_services_by_name", common),
    (16, "0016_agenda_version_pages", common_then_dialect),
    (17, "0017_profiles", common),
    (18, "0018_zone_plans", common),
    (19, "0019_profile_databases", common),
    (20, "0020_gap_links", common),
    (21, "0021_profile_versions", common),
    (22, "0022_frameworks", common),
    (23, "0023_lab", common),
    (24, "0024_lab_votes", common),
    (25, "0025_registrations", common),
    (26, "0026_lab_meetings", common),
    (27, "0027_lab_pacts", common),
    (28, "0028_notification_opt_outs", common),
    (29, "0029_decidim", common),
    (30, "0030_lab_representatives", common),
    (31, "0031_lab_meeting_documents", common),
    (32, "0032_monitoring", common),
    (33, "0033_monitoring_imports", common),
    (34, "0034_measurement_evidence", common),
    (35, "0035_delivery", common),
    (36, "0036_indicator_latest", common_then_dialect),
    (37, "0037_writes_side_by_side", common_then_dialect),
    (38, "0038_password_sign_in", common),
    (39, "0039_sessions_with_identity", common),
);

/// Where a database's schema stands against the migrations this build knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// How many of this build's migrations the database has.
    pub applied: usize,
    /// This build's migrations the database does not have yet, in order: (version, name).
    pub pending: Vec<(i64, &'static str)>,
    /// Migrations the database has that this build does not know: it was migrated by a newer
    /// AGIO. (version, name).
    pub unknown: Vec<(i64, String)>,
}

/// The PostgreSQL advisory lock that instances starting together take before migrating: the
/// first migrates, the others wait, then find nothing left to do. Any constant would do; this
/// one spells "AGIO" in ASCII.
const MIGRATION_LOCK: i64 = 0x4147_494f;

const CREATE_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)";

async fn status_on(conn: &mut sqlx::AnyConnection) -> Result<MigrationStatus> {
    let applied: Vec<(i64, String)> = Sql::new("SELECT version, name FROM schema_migrations ORDER BY version")
        .map_all(&mut *conn, |r| Ok((col(r, "version")?, col(r, "name")?)))
        .await?;
    let known = |version: i64| MIGRATIONS.iter().any(|m| m.version == version);
    Ok(MigrationStatus {
        applied: applied.iter().filter(|(version, _)| known(*version)).count(),
        pending: MIGRATIONS
            .iter()
            .filter(|m| !applied.iter().any(|(version, _)| *version == m.version))
            .map(|m| (m.version, m.name))
            .collect(),
        unknown: applied.into_iter().filter(|(version, _)| !known(*version)).collect(),
    })
}

impl MigrationStatus {
    /// Refuses a schema that a newer AGIO migrated: this build would misread it.
    fn known(self) -> Result<MigrationStatus> {
        match self.unknown.last() {
            None => Ok(self),
            Some((version, name)) => Err(StoreError::SchemaTooNew {
                found: format!("{version} ({name})"),
                known: MIGRATIONS.last().map_or(0, |m| m.version),
            }),
        }
    }
}

impl Store {
    /// Where the schema stands, without changing anything (`agio migrate --check`): a database
    /// never migrated has every migration pending.
    pub async fn migration_status(&self) -> Result<MigrationStatus> {
        let mut conn = self.pool.acquire().await?;
        let exists = match self.backend {
            Backend::Sqlite => {
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            }
            Backend::Postgres => {
                "SELECT COUNT(*) AS n FROM information_schema.tables \
                WHERE table_schema = current_schema() AND table_name = 'schema_migrations'"
            }
        };
        let n: i64 = col(&Sql::new(exists).query().fetch_one(&mut *conn).await?, "n")?;
        if n == 0 {
            let pending = MIGRATIONS.iter().map(|m| (m.version, m.name)).collect();
            return Ok(MigrationStatus { applied: 0, pending, unknown: Vec::new() });
        }
        status_on(&mut conn).await
    }

    /// Applies the migrations not yet applied; returns how many ran. Refuses a database that a
    /// newer AGIO migrated. Processes that start together migrate once: on PostgreSQL the first
    /// takes an advisory lock and the others wait for it; on SQLite the first takes the write
    /// lock (`BEGIN IMMEDIATE`) and the others wait for it, up to the busy timeout.
    pub async fn migrate(&self) -> Result<usize> {
        let mut conn = self.pool.acquire().await?;
        match self.backend {
            Backend::Sqlite => {
                let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
                let ran = self.migrate_on(&mut tx).await?;
                tx.commit().await?;
                Ok(ran)
            }
            Backend::Postgres => {
                sqlx::query("SELECT pg_advisory_lock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await?;
                let ran = self.migrate_on(&mut conn).await;
                let unlocked =
                    sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATION_LOCK).execute(&mut *conn).await;
                if unlocked.is_err() {
                    // The lock belongs to the session: closing it is what frees the lock then.
                    let _ = conn.close().await;
                }
                ran
            }
        }
    }

    /// Each pending migration in a transaction of its own (a savepoint inside SQLite's).
    async fn migrate_on(&self, conn: &mut sqlx::AnyConnection) -> Result<usize> {
        sqlx::query(CREATE_TABLE).execute(&mut *conn).await?;
        let status = status_on(conn).await?.known()?;
        for &(version, name) in &status.pending {
            let m = MIGRATIONS.iter().find(|m| m.version == version).expect("pending comes from MIGRATIONS");
            let mut tx = conn.begin().await?;
            for script in m.scripts(self.backend) {
                sqlx::raw_sql(script).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(version)
                .bind(name)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version, name, "migration applied");
        }
        Ok(status.pending.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_each_other_and_names_start_with_them() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)), "{}", m.name);
        }
    }
}
