//! Embedded migrations, one list for both backends, applied in order inside a transaction each.

use crate::read::col;
use crate::sql::Sql;
use crate::{now, Backend, Result, Store};

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
            for script in m.scripts(self.backend) {
                sqlx::raw_sql(script).execute(&mut *tx).await?;
            }
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
