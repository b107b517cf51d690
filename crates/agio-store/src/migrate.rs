//! Embedded migrations, one list for both backends, applied in order inside a transaction each.

use crate::read::col;
use crate::sql::Sql;
use crate::{now, Backend, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    sql: MigrationSql,
}

/// A migration's SQL: one file for both backends (`migrations/common`), or one file each
/// (`migrations/sqlite`, `migrations/postgres`) where the dialects differ.
enum MigrationSql {
    Common(&'static str),
    PerBackend { sqlite: &'static str, postgres: &'static str },
}

impl Migration {
    fn sql(&self, backend: Backend) -> &'static str {
        match (&self.sql, backend) {
            (MigrationSql::Common(sql), _) => sql,
            (MigrationSql::PerBackend { sqlite, .. }, Backend::Sqlite) => sqlite,
            (MigrationSql::PerBackend { postgres, .. }, Backend::Postgres) => postgres,
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
    (@sql per_backend, $name:literal) => {
        MigrationSql::PerBackend { sqlite: migration_file!("sqlite", $name), postgres: migration_file!("postgres", $name) }
    };
}

/// Every migration, in order. A new one goes to `migrations/common` unless a dialect needs its own SQL.
const MIGRATIONS: &[Migration] = migrations!(
    (1, "0001_foundation", per_backend),
    (2, "0002_vocabularies", common),
    (3, "0003_data_version", common),
    (4, "0004_accounts", per_backend),
    (5, "0005_api_tokens", common),
    (6, "0006_mail", common),
    (7, "0007_invitations", common),
    (8, "0008_agenda_versions", per_backend),
    (9, "0009_external_identities", common),
    (10, "0010_archiving", common),
    (11, "0011_directory", common),
    (12, "0012_audit_documents_once", common),
    (13, "0013_sign_in_throttle", common),
    (14, "0014_oidc_bound_to_the_browser", common),
    (15, "0015_directory_services_by_name", common),
    (16, "0016_agenda_version_pages", per_backend),
);

impl Store {
    /// Applies the migrations not yet applied; returns how many ran.
    pub async fn migrate(&self) -> Result<usize> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )
        .execute(&self.pool)
        .await?;
        let applied: Vec<i64> =
            Sql::new("SELECT version FROM schema_migrations").map_all(&self.pool, |r| col(r, "version")).await?;
        let mut ran = 0;
        for m in MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(m.sql(self.backend)).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                .bind(m.version)
                .bind(m.name)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            tracing::info!(version = m.version, name = m.name, "migration applied");
            ran += 1;
        }
        Ok(ran)
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
