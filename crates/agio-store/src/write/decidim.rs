//! An agenda's Decidim source and what its imports read (see migration 0029).

use std::collections::HashMap;

use agio_domain::decidim::{
    DecidimFailure, DecidimImport, DecidimSnapshot, DecidimSource, DecidimSourceEdit, SyncReport,
};
use serde::Serialize;
use sqlx::any::AnyRow;

use super::{Editable, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{col, flag, from_row};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store, StoreError};

const SOURCE: &str = "SELECT s.id, s.instance_url, s.process_slug, s.process_title, s.process_url, s.synced_at, \
     s.error_code, s.error_detail, s.is_demo, s.version, a.title AS agenda_title \
     FROM decidim_sources s JOIN agendas a ON a.id = s.agenda_id WHERE s.agenda_id = ";

fn source(r: &AnyRow) -> Result<DecidimSource> {
    Ok(from_row!(r, DecidimSource {
        id, instance_url, process_slug, process_title, process_url, synced_at, version, agenda_title;
        last_error: match col::<Option<String>>(r, "error_code")? {
            Some(code) => Some(DecidimFailure { code, detail: col::<Option<String>>(r, "error_detail")?.unwrap_or_default() }),
            None => None,
        },
        is_demo: flag(r, "is_demo")?,
    }))
}

/// A source as its form edits it.
pub fn decidim_source_for_edit(s: &DecidimSource) -> Editable<DecidimSourceEdit> {
    let fields = DecidimSourceEdit { instance_url: s.instance_url.clone(), process_slug: s.process_slug.clone() };
    Editable { id: s.id.clone(), label: s.process_slug.clone(), version: s.version, fields }
}

/// The kinds of items, as stored.
const STEP: &str = "step";
const PROPOSAL: &str = "proposal";
const MEETING: &str = "meeting";
const RESULT: &str = "result";

impl Store {
    /// The agenda's Decidim source, if it has one.
    pub async fn decidim_source(&self, agenda_id: &str) -> Result<Option<DecidimSource>> {
        let mut sql = Sql::new(SOURCE);
        sql.bind(agenda_id);
        sql.map_optional(&self.pool, source).await
    }

    /// The source and everything its imports read, in Decidim's order.
    pub async fn decidim_import(&self, agenda_id: &str) -> Result<Option<DecidimImport>> {
        let Some(source) = self.decidim_source(agenda_id).await? else { return Ok(None) };
        let mut sql = Sql::new("SELECT kind, data FROM decidim_items WHERE source_id = ");
        sql.bind(source.id.as_str()).push(" ORDER BY kind, position");
        let rows = sql.map_all(&self.pool, |r| Ok((col::<String>(r, "kind")?, col::<String>(r, "data")?))).await?;
        let mut import = DecidimImport { source, steps: vec![], proposals: vec![], meetings: vec![], results: vec![] };
        for (kind, data) in rows {
            let broken = |e: serde_json::Error| StoreError::InvalidData(format!("decidim_items ({kind}): {e}"));
            match kind.as_str() {
                STEP => import.steps.push(serde_json::from_str(&data).map_err(broken)?),
                PROPOSAL => import.proposals.push(serde_json::from_str(&data).map_err(broken)?),
                MEETING => import.meetings.push(serde_json::from_str(&data).map_err(broken)?),
                _ => import.results.push(serde_json::from_str(&data).map_err(broken)?),
            }
        }
        Ok(Some(import))
    }
}

/// One item to keep: its kind, Decidim id, Decidim's update time and what is shown.
struct Item {
    id: String,
    updated_at: Option<String>,
    data: String,
}

fn items<T: Serialize>(list: &[T], key: impl Fn(&T) -> (String, Option<String>)) -> Result<Vec<Item>> {
    list.iter()
        .map(|x| {
            let (id, updated_at) = key(x);
            let data = serde_json::to_string(x).map_err(|e| StoreError::InvalidData(e.to_string()))?;
            Ok(Item { id, updated_at, data })
        })
        .collect()
}

impl WriteTx {
    pub async fn create_decidim_source(
        &mut self,
        agenda_id: &str,
        edit: &DecidimSourceEdit,
        is_demo: bool,
    ) -> Result<String> {
        let (id, at) = (new_id(), now());
        let insert = Sql::insert(
            "decidim_sources",
            columns![
                "id" => id.clone(), "agenda_id" => agenda_id, "instance_url" => edit.instance_url.clone(),
                "process_slug" => edit.process_slug.clone(), "is_demo" => is_demo as i64,
                "created_at" => at.clone(), "updated_at" => at,
            ],
        );
        self.create_record(
            vec![insert],
            EntityRef { kind: "decidim_source", id: &id, label: &edit.process_slug },
            edit,
        )
        .await?;
        Ok(id)
    }

    /// Points the source elsewhere; what was read from the old process goes.
    pub async fn update_decidim_source(
        &mut self,
        before: &Editable<DecidimSourceEdit>,
        edit: &DecidimSourceEdit,
        expected_version: i64,
    ) -> Result<Saved<DecidimSourceEdit>> {
        let mut values =
            columns!["instance_url" => edit.instance_url.clone(), "process_slug" => edit.process_slug.clone()];
        if before.fields != *edit {
            let mut gone = Sql::new("DELETE FROM decidim_items WHERE source_id = ");
            gone.bind(before.id.as_str());
            self.run(vec![gone]).await?;
            values.extend(columns![
                "process_title" => "", "process_url" => "", "synced_at" => None::<String>,
                "error_code" => None::<String>, "error_detail" => None::<String>,
            ]);
        }
        let entity = EntityRef { kind: "decidim_source", id: &before.id, label: &before.label };
        self.update_versioned("decidim_sources", before, edit, expected_version, values, entity).await
    }

    /// Keeps what an import read: new items are added, items whose content or place changed are
    /// replaced, items the instance no longer shows are removed, the others are left alone.
    pub async fn apply_decidim_snapshot(
        &mut self,
        source: &DecidimSource,
        snapshot: &DecidimSnapshot,
    ) -> Result<SyncReport> {
        let mut stored = Sql::new("SELECT kind, decidim_id, position, data FROM decidim_items WHERE source_id = ");
        stored.bind(source.id.as_str());
        let mut known: HashMap<(String, String), (i64, String)> = stored
            .query()
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(|r| Ok(((col(r, "kind")?, col(r, "decidim_id")?), (col(r, "position")?, col(r, "data")?))))
            .collect::<Result<_>>()?;
        let mut report = SyncReport { missing_fields: snapshot.missing_fields.clone(), ..SyncReport::default() };
        let kinds = [
            (STEP, items(&snapshot.steps, |s| (s.id.clone(), None))?, &mut report.steps),
            (PROPOSAL, items(&snapshot.proposals, |p| (p.id.clone(), p.updated_at.clone()))?, &mut report.proposals),
            (MEETING, items(&snapshot.meetings, |m| (m.id.clone(), m.updated_at.clone()))?, &mut report.meetings),
            (RESULT, items(&snapshot.results, |r| (r.id.clone(), r.updated_at.clone()))?, &mut report.results),
        ];
        let mut statements = Vec::new();
        for (kind, list, counts) in kinds {
            for (position, item) in list.into_iter().enumerate() {
                let values = columns![
                    "position" => position as i64, "updated_at" => item.updated_at.clone(), "data" => item.data.clone(),
                ];
                match known.remove(&(kind.to_string(), item.id.clone())) {
                    None => {
                        let mut all = columns![
                            "source_id" => source.id.clone(), "kind" => kind, "decidim_id" => item.id.clone(),
                        ];
                        all.extend(values);
                        statements.push(Sql::insert("decidim_items", all));
                        counts.new += 1;
                    }
                    // Decidim moves counts (supports, endorsements) without touching `updatedAt`:
                    // what is kept is compared whole. An item only moved in the order (one before
                    // it went) is the same item: its place is kept, it is not counted as changed.
                    Some((at, data)) if data == item.data => {
                        if at != position as i64 {
                            let mut moved = Sql::new("UPDATE decidim_items SET position = ");
                            moved.bind(position as i64).push(" WHERE source_id = ").bind(source.id.as_str());
                            moved.push(" AND kind = ").bind(kind).push(" AND decidim_id = ").bind(item.id.clone());
                            statements.push(moved);
                        }
                        counts.unchanged += 1;
                    }
                    Some(_) => {
                        let mut update = Sql::new("UPDATE decidim_items SET ");
                        for (i, (name, value)) in values.into_iter().enumerate() {
                            update.push(if i == 0 { "" } else { ", " }).push(name).push(" = ").bind(value);
                        }
                        update.push(" WHERE source_id = ").bind(source.id.as_str());
                        update.push(" AND kind = ").bind(kind).push(" AND decidim_id = ").bind(item.id.clone());
                        statements.push(update);
                        counts.updated += 1;
                    }
                }
            }
        }
        // What the instance no longer shows (deleted, hidden by its moderators) goes too: the
        // snapshot is whole, every page was read.
        for ((kind, id), _) in known {
            let mut gone = Sql::new("DELETE FROM decidim_items WHERE source_id = ");
            gone.bind(source.id.as_str()).push(" AND kind = ").bind(kind.clone()).push(" AND decidim_id = ").bind(id);
            statements.push(gone);
            match kind.as_str() {
                STEP => report.steps.removed += 1,
                PROPOSAL => report.proposals.removed += 1,
                MEETING => report.meetings.removed += 1,
                _ => report.results.removed += 1,
            }
        }
        self.run(statements).await?;
        let mut done = Sql::update(
            "decidim_sources",
            columns![
                "process_title" => snapshot.process_title.clone(), "process_url" => snapshot.process_url.clone(),
                "synced_at" => now(), "error_code" => None::<String>, "error_detail" => None::<String>,
                "updated_at" => now(),
            ],
            &source.id,
        );
        // Only into the source as it was when the import began: pointed elsewhere meanwhile, the
        // process read is not the one named now.
        done.push(" AND version = ").bind(source.version);
        if done.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict("the Decidim source was changed during the import".into()));
        }
        let entity = EntityRef { kind: "decidim_source", id: &source.id, label: &source.process_slug };
        let kinds = [report.steps, report.proposals, report.meetings, report.results];
        let after = serde_json::json!({
            "new": kinds.iter().map(|k| k.new).sum::<i64>(),
            "updated": kinds.iter().map(|k| k.updated).sum::<i64>(),
            "unchanged": kinds.iter().map(|k| k.unchanged).sum::<i64>(),
            "removed": kinds.iter().map(|k| k.removed).sum::<i64>(),
            "missing_fields": report.missing_fields,
        });
        self.record(entity, "import", None, Some(&after), "").await?;
        Ok(report)
    }

    /// Notes why an import failed; what earlier imports read stays.
    pub async fn record_decidim_failure(&mut self, source: &DecidimSource, code: &str, detail: &str) -> Result<()> {
        let mut failed = Sql::update(
            "decidim_sources",
            columns!["error_code" => code, "error_detail" => detail, "updated_at" => now()],
            &source.id,
        );
        failed.push(" AND version = ").bind(source.version);
        self.run(vec![failed]).await?;
        let entity = EntityRef { kind: "decidim_source", id: &source.id, label: &source.process_slug };
        let note = format!("{code}: {detail}");
        self.record(entity, "import_failed", None, None, &note).await
    }
}
