//! Archiving: objectives, actions, organisations and unions leave the lists while their pages,
//! links and history stay.

use crate::audit::{EntityRef, WriteTx};
use crate::read::{col, flag, from_row};
use crate::sql::Sql;
use crate::{now, Result, Store};

/// What can be archived, and the table it lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Archivable {
    Objective,
    Action,
    Organization,
    Union,
}

impl Archivable {
    fn table(self) -> &'static str {
        match self {
            Archivable::Objective => "objectives",
            Archivable::Action => "actions",
            Archivable::Organization => "organizations",
            Archivable::Union => "territories",
        }
    }

    /// The kind of record in the audit log.
    fn entity(self) -> &'static str {
        match self {
            Archivable::Objective => "objective",
            Archivable::Action => "action",
            Archivable::Organization => "organization",
            Archivable::Union => "territory",
        }
    }
}

impl WriteTx {
    /// Archives (or restores) a record, with a note; false if it already was (or was not).
    /// Archiving an objective archives its actions still in the plan; restoring an action
    /// restores its objective if that was archived.
    pub async fn set_archived(
        &mut self,
        what: Archivable,
        entity: EntityRef<'_>,
        archive: bool,
        note: &str,
    ) -> Result<bool> {
        let mut sql = Sql::new(&format!("UPDATE {} SET version = version + 1, archived_at = ", what.table()));
        let now = now();
        sql.bind(archive.then(|| now.clone())).push(", updated_at = ").bind(now.clone());
        sql.push(" WHERE id = ").bind(entity.id).push(if archive {
            " AND archived_at IS NULL"
        } else {
            " AND archived_at IS NOT NULL"
        });
        if sql.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        let entity = EntityRef { kind: what.entity(), ..entity };
        self.record(entity, if archive { "archive" } else { "restore" }, None, None, note).await?;
        let related = match (what, archive) {
            (Archivable::Objective, true) => {
                "SELECT id, code, title FROM actions WHERE archived_at IS NULL AND objective_id = "
            }
            (Archivable::Action, false) => {
                "SELECT o.id, o.code, o.title FROM objectives o JOIN actions x ON x.objective_id = o.id \
                 WHERE o.archived_at IS NOT NULL AND x.id = "
            }
            _ => return Ok(true),
        };
        let mut related = Sql::new(related);
        related.bind(entity.id);
        let rows = related.query().fetch_all(&mut *self.tx).await?;
        let kind = if archive { Archivable::Action } else { Archivable::Objective };
        for r in rows {
            let (id, label): (String, String) =
                (col(&r, "id")?, format!("{} {}", col::<String>(&r, "code")?, col::<String>(&r, "title")?));
            let related = EntityRef { kind: kind.entity(), id: &id, label: &label };
            Box::pin(self.set_archived(kind, related, archive, note)).await?;
        }
        Ok(true)
    }
}

/// An archived objective or action of an agenda.
#[derive(Debug, Clone)]
pub struct ArchivedItem {
    pub is_action: bool,
    pub code: String,
    pub title: String,
    pub archived_at: String,
}

impl Store {
    /// The archived objectives and actions of an agenda, most recent first.
    pub async fn archived_of_agenda(&self, agenda_id: &str) -> Result<Vec<ArchivedItem>> {
        let mut sql = Sql::new(
            "SELECT 0 AS is_action, code, title, archived_at FROM objectives WHERE archived_at IS NOT NULL AND agenda_id = ",
        );
        sql.bind(agenda_id)
            .push(" UNION ALL SELECT 1, code, title, archived_at FROM actions WHERE archived_at IS NOT NULL AND agenda_id = ")
            .bind(agenda_id)
            .push(" ORDER BY archived_at DESC, code");
        sql.map_all(&self.pool, |r| {
            Ok(from_row!(r, ArchivedItem { code, title, archived_at; is_action: flag(r, "is_action")? }))
        })
        .await
    }
}
