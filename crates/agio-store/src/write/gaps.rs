//! Lists of codes an objective or an action names: the gaps of the district's profile it
//! addresses, the framework targets an objective serves. Read for their forms, saved against
//! the record's version, and read back for the profile page.

use agio_domain::edit::{GapsEdit, TargetsEdit};
use serde::Serialize;

use super::{json_codes, Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{codes, col, from_row};
use crate::sql::Sql;
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

/// A list of codes kept in a JSON column of objectives or actions.
pub trait CodeList: Serialize + Send + Sync {
    const COLUMN: &'static str;
    fn of(codes: Vec<String>) -> Self;
    fn codes(&self) -> &[String];
}

impl CodeList for GapsEdit {
    const COLUMN: &'static str = "gaps";
    fn of(gaps: Vec<String>) -> Self {
        GapsEdit { gaps }
    }
    fn codes(&self) -> &[String] {
        &self.gaps
    }
}

impl CodeList for TargetsEdit {
    const COLUMN: &'static str = "targets";
    fn of(targets: Vec<String>) -> Self {
        TargetsEdit { targets }
    }
    fn codes(&self) -> &[String] {
        &self.targets
    }
}

fn list_edit<T: CodeList>(r: &sqlx::any::AnyRow) -> Result<Editable<T>> {
    Ok(from_row!(r, Editable {
        id, version;
        label: format!("{} {}", col::<String>(r, "code")?, col::<String>(r, "title")?),
        fields: T::of(codes(r, T::COLUMN)?),
    }))
}

impl Store {
    /// A list of codes of an objective or an action of an agenda, for editing.
    pub async fn list_for_edit<T: CodeList>(
        &self,
        of: Addresser,
        agenda_slug: &str,
        code: &str,
    ) -> Result<Option<Editable<T>>> {
        let (table, column) = (of.table(), T::COLUMN);
        let mut sql = Sql::new(&format!(
            "SELECT x.id, x.code, x.title, x.version, x.{column} FROM {table} x JOIN agendas a ON a.id = x.agenda_id \
             WHERE a.slug = "
        ));
        sql.bind(agenda_slug).push(" AND x.code = ").bind(code);
        sql.map_optional(&self.pool, list_edit::<T>).await
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
    /// Saves a list of codes of an objective or action against its version.
    pub async fn update_list<T: CodeList>(
        &mut self,
        of: Addresser,
        id: &str,
        edit: &T,
        expected_version: i64,
    ) -> Result<Saved<T>> {
        let (table, column) = (of.table(), T::COLUMN);
        let mut sql =
            Sql::new(&format!("SELECT x.id, x.code, x.title, x.version, x.{column} FROM {table} x WHERE x.id = "));
        sql.bind(id);
        let before = sql.map_one(&mut *self.tx, list_edit::<T>).await?;
        let update = Sql::update(table, vec![(column, crate::sql::Value::from(json_codes(edit.codes())))], id);
        let entity = EntityRef { kind: of.kind(), id, label: &before.label };
        let audit = Audit::update(entity, &before.fields, edit);
        let guard = Guard { table, id, expected: expected_version };
        self.versioned_update(guard, before.fields, vec![update], audit).await
    }
}
