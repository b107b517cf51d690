//! Write side: what the edit forms and the write API change, always through a [`WriteTx`]
//! (so always audited) and always against the version the editor started from. One file per
//! aggregate; what they share (the versioned update, codes, slugs) is here.

mod action_parts;
mod actions;
mod agendas;
mod archive;
mod assets;
mod decidim;
mod delivery;
mod frameworks;
mod gaps;
mod lab;
mod lab_meetings;
mod lab_pacts;
mod lab_representatives;
mod measurements;
mod monitoring_imports;
mod organizations;
mod profiles;

pub use decidim::decidim_source_for_edit;
pub use frameworks::TargetLink;
pub use gaps::{Addresser, CodeList, GapLink};
pub use lab::{answer_of, IdeaFilter, IdeaSort};
pub use lab_meetings::meeting_for_edit;
pub use lab_pacts::pact_for_edit;
pub use measurements::{measurement_for_edit, MonitoredAgenda, Reuse};
pub use monitoring_imports::{MonitoringImport, IMPORTS_KEPT};
pub use profiles::NewZonePlan;
mod unions;

use serde::Serialize;

use crate::audit::{EntityRef, WriteTx};
use crate::read::col;
use crate::sql::Sql;
use crate::{now, Result};

pub use agendas::{AgendaPageReads, Published};
pub use archive::{Archivable, ArchivedItem};

/// The outcome of a save made against a version.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved<T> {
    /// Written; the record is now at `version`.
    Done { version: i64 },
    /// Someone saved first: nothing was written; here is what is stored now.
    Stale { current: T, version: i64 },
}

/// A record as an editor sees it: its id, a readable name, its version and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Editable<T> {
    pub id: String,
    pub label: String,
    pub version: i64,
    pub fields: T,
}

/// A list of codes as its JSON column stores it.
pub(crate) fn json_codes(codes: &[String]) -> String {
    serde_json::to_string(codes).unwrap_or_else(|_| "[]".into())
}

fn json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// The record whose version guards a save: the record itself, or the action that an
/// indicator, result, partner or budget line is part of.
struct Guard<'a> {
    table: &'static str,
    id: &'a str,
    /// The version the editor started from.
    expected: i64,
}

/// What the audit log says of a save: one record per (entity, operation), all with the same
/// before, after and note.
struct Audit<'a> {
    records: Vec<(EntityRef<'a>, &'static str)>,
    before: serde_json::Value,
    after: serde_json::Value,
    note: &'a str,
}

impl<'a> Audit<'a> {
    /// An `update` of `entity`'s fields.
    fn update(entity: EntityRef<'a>, before: &impl Serialize, after: &impl Serialize) -> Self {
        Audit::of(vec![(entity, "update")], before, after)
    }

    fn of(records: Vec<(EntityRef<'a>, &'static str)>, before: &impl Serialize, after: &impl Serialize) -> Self {
        Audit { records, before: json(before), after: json(after), note: "" }
    }
}

impl WriteTx {
    /// The one way an editor's save is written: claims the guard at the version the editor
    /// started from (optimistic lock, version + 1), runs `statements` and records `audit`;
    /// when someone saved first, writes nothing and hands back `current` at the stored version.
    async fn versioned_update<T>(
        &mut self,
        guard: Guard<'_>,
        current: T,
        statements: Vec<Sql>,
        audit: Audit<'_>,
    ) -> Result<Saved<T>> {
        if !self.bump_version(guard.table, guard.id, Some(guard.expected)).await? {
            return self.stale(guard, current).await;
        }
        self.run(statements).await?;
        self.saved(guard, audit).await
    }

    /// `versioned_update` of the guard's own row to `values`, in one statement: claiming the
    /// version and changing the row are the same UPDATE (a spreadsheet import makes thousands).
    async fn versioned_row_update<T>(
        &mut self,
        guard: Guard<'_>,
        current: T,
        values: Vec<(&str, crate::sql::Value)>,
        audit: Audit<'_>,
    ) -> Result<Saved<T>> {
        let mut sql = Sql::new(&format!("UPDATE {} SET version = version + 1, updated_at = ", guard.table));
        sql.bind(now());
        for (name, value) in values {
            sql.push(", ").push(name).push(" = ").bind(value);
        }
        sql.push(" WHERE id = ").bind(guard.id).push(" AND version = ").bind(guard.expected);
        if sql.query().execute(&mut *self.tx).await?.rows_affected() != 1 {
            return self.stale(guard, current).await;
        }
        self.saved(guard, audit).await
    }

    /// Someone saved first: `current` at the stored version.
    async fn stale<T>(&mut self, guard: Guard<'_>, current: T) -> Result<Saved<T>> {
        let mut stored = Sql::new(&format!("SELECT version FROM {} WHERE id = ", guard.table));
        stored.bind(guard.id);
        let version = col(&stored.query().fetch_one(&mut *self.tx).await?, "version")?;
        Ok(Saved::Stale { current, version })
    }

    /// Records `audit` of a save made from the guard's version.
    async fn saved<T>(&mut self, guard: Guard<'_>, audit: Audit<'_>) -> Result<Saved<T>> {
        for (entity, operation) in audit.records {
            self.record(entity, operation, Some(&audit.before), Some(&audit.after), audit.note).await?;
        }
        Ok(Saved::Done { version: guard.expected + 1 })
    }

    /// A change of one record's own row in `table` to `values`, guarded by its version and
    /// audited as an `update` of `entity` from `before` to `edit`.
    async fn update_versioned<T: Serialize + Clone>(
        &mut self,
        table: &'static str,
        before: &Editable<T>,
        edit: &T,
        expected_version: i64,
        values: Vec<(&str, crate::sql::Value)>,
        entity: EntityRef<'_>,
    ) -> Result<Saved<T>> {
        let audit = Audit::update(entity, &before.fields, edit);
        let guard = Guard { table, id: &before.id, expected: expected_version };
        self.versioned_row_update(guard, before.fields.clone(), values, audit).await
    }

    /// Makes a new version of a record, only from version `expected` when given; false when
    /// the stored version is another.
    async fn bump_version(&mut self, table: &str, id: &str, expected: Option<i64>) -> Result<bool> {
        let mut sql = Sql::new(&format!("UPDATE {table} SET version = version + 1, updated_at = "));
        sql.bind(now()).push(" WHERE id = ").bind(id);
        if let Some(expected) = expected {
            sql.push(" AND version = ").bind(expected);
        }
        Ok(sql.query().execute(&mut *self.tx).await?.rows_affected() == 1)
    }

    /// The next free number of codes like `prefix` + digits in `table` for this agenda, and
    /// the next position.
    async fn next_code(&mut self, table: &str, agenda_id: &str, prefix: &str, width: usize) -> Result<(String, i64)> {
        self.take_turns_on(table, "agenda_id", agenda_id).await?;
        let mut sql = Sql::new(&format!("SELECT code, position FROM {table} WHERE agenda_id = "));
        sql.bind(agenda_id);
        let rows = sql.query().fetch_all(&mut *self.tx).await?;
        let mut highest = 0;
        let mut position = 0;
        for r in &rows {
            let code: String = col(r, "code")?;
            if let Some(n) = code.strip_prefix(prefix).and_then(|d| d.parse::<i64>().ok()) {
                highest = highest.max(n);
            }
            position = position.max(col::<i64>(r, "position")?);
        }
        Ok((format!("{prefix}{:0width$}", highest + 1), position + 1))
    }

    /// A slug made from `name` that `table` does not use yet (`name-2`, `name-3`… otherwise).
    async fn free_slug(&mut self, table: &str, name: &str) -> Result<String> {
        let base = match agio_domain::slugify(name) {
            s if s.is_empty() => "voce".to_string(),
            s => s.chars().take(80).collect::<String>().trim_end_matches('-').to_string(),
        };
        // Two records named alike at once: the second waits for the first's slug.
        self.take_turns_on(table, "slug", &base).await?;
        let mut taken = Sql::new(&format!("SELECT slug FROM {table} WHERE slug = "));
        taken.bind(base.clone()).push(" OR slug LIKE ").bind(format!("{base}-%"));
        let taken: Vec<String> = taken.map_all(&mut *self.tx, |r| col(r, "slug")).await?;
        Ok((1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|slug| !taken.contains(slug))
            .expect("an unbounded range has a free slug"))
    }

    /// Writes a new record with `statements` and records its creation, with what it was made from.
    async fn create_record(&mut self, statements: Vec<Sql>, entity: EntityRef<'_>, new: &impl Serialize) -> Result<()> {
        self.run(statements).await?;
        self.record(entity, "create", None, Some(&json(new)), "").await
    }

    /// Runs statements in this transaction.
    pub(crate) async fn run(&mut self, statements: Vec<Sql>) -> Result<()> {
        for sql in statements {
            sql.query().execute(&mut *self.tx).await?;
        }
        Ok(())
    }
}

/// A record read in `conn` by `record` (one row, with an `id`), and the ISTAT codes of its
/// comuni, listed by `comuni` (a query of `t.code` from territories `t`, ending in `= `).
async fn with_comuni(
    conn: &mut sqlx::AnyConnection,
    record: Sql,
    comuni: &str,
) -> Result<Option<(sqlx::any::AnyRow, Vec<String>)>> {
    let Some(row) = record.query().fetch_optional(&mut *conn).await? else { return Ok(None) };
    let mut codes = Sql::new(comuni);
    codes.bind(col::<String>(&row, "id")?).push(" ORDER BY t.name");
    let codes = codes.map_all(&mut *conn, |r| col(r, "code")).await?;
    Ok(Some((row, codes)))
}

/// The statements that replace the comuni linked to `owner` in `table` by those with the
/// given ISTAT codes.
fn set_comuni(table: &str, owner_column: &str, owner: &str, codes: &[String]) -> Vec<Sql> {
    let mut delete = Sql::new(&format!("DELETE FROM {table} WHERE {owner_column} = "));
    delete.bind(owner);
    if codes.is_empty() {
        return vec![delete];
    }
    let mut insert = Sql::new(&format!("INSERT INTO {table} ({owner_column}, comune_id) SELECT "));
    insert.bind(owner).push(", id FROM territories WHERE kind = 'comune' AND code IN (");
    insert.bind_list(codes.iter().cloned()).push(")");
    vec![delete, insert]
}
