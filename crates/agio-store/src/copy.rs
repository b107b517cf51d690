//! `agio migrate --to postgres://…`: copies a whole database into an empty one; `agio backup`
//! and `agio restore`: a SQLite database to a file while it serves, and a file into an empty
//! database.

use crate::sql::{Sql, Value};
use crate::{Result, Store, StoreError};

/// Tables in an order that satisfies the foreign keys, with the row order that keeps
/// self-references (territory parents) valid. A test checks that it and [`DERIVED`] name every
/// table.
pub const COPY_ORDER: &[(&str, &str)] = &[
    ("data_version", "id"),
    ("data_writes", "id"),
    ("vocabulary_terms", "vocabulary, code"),
    ("territories", "CASE kind WHEN 'region' THEN 0 WHEN 'district' THEN 1 WHEN 'union' THEN 2 ELSE 3 END, code"),
    ("union_members", "union_id, comune_id"),
    ("organizations", "id"),
    ("digital_assets", "id"),
    ("asset_coverage", "asset_id, comune_id"),
    ("agendas", "id"),
    ("objectives", "id"),
    ("actions", "id"),
    ("action_organizations", "action_id, organization_id"),
    ("action_terms", "action_id, vocabulary, code"),
    ("budget_lines", "id"),
    ("action_assets", "action_id, asset_id"),
    ("expected_results", "id"),
    ("indicators", "id"),
    ("people", "id"),
    ("role_assignments", "id"),
    ("sessions", "token_hash"),
    ("sign_in_throttle", "scope"),
    ("audit_log", "seq"),
    ("api_tokens", "id"),
    ("password_resets", "token_hash"),
    ("outbox", "id"),
    ("invitations", "token_hash"),
    ("agenda_versions", "id"),
    ("agenda_version_pages", "version_id, page"),
    ("external_identities", "issuer, subject"),
    ("oidc_logins", "state_hash"),
    ("identity_links", "person_id"),
    ("directory_organizations", "id"),
    ("directory_services", "id"),
    ("directory_service_terms", "service_id, term_id"),
    ("directory_service_at_locations", "id"),
    ("profiles", "id"),
    ("profile_services", "id"),
    ("zone_plans", "id"),
    ("zone_plan_sheets", "id"),
    ("profile_databases", "id"),
    ("profile_versions", "id"),
    ("frameworks", "id"),
    ("framework_targets", "id"),
    ("lab_processes", "id"),
    ("lab_phases", "id"),
    ("lab_ideas", "id"),
    ("lab_supports", "idea_id, person_id"),
    ("lab_comments", "id"),
    ("lab_reports", "idea_id, person_id"),
    ("lab_ballots", "id"),
    ("lab_ballot_choices", "ballot_id, idea_id"),
    ("registrations", "token_hash"),
    ("lab_meetings", "id"),
    ("lab_meeting_registrations", "meeting_id, person_id"),
    ("lab_meeting_ideas", "meeting_id, idea_id"),
    ("lab_meeting_documents", "id"),
    ("lab_pacts", "id"),
    ("lab_pact_reports", "id"),
    ("notification_opt_outs", "person_id, kind"),
    ("lab_representatives", "id"),
    ("decidim_sources", "id"),
    ("decidim_items", "source_id, kind, decidim_id"),
    ("measurements", "id"),
    ("action_standings", "action_id"),
    ("monitoring_imports", "id"),
    ("measurement_evidence", "id"),
    ("milestones", "id"),
    ("budget_spending", "id"),
];

/// Tables that triggers keep from other tables' rows (copying those fills them again), with
/// their rows' order.
pub const DERIVED: &[(&str, &str)] = &[("indicator_latest", "indicator_id")];

/// Tables whose rows the migrations themselves insert, and the count of writes: replaced, not
/// checked for emptiness (emptied in this order: a framework's targets before the framework).
const SEEDED_BY_MIGRATIONS: &[&str] =
    &["data_version", "data_writes", "vocabulary_terms", "framework_targets", "frameworks"];

/// Rows copied, by table.
#[derive(Debug, Default)]
pub struct CopyReport {
    pub tables: Vec<(String, usize)>,
}

impl Store {
    /// Copies every row of this database into `target`, which must be migrated and hold no data
    /// (only the rows its migrations inserted, which are replaced). One transaction: all or nothing.
    pub async fn copy_into(&self, target: &Store) -> Result<CopyReport> {
        target.migrate().await?;
        let schema = self.schema_snapshot().await?;
        for (table, _) in COPY_ORDER.iter().filter(|(t, _)| !SEEDED_BY_MIGRATIONS.contains(t)) {
            let count: i64 = crate::read::col(
                &sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}")).fetch_one(&target.pool).await?,
                "n",
            )?;
            if count > 0 {
                return Err(StoreError::TargetNotEmpty(table.to_string()));
            }
        }
        let mut report = CopyReport::default();
        let mut tx = target.pool.begin().await?;
        for table in SEEDED_BY_MIGRATIONS {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        for (table, order) in COPY_ORDER {
            let columns = &schema
                .get(*table)
                .ok_or_else(|| StoreError::InvalidData(format!("source has no table {table}")))?
                .columns;
            let rows = self.dump_table(table, columns, order).await?;
            for row in &rows {
                // NULLs are left out (every nullable column defaults to NULL): the PostgreSQL
                // statement cache keeps the parameter types of the first row it saw, and a NULL
                // sent through sqlx's Any driver does not keep its type.
                let values: Vec<(&str, Value)> = columns
                    .iter()
                    .zip(row.iter().cloned())
                    .filter(|(_, cell)| !cell.is_null())
                    .map(|(c, cell)| (c.name.as_str(), Value::from(cell)))
                    .collect();
                Sql::insert(table, values)
                    .query()
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| StoreError::InvalidData(format!("copying a row of {table}: {e}")))?;
            }
            report.tables.push((table.to_string(), rows.len()));
        }
        if target.backend == crate::Backend::Postgres {
            // The audit numbers that PostgreSQL draws go on after the copied ones.
            sqlx::query("SELECT setval('audit_log_seq', (SELECT COALESCE(MAX(seq), 0) + 1 FROM audit_log), false)")
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(report)
    }
}

impl Store {
    /// Writes a consistent copy of this SQLite database to `path` while it keeps serving
    /// (`VACUUM INTO` reads one snapshot). Refuses a `path` that exists, and PostgreSQL, whose
    /// backups `pg_dump` makes (`scripts/pg-backup`).
    pub async fn backup_to(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != crate::Backend::Sqlite {
            return Err(StoreError::InvalidData(
                "agio backup copies a SQLite database; back PostgreSQL up with pg_dump (scripts/pg-backup)".into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::InvalidData(format!(
                "{} exists already: a backup never replaces a file",
                path.display()
            )));
        }
        let target = path.to_str().ok_or_else(|| StoreError::InvalidData("the backup's path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
        Ok(())
    }
}
