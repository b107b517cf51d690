//! Digital assets and the comuni they cover, as editors create and change them.

use agio_domain::edit::AssetEdit;

use super::{set_comuni, with_comuni, Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, from_row};
use crate::sql::{columns, Sql};
use crate::{now, Result, Store, StoreError};

const ASSET_EDIT: &str = "SELECT id, name, version, kind, provider, description, status, url FROM digital_assets";

/// A digital asset for editing, with the ISTAT codes of the comuni it covers.
async fn asset_edit(conn: &mut sqlx::AnyConnection, key: (&str, &str)) -> Result<Option<Editable<AssetEdit>>> {
    let mut sql = Sql::new(ASSET_EDIT);
    sql.push(&format!(" WHERE {} = ", key.0)).bind(key.1);
    let coverage = "SELECT t.code FROM asset_coverage c JOIN territories t ON t.id = c.comune_id WHERE c.asset_id = ";
    let Some((r, comuni)) = with_comuni(conn, sql, coverage).await? else { return Ok(None) };
    Ok(Some(from_row!(&r, Editable {
        id, version;
        label: col(&r, "name")?,
        fields: from_row!(&r, AssetEdit {
            name, provider, description, url;
            kind: code(&r, "kind")?,
            status: code(&r, "status")?,
            coverage: comuni,
        }),
    })))
}

impl Store {
    pub async fn asset_for_edit(&self, slug: &str) -> Result<Option<Editable<AssetEdit>>> {
        asset_edit(&mut *self.pool.acquire().await?, ("slug", slug)).await
    }
}

impl WriteTx {
    /// Creates a digital asset with its coverage; returns its slug.
    pub async fn create_asset(&mut self, new: &AssetEdit) -> Result<String> {
        let slug = self.free_slug("digital_assets", &new.name).await?;
        let (id, at) = (crate::new_id(), now());
        let mut statements = vec![Sql::insert(
            "digital_assets",
            columns![
                "id" => id.clone(), "slug" => slug.clone(), "name" => new.name.clone(), "kind" => new.kind.code(),
                "provider" => new.provider.clone(), "description" => new.description.clone(),
                "status" => new.status.code(), "url" => new.url.clone(), "created_at" => at.clone(), "updated_at" => at,
            ],
        )];
        statements.extend(set_comuni("asset_coverage", "asset_id", &id, &new.coverage));
        self.create_record(statements, EntityRef { kind: "asset", id: &id, label: &new.name }, new).await?;
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
            .ok_or_else(|| StoreError::InvalidData(format!("no record {id}")))?;
        let mut statements = vec![Sql::update(
            "digital_assets",
            columns![
                "name" => edit.name.clone(), "kind" => edit.kind.code(), "provider" => edit.provider.clone(),
                "description" => edit.description.clone(), "status" => edit.status.code(), "url" => edit.url.clone(),
            ],
            id,
        )];
        statements.extend(set_comuni("asset_coverage", "asset_id", id, &edit.coverage));
        let audit = Audit::update(EntityRef { kind: "asset", id, label: &before.label }, &before.fields, edit);
        let guard = Guard { table: "digital_assets", id, expected: expected_version };
        self.versioned_update(guard, before.fields, statements, audit).await
    }
}
