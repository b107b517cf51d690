//! Embedded migrations, one list per backend, applied in order inside a transaction each.

use crate::read::col;
use crate::sql::Sql;
use crate::{now, Backend, Result, Store};

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $(($version:literal, $name:literal)),+ $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../migrations/", $dir, "/", $name, ".sql")),
        }),+]
    };
}

const SQLITE: &[Migration] = migrations!("sqlite": (1, "0001_foundation"), (2, "0002_vocabularies"), (3, "0003_data_version"), (4, "0004_accounts"), (5, "0005_api_tokens"), (6, "0006_mail"), (7, "0007_invitations"), (8, "0008_agenda_versions"), (9, "0009_external_identities"), (10, "0010_archiving"), (11, "0011_directory"), (12, "0012_audit_documents_once"), (13, "0013_sign_in_throttle"), (14, "0014_oidc_bound_to_the_browser"), (15, "0015_directory_services_by_name"), (16, "0016_agenda_version_pages"));
const POSTGRES: &[Migration] = migrations!("postgres": (1, "0001_foundation"), (2, "0002_vocabularies"), (3, "0003_data_version"), (4, "0004_accounts"), (5, "0005_api_tokens"), (6, "0006_mail"), (7, "0007_invitations"), (8, "0008_agenda_versions"), (9, "0009_external_identities"), (10, "0010_archiving"), (11, "0011_directory"), (12, "0012_audit_documents_once"), (13, "0013_sign_in_throttle"), (14, "0014_oidc_bound_to_the_browser"), (15, "0015_directory_services_by_name"), (16, "0016_agenda_version_pages"));

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
        let list = match self.backend {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        };
        let mut ran = 0;
        for m in list.iter().filter(|m| !applied.contains(&m.version)) {
            let mut tx = self.pool.begin().await?;
            sqlx::raw_sql(m.sql).execute(&mut *tx).await?;
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
    fn both_backends_have_the_same_migration_list() {
        let names = |l: &[Migration]| l.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(names(SQLITE), names(POSTGRES));
    }
}
