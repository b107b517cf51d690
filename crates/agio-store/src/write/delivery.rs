//! Delivery: an action's milestones and what is committed and paid of its budget lines. Each
//! change is versioned and recorded against the action, so its history shows it.

use agio_domain::delivery::{Milestone, MilestoneEdit, SpendingEdit};
use sqlx::any::AnyRow;

use super::{Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, flag, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

fn milestone(r: &AnyRow) -> Result<Milestone> {
    Ok(from_row!(r, Milestone {
        id, action_id, version;
        fields: from_row!(r, MilestoneEdit { title, planned_date, actual_date, note; status: code(r, "status")? }),
        is_demo: flag(r, "is_demo")?,
    }))
}

/// A milestone as the audit log keeps it, beside the action's own fields.
fn milestone_json(m: &MilestoneEdit) -> serde_json::Value {
    serde_json::json!({
        "milestone": m.title, "planned_date": m.planned_date, "actual_date": m.actual_date,
        "milestone_status": m.status.code(), "milestone_note": m.note,
    })
}

/// Spending as the audit log keeps it, with the line it is about.
fn spending_json(line: &str, s: &SpendingEdit) -> serde_json::Value {
    serde_json::json!({
        "budget_line": line, "committed_cents": s.committed_cents, "paid_cents": s.paid_cents, "as_of": s.as_of,
    })
}

impl Store {
    /// The milestones of the agenda's actions, by planned date.
    pub async fn milestones(&self, agenda_id: &str) -> Result<Vec<Milestone>> {
        let mut sql = Sql::new(
            "SELECT m.id, m.action_id, m.title, m.planned_date, m.actual_date, m.status, m.note, m.version, m.is_demo \
             FROM milestones m JOIN actions x ON x.id = m.action_id WHERE x.agenda_id = ",
        );
        sql.bind(agenda_id).push(" ORDER BY m.planned_date, m.title");
        sql.map_all(&self.pool, milestone).await
    }

    /// What is recorded of the agenda's budget lines: (budget line id, its figures).
    pub async fn spending(&self, agenda_id: &str) -> Result<Vec<(String, Editable<SpendingEdit>)>> {
        let mut sql = Sql::new(
            "SELECT s.id, s.budget_line_id, s.committed_cents, s.paid_cents, s.as_of, s.version FROM budget_spending s \
             JOIN budget_lines b ON b.id = s.budget_line_id JOIN actions x ON x.id = b.action_id WHERE x.agenda_id = ",
        );
        sql.bind(agenda_id);
        sql.map_all(&self.pool, |r| {
            let fields = from_row!(r, SpendingEdit { committed_cents, paid_cents, as_of });
            let line: String = col(r, "budget_line_id")?;
            Ok((line.clone(), Editable { id: col(r, "id")?, label: line, version: col(r, "version")?, fields }))
        })
        .await
    }
}

impl WriteTx {
    /// Writes a milestone of `action`: a new one when `before` is None (at version 1),
    /// otherwise a change guarded by `expected_version`.
    pub async fn save_milestone(
        &mut self,
        action: EntityRef<'_>,
        before: Option<&Milestone>,
        edit: &MilestoneEdit,
        expected_version: i64,
    ) -> Result<Saved<MilestoneEdit>> {
        let values = columns![
            "title" => edit.title.clone(), "planned_date" => edit.planned_date.clone(),
            "actual_date" => edit.actual_date.clone(), "status" => edit.status.code(), "note" => edit.note.clone(),
        ];
        let after = milestone_json(edit);
        let Some(before) = before else {
            let at = now();
            let mut values = values;
            values.extend(columns![
                "id" => new_id(), "action_id" => action.id, "version" => 1i64, "is_demo" => 0i64,
                "created_at" => at.clone(), "updated_at" => at,
            ]);
            self.run(vec![Sql::insert("milestones", values)]).await?;
            self.record(action, "add_milestone", None, Some(&after), "").await?;
            return Ok(Saved::Done { version: 1 });
        };
        let audit = Audit {
            records: vec![(action, "update_milestone")],
            before: milestone_json(&before.fields),
            after,
            note: "",
        };
        let guard = Guard { table: "milestones", id: &before.id, expected: expected_version };
        let update = Sql::update("milestones", values, &before.id);
        self.versioned_update(guard, before.fields.clone(), vec![update], audit).await
    }

    /// Removes a milestone of `action`.
    pub async fn remove_milestone(&mut self, action: EntityRef<'_>, milestone: &Milestone) -> Result<()> {
        let mut gone = Sql::new("DELETE FROM milestones WHERE id = ");
        gone.bind(milestone.id.clone());
        self.run(vec![gone]).await?;
        self.record(action, "remove_milestone", Some(&milestone_json(&milestone.fields)), None, "").await
    }

    /// Writes what is committed and paid of budget line `line_id` (`line`: how the history
    /// names it): the first figures when `before` is None, otherwise a change guarded by
    /// `expected_version`.
    pub async fn save_spending(
        &mut self,
        action: EntityRef<'_>,
        line_id: &str,
        line: &str,
        before: Option<&Editable<SpendingEdit>>,
        edit: &SpendingEdit,
        expected_version: i64,
    ) -> Result<Saved<SpendingEdit>> {
        let values = columns![
            "committed_cents" => edit.committed_cents, "paid_cents" => edit.paid_cents, "as_of" => edit.as_of.clone(),
        ];
        let after = spending_json(line, edit);
        let Some(before) = before else {
            let mut values = values;
            values.extend(columns![
                "id" => new_id(), "budget_line_id" => line_id, "version" => 1i64, "is_demo" => 0i64, "updated_at" => now(),
            ]);
            self.run(vec![Sql::insert("budget_spending", values)]).await?;
            self.record(action, "record_spending", None, Some(&after), "").await?;
            return Ok(Saved::Done { version: 1 });
        };
        let audit = Audit {
            records: vec![(action, "record_spending")],
            before: spending_json(line, &before.fields),
            after,
            note: "",
        };
        let guard = Guard { table: "budget_spending", id: &before.id, expected: expected_version };
        let update = Sql::update("budget_spending", values, &before.id);
        self.versioned_update(guard, before.fields.clone(), vec![update], audit).await
    }
}
