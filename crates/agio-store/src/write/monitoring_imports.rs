//! Spreadsheet imports of monitoring values: their progress, report and result. The reading
//! is bookkeeping (no audit, no new data version: nothing public changes); applying one is the
//! audited write of its values, in the same transaction that marks it applied.

use sqlx::any::AnyRow;

use crate::audit::WriteTx;
use crate::read::{col, flag};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

/// How many imports an agenda keeps (older ones go when a new one starts).
pub const IMPORTS_KEPT: i64 = 20;

/// An import as its page shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringImport {
    pub id: String,
    pub person_id: Option<String>,
    pub file_name: String,
    /// reading, ready, failed, applied, stale.
    pub status: String,
    pub rows_total: i64,
    pub rows_done: i64,
    /// JSON: the problems, or the plan.
    pub report: String,
    pub is_demo: bool,
    pub created_at: String,
    pub updated_at: String,
}

const IMPORT: &str = "SELECT id, person_id, file_name, status, rows_total, rows_done, report, is_demo, created_at, \
     updated_at FROM monitoring_imports";

fn import(r: &AnyRow) -> Result<MonitoringImport> {
    Ok(MonitoringImport {
        id: col(r, "id")?,
        person_id: col(r, "person_id")?,
        file_name: col(r, "file_name")?,
        status: col(r, "status")?,
        rows_total: col(r, "rows_total")?,
        rows_done: col(r, "rows_done")?,
        report: col(r, "report")?,
        is_demo: flag(r, "is_demo")?,
        created_at: col(r, "created_at")?,
        updated_at: col(r, "updated_at")?,
    })
}

impl Store {
    /// Starts an import of `file_name` for the agenda by `person_id`; each person keeps their
    /// latest [`IMPORTS_KEPT`] of the agenda (nobody's uploads push out another's). Returns its id.
    pub async fn start_import(&self, agenda_id: &str, person_id: Option<&str>, file_name: &str) -> Result<String> {
        let (id, at) = (new_id(), now());
        let insert = Sql::insert(
            "monitoring_imports",
            columns![
                "id" => id.clone(), "agenda_id" => agenda_id, "person_id" => person_id.map(str::to_string),
                "file_name" => file_name, "status" => "reading", "created_at" => at.clone(), "updated_at" => at,
            ],
        );
        insert.query().execute(&self.pool).await?;
        let person = person_id.unwrap_or_default();
        let mut old = Sql::new("DELETE FROM monitoring_imports WHERE agenda_id = ");
        old.bind(agenda_id).push(" AND person_id = ").bind(person);
        old.push(" AND id NOT IN (SELECT id FROM monitoring_imports WHERE agenda_id = ").bind(agenda_id);
        old.push(" AND person_id = ").bind(person);
        old.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(IMPORTS_KEPT).push(")");
        old.query().execute(&self.pool).await?;
        Ok(id)
    }

    /// Records how far the reading got.
    pub async fn import_progress(&self, id: &str, done: i64, total: i64) -> Result<()> {
        let values = columns!["rows_done" => done, "rows_total" => total, "updated_at" => now()];
        Sql::update("monitoring_imports", values, id).query().execute(&self.pool).await?;
        Ok(())
    }

    /// Ends the reading: `ready` with the plan, or `failed` with the problems (as `report`).
    pub async fn finish_import(&self, id: &str, status: &str, report: &str) -> Result<()> {
        let values = columns!["status" => status, "report" => report, "updated_at" => now()];
        Sql::update("monitoring_imports", values, id).query().execute(&self.pool).await?;
        Ok(())
    }

    /// One import of the agenda.
    pub async fn monitoring_import(&self, agenda_id: &str, id: &str) -> Result<Option<MonitoringImport>> {
        let mut sql = Sql::new(&format!("{IMPORT} WHERE agenda_id = "));
        sql.bind(agenda_id).push(" AND id = ").bind(id);
        sql.map_optional(&self.pool, import).await
    }

    /// The agenda's imports, newest first.
    pub async fn monitoring_imports(&self, agenda_id: &str) -> Result<Vec<MonitoringImport>> {
        let mut sql = Sql::new(&format!("{IMPORT} WHERE agenda_id = "));
        sql.bind(agenda_id).push(" ORDER BY created_at DESC, id DESC");
        sql.map_all(&self.pool, import).await
    }
}

impl WriteTx {
    /// Claims a ready import for applying, in this transaction: false when it is not ready
    /// (already applied, by a double click or another instance).
    pub async fn claim_import(&mut self, id: &str) -> Result<bool> {
        let mut sql = Sql::new("UPDATE monitoring_imports SET status = 'applied', updated_at = ");
        sql.bind(now()).push(" WHERE id = ").bind(id).push(" AND status = 'ready'");
        Ok(sql.query().execute(&mut *self.tx).await?.rows_affected() == 1)
    }
}
