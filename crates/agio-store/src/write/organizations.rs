//! Organisations as editors create and change them.

use agio_domain::edit::{NewOrganization, OrganizationEdit};
use sqlx::any::AnyRow;

use super::{Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{col, from_row};
use crate::sql::{columns, Sql};
use crate::{now, Result, Store};

const ORGANIZATION_EDIT: &str = "SELECT id, name, version, org_type, tax_code, description, website FROM organizations";

fn organization_edit(r: &AnyRow) -> Result<Editable<OrganizationEdit>> {
    Ok(from_row!(r, Editable {
        id, version;
        label: col(r, "name")?,
        fields: from_row!(r, OrganizationEdit { name, org_type, tax_code, description, website }),
    }))
}

impl Store {
    pub async fn organization_for_edit(&self, slug: &str) -> Result<Option<Editable<OrganizationEdit>>> {
        let mut sql = Sql::new(ORGANIZATION_EDIT);
        sql.push(" WHERE slug = ").bind(slug);
        sql.map_optional(&self.pool, organization_edit).await
    }
}

impl WriteTx {
    /// Creates an organisation, based in the territory with id `territory_id`; returns its slug.
    pub async fn create_organization(&mut self, territory_id: Option<&str>, new: &NewOrganization) -> Result<String> {
        let p = &new.profile;
        let slug = self.free_slug("organizations", &p.name).await?;
        let (id, at) = (crate::new_id(), now());
        let insert = Sql::insert(
            "organizations",
            columns![
                "id" => id.clone(), "slug" => slug.clone(), "name" => p.name.clone(), "org_type" => p.org_type.clone(),
                "tax_code" => p.tax_code.clone(), "territory_id" => territory_id.map(str::to_string),
                "description" => p.description.clone(), "website" => p.website.clone(), "created_at" => at.clone(),
                "updated_at" => at,
            ],
        );
        self.create_record(vec![insert], EntityRef { kind: "organization", id: &id, label: &p.name }, new).await?;
        Ok(slug)
    }

    pub async fn update_organization(
        &mut self,
        id: &str,
        edit: &OrganizationEdit,
        expected_version: i64,
    ) -> Result<Saved<OrganizationEdit>> {
        let mut sql = Sql::new(ORGANIZATION_EDIT);
        sql.push(" WHERE id = ").bind(id);
        let before = sql.map_one(&mut *self.tx, organization_edit).await?;
        let update = Sql::update(
            "organizations",
            columns![
                "name" => edit.name.clone(), "org_type" => edit.org_type.clone(), "tax_code" => edit.tax_code.clone(),
                "description" => edit.description.clone(), "website" => edit.website.clone(),
            ],
            id,
        );
        let audit = Audit::update(EntityRef { kind: "organization", id, label: &before.label }, &before.fields, edit);
        let guard = Guard { table: "organizations", id, expected: expected_version };
        self.versioned_update(guard, before.fields, vec![update], audit).await
    }
}
