//! The Community Lab's collaboration pacts and their reports.

use agio_domain::lab::{IdeaAction, Pact, PactEdit, PactReport, PactReportEdit};
use sqlx::any::AnyRow;

use super::{json_codes, Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, codes, col, flag, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

const PACT: &str =
    "SELECT p.id, p.number, p.title, p.object, p.good, p.parties, p.commitments, p.starts_on, p.ends_on, \
     p.reporting_dates, p.status, p.is_demo, p.version, x.code AS action_code, x.title AS action_title \
     FROM lab_pacts p LEFT JOIN actions x ON x.id = p.action_id";

fn pact(r: &AnyRow) -> Result<Pact> {
    let action = match col::<Option<String>>(r, "action_code")? {
        Some(code) => Some(IdeaAction { code, title: col(r, "action_title")? }),
        None => None,
    };
    Ok(from_row!(r, Pact {
        id, number, title, object, good, commitments, starts_on, ends_on, version;
        parties: codes(r, "parties")?,
        reporting_dates: codes(r, "reporting_dates")?,
        status: code(r, "status")?,
        action: action,
        reports: Vec::new(),
        is_demo: flag(r, "is_demo")?,
    }))
}

/// A pact as its form edits it.
pub fn pact_for_edit(p: &Pact) -> Editable<PactEdit> {
    let fields = PactEdit {
        title: p.title.clone(),
        object: p.object.clone(),
        good: p.good.clone(),
        parties: p.parties.clone(),
        commitments: p.commitments.clone(),
        starts_on: p.starts_on.clone(),
        ends_on: p.ends_on.clone(),
        reporting_dates: p.reporting_dates.clone(),
        status: p.status,
        action_code: p.action.as_ref().map(|a| a.code.clone()),
    };
    Editable { id: p.id.clone(), label: p.title.clone(), version: p.version, fields }
}

fn columns_of(edit: &PactEdit, action_id: Option<&str>) -> Vec<(&'static str, crate::sql::Value)> {
    columns![
        "title" => edit.title.clone(), "object" => edit.object.clone(), "good" => edit.good.clone(),
        "parties" => json_codes(&edit.parties), "commitments" => edit.commitments.clone(),
        "starts_on" => edit.starts_on.clone(), "ends_on" => edit.ends_on.clone(),
        "reporting_dates" => json_codes(&edit.reporting_dates), "status" => edit.status.code(),
        "action_id" => action_id.map(str::to_string),
    ]
}

impl Store {
    /// The process's pacts, by number, each with its reports.
    pub async fn lab_pacts(&self, process_id: &str) -> Result<Vec<Pact>> {
        let mut sql = Sql::new(&format!("{PACT} WHERE p.process_id = "));
        sql.bind(process_id).push(" ORDER BY p.number");
        let mut pacts = sql.map_all(&self.pool, pact).await?;
        let mut reports = Sql::new(
            "SELECT r.pact_id, r.date, r.text FROM lab_pact_reports r JOIN lab_pacts p ON p.id = r.pact_id WHERE p.process_id = ",
        );
        reports.bind(process_id).push(" ORDER BY r.date, r.created_at");
        for (pact_id, date, text) in reports
            .map_all(&self.pool, |r| Ok((col::<String>(r, "pact_id")?, col(r, "date")?, col(r, "text")?)))
            .await?
        {
            if let Some(p) = pacts.iter_mut().find(|p| p.id == pact_id) {
                p.reports.push(PactReport { date, text });
            }
        }
        Ok(pacts)
    }
}

impl WriteTx {
    /// Adds a pact to the process; returns its number.
    pub async fn create_pact(
        &mut self,
        process_id: &str,
        edit: &PactEdit,
        action_id: Option<&str>,
        is_demo: bool,
    ) -> Result<i64> {
        let number = self.next_in("lab_pacts", "number", "process_id", process_id).await?;
        let (id, at) = (new_id(), now());
        let mut values = columns_of(edit, action_id);
        values.extend(columns![
            "id" => id.clone(), "process_id" => process_id, "number" => number, "is_demo" => is_demo as i64,
            "created_at" => at.clone(), "updated_at" => at,
        ]);
        let insert = Sql::insert("lab_pacts", values);
        self.create_record(vec![insert], EntityRef { kind: "lab_pact", id: &id, label: &edit.title }, edit).await?;
        Ok(number)
    }

    pub async fn update_pact(
        &mut self,
        before: &Editable<PactEdit>,
        edit: &PactEdit,
        action_id: Option<&str>,
        expected_version: i64,
    ) -> Result<Saved<PactEdit>> {
        let values = columns_of(edit, action_id);
        let entity = EntityRef { kind: "lab_pact", id: &before.id, label: &before.label };
        self.update_versioned("lab_pacts", before, edit, expected_version, values, entity).await
    }

    /// Adds a report to a pact (guarded by the pact's version: two reports at once are two).
    pub async fn add_pact_report(
        &mut self,
        pact: &Editable<PactReportEdit>,
        edit: &PactReportEdit,
        expected_version: i64,
    ) -> Result<Saved<PactReportEdit>> {
        let insert = Sql::insert(
            "lab_pact_reports",
            columns![
                "id" => new_id(), "pact_id" => pact.id.clone(), "date" => edit.date.clone(),
                "text" => edit.text.clone(), "created_at" => now(),
            ],
        );
        let entity = EntityRef { kind: "lab_pact", id: &pact.id, label: &pact.label };
        let audit = Audit::of(vec![(entity, "add_report")], &serde_json::Value::Null, edit);
        let guard = Guard { table: "lab_pacts", id: &pact.id, expected: expected_version };
        self.versioned_update(guard, pact.fields.clone(), vec![insert], audit).await
    }
}
