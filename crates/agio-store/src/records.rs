//! Records that stand on their own — agendas, organisations, digital assets, unions of comuni —
//! created and edited; and archiving, which takes objectives, actions, organisations and unions
//! out of the lists while keeping their pages, links and history.

use agio_domain::edit::{AssetEdit, NewAgenda, NewOrganization, UnionEdit};
use agio_domain::TerritoryKind;
use serde::Serialize;

use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, flag};
use crate::sql::{columns, Sql};
use crate::write::{Editable, Saved};
use crate::{now, Result, Store};

fn json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

const ASSET_EDIT: &str = "SELECT id, name, version, kind, provider, description, status, url FROM digital_assets";

const UNION_EDIT: &str = "SELECT u.id, u.name, u.version, d.slug AS district_slug FROM territories u \
    LEFT JOIN territories d ON d.id = u.parent_id WHERE u.kind = 'union'";

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

/// A digital asset for editing, with the ISTAT codes of the comuni it covers.
async fn asset_edit(conn: &mut sqlx::AnyConnection, key: (&str, &str)) -> Result<Option<Editable<AssetEdit>>> {
    let mut sql = Sql::new(ASSET_EDIT);
    sql.push(&format!(" WHERE {} = ", key.0)).bind(key.1);
    let Some(r) = sql.query().fetch_optional(&mut *conn).await? else { return Ok(None) };
    let id: String = col(&r, "id")?;
    let mut coverage =
        Sql::new("SELECT t.code FROM asset_coverage c JOIN territories t ON t.id = c.comune_id WHERE c.asset_id = ");
    coverage.bind(id.clone()).push(" ORDER BY t.name");
    let coverage =
        coverage.query().fetch_all(&mut *conn).await?.iter().map(|r| col(r, "code")).collect::<Result<_>>()?;
    Ok(Some(Editable {
        id,
        label: col(&r, "name")?,
        version: col(&r, "version")?,
        fields: AssetEdit {
            name: col(&r, "name")?,
            kind: code(&r, "kind")?,
            provider: col(&r, "provider")?,
            description: col(&r, "description")?,
            status: code(&r, "status")?,
            url: col(&r, "url")?,
            coverage,
        },
    }))
}

/// A union of comuni for editing, with the ISTAT codes of its comuni.
async fn union_edit(conn: &mut sqlx::AnyConnection, key: (&str, &str)) -> Result<Option<Editable<UnionEdit>>> {
    let mut sql = Sql::new(UNION_EDIT);
    sql.push(&format!(" AND u.{} = ", key.0)).bind(key.1);
    let Some(r) = sql.query().fetch_optional(&mut *conn).await? else { return Ok(None) };
    let id: String = col(&r, "id")?;
    let mut members =
        Sql::new("SELECT c.code FROM union_members m JOIN territories c ON c.id = m.comune_id WHERE m.union_id = ");
    members.bind(id.clone()).push(" ORDER BY c.name");
    let members = members.query().fetch_all(&mut *conn).await?.iter().map(|r| col(r, "code")).collect::<Result<_>>()?;
    Ok(Some(Editable {
        id,
        label: col(&r, "name")?,
        version: col(&r, "version")?,
        fields: UnionEdit {
            name: col(&r, "name")?,
            district: col::<Option<String>>(&r, "district_slug")?.unwrap_or_default(),
            members,
        },
    }))
}

impl Store {
    pub async fn asset_for_edit(&self, slug: &str) -> Result<Option<Editable<AssetEdit>>> {
        asset_edit(&mut *self.pool.acquire().await?, ("slug", slug)).await
    }

    pub async fn union_for_edit(&self, slug: &str) -> Result<Option<Editable<UnionEdit>>> {
        union_edit(&mut *self.pool.acquire().await?, ("slug", slug)).await
    }
}

impl WriteTx {
    /// A slug made from `name` that `table` does not use yet (`name-2`, `name-3`… otherwise).
    async fn free_slug(&mut self, table: &str, name: &str) -> Result<String> {
        let base = match agio_domain::slugify(name) {
            s if s.is_empty() => "voce".to_string(),
            s => s.chars().take(80).collect::<String>().trim_end_matches('-').to_string(),
        };
        let mut taken = Sql::new(&format!("SELECT slug FROM {table} WHERE slug = "));
        taken.bind(base.clone()).push(" OR slug LIKE ").bind(format!("{base}-%"));
        let taken: Vec<String> =
            taken.query().fetch_all(&mut *self.tx).await?.iter().map(|r| col(r, "slug")).collect::<Result<_>>()?;
        Ok((1..)
            .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
            .find(|slug| !taken.contains(slug))
            .expect("an unbounded range has a free slug"))
    }

    /// Replaces the comuni linked to `owner` in `table` by those with the given ISTAT codes.
    async fn set_comuni(&mut self, table: &str, owner_column: &str, owner: &str, codes: &[String]) -> Result<()> {
        let mut delete = Sql::new(&format!("DELETE FROM {table} WHERE {owner_column} = "));
        delete.bind(owner);
        delete.query().execute(&mut *self.tx).await?;
        if codes.is_empty() {
            return Ok(());
        }
        let mut insert = Sql::new(&format!("INSERT INTO {table} ({owner_column}, comune_id) SELECT "));
        insert.bind(owner).push(", id FROM territories WHERE kind = 'comune' AND code IN (");
        insert.bind_list(codes.iter().cloned()).push(")");
        insert.query().execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Creates an agenda, as a draft, for the territory with id `territory_id`; returns its slug.
    pub async fn create_agenda(&mut self, territory_id: &str, new: &NewAgenda) -> Result<String> {
        let slug = self.free_slug("agendas", &new.agenda.title).await?;
        let (id, at) = (crate::new_id(), now());
        let a = &new.agenda;
        Sql::insert(
            "agendas",
            columns![
                "id" => id.clone(), "slug" => slug.clone(), "territory_id" => territory_id, "title" => a.title.clone(),
                "period_start" => a.period_start, "period_end" => a.period_end, "status" => "draft",
                "vision" => a.vision.clone(), "context" => a.context.clone(), "created_at" => at.clone(),
                "updated_at" => at,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let entity = EntityRef { kind: "agenda", id: &id, label: &a.title };
        self.record(entity, "create", None, Some(&json(new)), "").await?;
        Ok(slug)
    }

    /// Creates an organisation, based in the territory with id `territory_id`; returns its slug.
    pub async fn create_organization(&mut self, territory_id: Option<&str>, new: &NewOrganization) -> Result<String> {
        let p = &new.profile;
        let slug = self.free_slug("organizations", &p.name).await?;
        let (id, at) = (crate::new_id(), now());
        Sql::insert(
            "organizations",
            columns![
                "id" => id.clone(), "slug" => slug.clone(), "name" => p.name.clone(), "org_type" => p.org_type.clone(),
                "tax_code" => p.tax_code.clone(), "territory_id" => territory_id.map(str::to_string),
                "description" => p.description.clone(), "website" => p.website.clone(), "created_at" => at.clone(),
                "updated_at" => at,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let entity = EntityRef { kind: "organization", id: &id, label: &p.name };
        self.record(entity, "create", None, Some(&json(new)), "").await?;
        Ok(slug)
    }

    /// Creates a digital asset with its coverage; returns its slug.
    pub async fn create_asset(&mut self, new: &AssetEdit) -> Result<String> {
        let slug = self.free_slug("digital_assets", &new.name).await?;
        let (id, at) = (crate::new_id(), now());
        Sql::insert(
            "digital_assets",
            columns![
                "id" => id.clone(), "slug" => slug.clone(), "name" => new.name.clone(), "kind" => new.kind.code(),
                "provider" => new.provider.clone(), "description" => new.description.clone(),
                "status" => new.status.code(), "url" => new.url.clone(), "created_at" => at.clone(), "updated_at" => at,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.set_comuni("asset_coverage", "asset_id", &id, &new.coverage).await?;
        let entity = EntityRef { kind: "asset", id: &id, label: &new.name };
        self.record(entity, "create", None, Some(&json(new)), "").await?;
        Ok(slug)
    }

    pub async fn update_asset(
        &mut self,
        id: &str,
        edit: &AssetEdit,
        expected_version: i64,
    ) -> Result<Saved<AssetEdit>> {
        let before = asset_edit(&mut self.tx, ("id", id))
            .await?
            .ok_or_else(|| crate::StoreError::InvalidData(format!("no record {id}")))?;
        if !self.claim_version("digital_assets", id, expected_version).await? {
            return Ok(Saved::Stale { version: before.version, current: before.fields });
        }
        Sql::update(
            "digital_assets",
            columns![
                "name" => edit.name.clone(), "kind" => edit.kind.code(), "provider" => edit.provider.clone(),
                "description" => edit.description.clone(), "status" => edit.status.code(), "url" => edit.url.clone(),
            ],
            id,
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.set_comuni("asset_coverage", "asset_id", id, &edit.coverage).await?;
        let entity = EntityRef { kind: "asset", id, label: &before.label };
        self.record(entity, "update", Some(&json(&before.fields)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    /// Creates a union of comuni in the district with id `district_id`; returns its slug.
    pub async fn create_union(&mut self, district_id: &str, new: &UnionEdit) -> Result<String> {
        let slug = self.free_slug("territories", &new.name).await?;
        let (id, at) = (crate::new_id(), now());
        Sql::insert(
            "territories",
            columns![
                "id" => id.clone(), "kind" => TerritoryKind::Union.code(), "code" => slug.clone(),
                "slug" => slug.clone(), "name" => new.name.clone(), "parent_id" => district_id,
                "created_at" => at.clone(), "updated_at" => at,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.set_comuni("union_members", "union_id", &id, &new.members).await?;
        let entity = EntityRef { kind: "territory", id: &id, label: &new.name };
        self.record(entity, "create", None, Some(&json(new)), "").await?;
        Ok(slug)
    }

    pub async fn update_union(
        &mut self,
        id: &str,
        district_id: &str,
        edit: &UnionEdit,
        expected_version: i64,
    ) -> Result<Saved<UnionEdit>> {
        let before = union_edit(&mut self.tx, ("id", id))
            .await?
            .ok_or_else(|| crate::StoreError::InvalidData(format!("no record {id}")))?;
        if !self.claim_version("territories", id, expected_version).await? {
            return Ok(Saved::Stale { version: before.version, current: before.fields });
        }
        Sql::update("territories", columns!["name" => edit.name.clone(), "parent_id" => district_id], id)
            .query()
            .execute(&mut *self.tx)
            .await?;
        self.set_comuni("union_members", "union_id", id, &edit.members).await?;
        let entity = EntityRef { kind: "territory", id, label: &before.label };
        self.record(entity, "update", Some(&json(&before.fields)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

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
        sql.fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ArchivedItem {
                    is_action: flag(r, "is_action")?,
                    code: col(r, "code")?,
                    title: col(r, "title")?,
                    archived_at: col(r, "archived_at")?,
                })
            })
            .collect()
    }
}
