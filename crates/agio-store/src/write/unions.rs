//! Unions of comuni, as editors create and change them.

use agio_domain::edit::UnionEdit;
use agio_domain::TerritoryKind;

use super::{set_comuni, with_comuni, Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{col, from_row};
use crate::sql::{columns, Sql};
use crate::{now, Result, Store, StoreError};

const UNION_EDIT: &str = "SELECT u.id, u.name, u.version, d.slug AS district_slug FROM territories u \
    LEFT JOIN territories d ON d.id = u.parent_id WHERE u.kind = 'union'";

/// A union of comuni for editing, with the ISTAT codes of its comuni.
async fn union_edit(conn: &mut sqlx::AnyConnection, key: (&str, &str)) -> Result<Option<Editable<UnionEdit>>> {
    let mut sql = Sql::new(UNION_EDIT);
    sql.push(&format!(" AND u.{} = ", key.0)).bind(key.1);
    let members = "SELECT t.code FROM union_members m JOIN territories t ON t.id = m.comune_id WHERE m.union_id = ";
    let Some((r, comuni)) = with_comuni(conn, sql, members).await? else { return Ok(None) };
    Ok(Some(from_row!(&r, Editable {
        id, version;
        label: col(&r, "name")?,
        fields: from_row!(&r, UnionEdit {
            name;
            district: col::<Option<String>>(&r, "district_slug")?.unwrap_or_default(),
            members: comuni,
        }),
    })))
}

impl Store {
    pub async fn union_for_edit(&self, slug: &str) -> Result<Option<Editable<UnionEdit>>> {
        union_edit(&mut *self.pool.acquire().await?, ("slug", slug)).await
    }
}

impl WriteTx {
    /// Creates a union of comuni in the district with id `district_id`; returns its slug.
    pub async fn create_union(&mut self, district_id: &str, new: &UnionEdit) -> Result<String> {
        let slug = self.free_slug("territories", &new.name).await?;
        let (id, at) = (crate::new_id(), now());
        let mut statements = vec![Sql::insert(
            "territories",
            columns![
                "id" => id.clone(), "kind" => TerritoryKind::Union.code(), "code" => slug.clone(),
                "slug" => slug.clone(), "name" => new.name.clone(), "parent_id" => district_id,
                "created_at" => at.clone(), "updated_at" => at,
            ],
        )];
        statements.extend(set_comuni("union_members", "union_id", &id, &new.members));
        self.create_record(statements, EntityRef { kind: "territory", id: &id, label: &new.name }, new).await?;
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
            .ok_or_else(|| StoreError::InvalidData(format!("no record {id}")))?;
        let mut statements =
            vec![Sql::update("territories", columns!["name" => edit.name.clone(), "parent_id" => district_id], id)];
        statements.extend(set_comuni("union_members", "union_id", id, &edit.members));
        let audit = Audit::update(EntityRef { kind: "territory", id, label: &before.label }, &before.fields, edit);
        let guard = Guard { table: "territories", id, expected: expected_version };
        self.versioned_update(guard, before.fields, statements, audit).await
    }
}
