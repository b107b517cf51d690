//! Which gaps of the district's profile an objective or an action addresses: read for its form,
//! saved against the record's version, and read back for the profile page.

use agio_domain::edit::GapsEdit;
use serde::Serialize;

use super::{json_codes, Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{codes, col, from_row};
use crate::sql::{columns, Sql};
use crate::{Result, Store};

/// What addresses gaps: an agenda's objectives, or its actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addresser {
    Objective,
    Action,
}

impl Addresser {
    fn table(self) -> &'static str {
        match self {
            Addresser::Objective => "objectives",
            Addresser::Action => "actions",
        }
    }

    /// The record's kind in the audit log.
    pub fn kind(self) -> &'static str {
        match self {
            Addresser::Objective => "objective",
            Addresser::Action => "action",
        }
    }
}

/// An objective or action of a public agenda of the district, with the gaps it addresses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapLink {
    pub agenda_slug: String,
    pub code: String,
    pub title: String,
    pub gaps: Vec<String>,
}

fn gaps_edit(r: &sqlx::any::AnyRow) -> Result<Editable<GapsEdit>> {
    Ok(from_row!(r, Editable {
        id, version;
        label: format!("{} {}", col::<String>(r, "code")?, col::<String>(r, "title")?),
        fields: GapsEdit { gaps: codes(r, "gaps")? },
    }))
}

impl Store {
    /// The gaps an objective or an action of an agenda addresses, for editing.
    pub async fn gaps_for_edit(
        &self,
        of: Addresser,
        agenda_slug: &str,
        code: &str,
    ) -> Result<Option<Editable<GapsEdit>>> {
        let table = of.table();
        let mut sql = Sql::new(&format!(
            "SELECT x.id, x.code, x.title, x.version, x.gaps FROM {table} x JOIN agendas a ON a.id = x.agenda_id \
             WHERE a.slug = "
        ));
        sql.bind(agenda_slug).push(" AND x.code = ").bind(code);
        sql.map_optional(&self.pool, gaps_edit).await
    }

    /// The objectives and actions, in the public agendas of a district and of the territories
    /// in it, that address at least one gap.
    pub async fn gap_links(&self, district_id: &str) -> Result<Vec<GapLink>> {
        let mut links = Vec::new();
        for of in [Addresser::Objective, Addresser::Action] {
            let mut sql = Sql::new(&format!(
                "SELECT g.slug AS agenda_slug, x.code, x.title, x.gaps FROM {} x JOIN agendas g ON g.id = x.agenda_id \
                 JOIN territories t ON t.id = g.territory_id LEFT JOIN territories p ON p.id = t.parent_id \
                 WHERE x.archived_at IS NULL AND x.gaps <> '[]' AND g.status <> 'draft' AND (t.id = ",
                of.table()
            ));
            sql.bind(district_id).push(" OR p.id = ").bind(district_id).push(" OR p.parent_id = ").bind(district_id);
            sql.push(") ORDER BY g.slug, x.position");
            links.extend(
                sql.map_all(&self.pool, |r| {
                    Ok(from_row!(r, GapLink { agenda_slug, code, title; gaps: codes(r, "gaps")? }))
                })
                .await?,
            );
        }
        Ok(links)
    }
}

impl WriteTx {
    pub async fn update_gaps(
        &mut self,
        of: Addresser,
        id: &str,
        edit: &GapsEdit,
        expected_version: i64,
    ) -> Result<Saved<GapsEdit>> {
        let table = of.table();
        let mut sql =
            Sql::new(&format!("SELECT x.id, x.code, x.title, x.version, x.gaps FROM {table} x WHERE x.id = "));
        sql.bind(id);
        let before = sql.map_one(&mut *self.tx, gaps_edit).await?;
        let update = Sql::update(table, columns!["gaps" => json_codes(&edit.gaps)], id);
        let entity = EntityRef { kind: of.kind(), id, label: &before.label };
        let audit = Audit::update(entity, &before.fields, edit);
        let guard = Guard { table, id, expected: expected_version };
        self.versioned_update(guard, before.fields, vec![update], audit).await
    }
}
