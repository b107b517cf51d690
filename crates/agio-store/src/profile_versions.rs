//! The published versions of a district's profile: the public reads the latest one, whole or
//! in part (its line in the regional table, its gaps), in one statement. The documents are the
//! application's (`agio_app::profile`), stored as JSON.

use crate::audit::{EntityRef, WriteTx};
use crate::read::{col, from_row};
use crate::sql::{columns, Sql};
use crate::versions::VersionInfo;
use crate::{new_id, now, Result, Store, StoreError};

/// The latest version of each profile still published.
const LATEST: &str = " FROM profile_versions v JOIN profiles p ON p.id = v.profile_id \
    JOIN territories t ON t.id = p.territory_id \
    WHERE p.status = 'published' AND v.number = (SELECT MAX(number) FROM profile_versions l WHERE l.profile_id = v.profile_id)";

fn parse<T: serde::de::DeserializeOwned>(r: &sqlx::any::AnyRow, name: &str) -> Result<T> {
    let text: String = col(r, name)?;
    serde_json::from_str(&text).map_err(|e| StoreError::InvalidData(format!("profile version {name}: {e}")))
}

fn info(r: &sqlx::any::AnyRow) -> Result<VersionInfo> {
    Ok(from_row!(r, VersionInfo { number, created_at, note }))
}

/// The parts of a published version, as the application wrote them.
pub struct PublishedProfile<'a> {
    pub summary: &'a serde_json::Value,
    pub gaps: &'a serde_json::Value,
    pub document: &'a serde_json::Value,
}

impl WriteTx {
    /// Publishes a new version of a profile (the next number); returns its number.
    pub async fn publish_profile_version(
        &mut self,
        profile_id: &str,
        label: &str,
        note: &str,
        parts: PublishedProfile<'_>,
    ) -> Result<i64> {
        let number = self.next_in("profile_versions", "number", "profile_id", profile_id).await?;
        let insert = Sql::insert(
            "profile_versions",
            columns![
                "id" => new_id(), "profile_id" => profile_id, "number" => number, "created_at" => now(), "note" => note,
                "summary" => parts.summary.to_string(), "gaps" => parts.gaps.to_string(),
                "document" => parts.document.to_string(),
            ],
        );
        self.run(vec![insert]).await?;
        let after = serde_json::json!({ "version": number });
        self.record(EntityRef { kind: "profile", id: profile_id, label }, "publish", None, Some(&after), note).await?;
        Ok(number)
    }
}

impl Store {
    /// A district's published profile (its latest version, or version `number`), if it is published.
    pub async fn published_profile<T: serde::de::DeserializeOwned>(
        &self,
        territory_id: &str,
        number: Option<i64>,
    ) -> Result<Option<(VersionInfo, T)>> {
        let mut sql = Sql::new(
            "SELECT v.number, v.created_at, v.note, v.document FROM profile_versions v \
             JOIN profiles p ON p.id = v.profile_id WHERE p.status = 'published' AND p.territory_id = ",
        );
        sql.bind(territory_id);
        match number {
            Some(n) => sql.push(" AND v.number = ").bind(n),
            None => sql.push(" ORDER BY v.number DESC LIMIT 1"),
        };
        sql.map_optional(&self.pool, |r| Ok((info(r)?, parse(r, "document")?))).await
    }

    /// The summary of every published profile's latest version, by district name.
    pub async fn published_profile_summaries<T: serde::de::DeserializeOwned>(&self) -> Result<Vec<T>> {
        let sql = Sql::new(&format!("SELECT v.summary{LATEST} ORDER BY t.name"));
        sql.map_all(&self.pool, |r| parse(r, "summary")).await
    }

    /// The gaps of the latest published profile among the territories `path` (an agenda's
    /// territory and those containing it), with its district's slug and name.
    pub async fn published_profile_gaps<T: serde::de::DeserializeOwned>(
        &self,
        path: &[String],
    ) -> Result<Option<(String, String, T)>> {
        if path.is_empty() {
            return Ok(None);
        }
        let mut sql =
            Sql::new(&format!("SELECT t.slug, t.name, v.gaps{LATEST} AND t.kind = 'district' AND p.territory_id IN ("));
        for (i, id) in path.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(id.as_str());
        }
        sql.push(") LIMIT 1");
        sql.map_optional(&self.pool, |r| Ok((col(r, "slug")?, col(r, "name")?, parse(r, "gaps")?))).await
    }

    /// The published versions of a profile, newest first.
    pub async fn profile_versions(&self, profile_id: &str) -> Result<Vec<VersionInfo>> {
        let mut sql = Sql::new("SELECT number, created_at, note FROM profile_versions WHERE profile_id = ");
        sql.bind(profile_id).push(" ORDER BY number DESC");
        sql.map_all(&self.pool, info).await
    }
}
