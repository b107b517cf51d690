//! A territory's profile, as its coordinators start it and change it.

use agio_domain::edit::ProfileEdit;
use agio_domain::ProfileStatus;

use super::{Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result};

impl WriteTx {
    /// Starts the profile of a territory, as a draft; returns its id.
    pub async fn create_profile(&mut self, territory_id: &str, label: &str, fields: &ProfileEdit) -> Result<String> {
        let (id, at) = (new_id(), now());
        let insert = Sql::insert(
            "profiles",
            columns![
                "id" => id.clone(), "territory_id" => territory_id, "status" => fields.status.code(),
                "facilitation_km" => Some(fields.facilitation_km), "created_at" => at.clone(), "updated_at" => at,
            ],
        );
        self.create_record(vec![insert], EntityRef { kind: "profile", id: &id, label }, fields).await?;
        Ok(id)
    }

    pub async fn update_profile(
        &mut self,
        before: &Editable<ProfileEdit>,
        label: &str,
        edit: &ProfileEdit,
        expected_version: i64,
    ) -> Result<Saved<ProfileEdit>> {
        let published_at = match (before.fields.status, edit.status) {
            (ProfileStatus::Draft, ProfileStatus::Published) => Some(now()),
            _ => None,
        };
        let mut values = columns!["status" => edit.status.code(), "facilitation_km" => Some(edit.facilitation_km)];
        if let Some(at) = published_at {
            values.extend(columns!["published_at" => at]);
        }
        let statements = vec![Sql::update("profiles", values, &before.id)];
        let audit = Audit::update(EntityRef { kind: "profile", id: &before.id, label }, &before.fields, edit);
        let guard = Guard { table: "profiles", id: &before.id, expected: expected_version };
        self.versioned_update(guard, before.fields.clone(), statements, audit).await
    }
}
