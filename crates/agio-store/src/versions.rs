//! Approved versions of an agenda: an immutable snapshot of everything its public pages show,
//! taken when the agenda is approved. The public reads the latest one; the people who write
//! the agenda also see the working draft.

use agio_domain::model::Action;
use serde::{Deserialize, Serialize};

use crate::audit::{EntityRef, WriteTx};
use crate::read::{col, AgendaDetail};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store, StoreError};

/// What an approved version holds: the agenda page and every action page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaSnapshot {
    pub detail: AgendaDetail,
    pub actions: Vec<Action>,
}

/// One approved version, without its snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionInfo {
    pub number: i64,
    pub created_at: String,
    pub note: String,
}

fn version_info(r: &sqlx::any::AnyRow) -> Result<VersionInfo> {
    Ok(VersionInfo { number: col(r, "number")?, created_at: col(r, "created_at")?, note: col(r, "note")? })
}

impl Store {
    /// The agenda as it stands now, in snapshot form.
    pub async fn agenda_snapshot(&self, slug: &str) -> Result<Option<AgendaSnapshot>> {
        let Some(detail) = self.agenda_detail(slug).await? else { return Ok(None) };
        let mut actions = Vec::new();
        for objective in &detail.objectives {
            for summary in &objective.actions {
                if let Some(action) = self.action(slug, &summary.code).await? {
                    actions.push(action);
                }
            }
        }
        Ok(Some(AgendaSnapshot { detail, actions }))
    }

    /// The versions of an agenda, newest first.
    pub async fn agenda_versions(&self, agenda_id: &str) -> Result<Vec<VersionInfo>> {
        let mut sql = Sql::new("SELECT number, created_at, note FROM agenda_versions WHERE agenda_id = ");
        sql.bind(agenda_id).push(" ORDER BY number DESC");
        sql.map_all(&self.pool, version_info).await
    }

    /// One version's snapshot; `None` for the number: the latest.
    pub async fn agenda_version(
        &self,
        agenda_id: &str,
        number: Option<i64>,
    ) -> Result<Option<(VersionInfo, AgendaSnapshot)>> {
        let mut sql = Sql::new("SELECT number, created_at, note, snapshot FROM agenda_versions WHERE agenda_id = ");
        sql.bind(agenda_id);
        if let Some(n) = number {
            sql.push(" AND number = ").bind(n);
        }
        sql.push(" ORDER BY number DESC LIMIT 1");
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        Ok(Some((version_info(&r)?, snapshot_part(&r)?)))
    }
}

/// The snapshot column of a version row, read as `T` (all of it, or the part `T` names).
fn snapshot_part<T: serde::de::DeserializeOwned>(r: &sqlx::any::AnyRow) -> Result<T> {
    let text: String = col(r, "snapshot")?;
    parse_snapshot(&text)
}

pub(crate) fn parse_snapshot<'a, T: Deserialize<'a>>(text: &'a str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::InvalidData(format!("agenda version snapshot: {e}")))
}

impl WriteTx {
    /// Records a new approved version of an agenda; returns its number.
    pub async fn record_version(&mut self, agenda_id: &str, snapshot: &AgendaSnapshot, note: &str) -> Result<i64> {
        let number = self.next_in("agenda_versions", "number", "agenda_id", agenda_id).await?;
        let text = to_json(snapshot)?;
        let version_id = new_id();
        Sql::insert(
            "agenda_versions",
            columns![
                "id" => version_id.clone(),
                "agenda_id" => agenda_id,
                "number" => number,
                "created_at" => now(),
                "person_id" => self.actor().person_id.clone(),
                "note" => note,
                "snapshot" => text,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.record_version_pages(&version_id, snapshot).await?;
        let label = snapshot.detail.agenda.title.clone();
        let entity = EntityRef { kind: "agenda", id: agenda_id, label: &label };
        self.record(entity, "version", None, Some(&serde_json::json!({ "version": number })), note).await?;
        Ok(number)
    }

    /// The version's pages, each on its own row (see `Published`): the agenda's under the key
    /// '', each action's under its code.
    async fn record_version_pages(&mut self, version_id: &str, snapshot: &AgendaSnapshot) -> Result<()> {
        let mut pages = vec![("", to_json(&snapshot.detail)?)];
        for action in &snapshot.actions {
            pages.push((action.summary.code.as_str(), to_json(action)?));
        }
        for (key, body) in pages {
            Sql::insert("agenda_version_pages", columns!["version_id" => version_id, "page" => key, "body" => body])
                .query()
                .execute(&mut *self.tx)
                .await?;
        }
        Ok(())
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::InvalidData(e.to_string()))
}
