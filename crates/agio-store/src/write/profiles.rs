//! A territory's profile, as its coordinators start it and change it.

use agio_domain::edit::{DatabaseEdit, InternalServiceEdit, ProfileEdit};
use agio_domain::ProfileStatus;

use super::{json_codes, Audit, Editable, Guard, Saved};
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

fn internal_columns(edit: &InternalServiceEdit) -> Vec<(&'static str, crate::sql::Value)> {
    columns![
        "name" => edit.name.clone(), "description" => edit.description.clone(),
        "digital_level" => edit.digital_level, "target_groups" => json_codes(&edit.target_groups),
        "life_stages" => json_codes(&edit.life_stages), "needs" => json_codes(&edit.needs),
        "channels" => json_codes(&edit.channels), "platforms" => json_codes(&edit.platforms),
    ]
}

impl WriteTx {
    /// Adds an internal service to a profile; returns its id.
    pub async fn create_internal_service(&mut self, profile_id: &str, edit: &InternalServiceEdit) -> Result<String> {
        let (id, at) = (new_id(), now());
        let mut values = internal_columns(edit);
        values.extend(columns![
            "id" => id.clone(), "profile_id" => profile_id, "created_at" => at.clone(), "updated_at" => at,
        ]);
        let entity = EntityRef { kind: "profile", id: profile_id, label: &edit.name };
        self.run(vec![Sql::insert("profile_services", values)]).await?;
        self.record(entity, "add_service", None, Some(&serde_json::to_value(edit).unwrap_or_default()), "").await?;
        Ok(id)
    }

    pub async fn update_internal_service(
        &mut self,
        before: &Editable<InternalServiceEdit>,
        profile_id: &str,
        edit: &InternalServiceEdit,
        expected_version: i64,
    ) -> Result<Saved<InternalServiceEdit>> {
        let statements = vec![Sql::update("profile_services", internal_columns(edit), &before.id)];
        let entity = EntityRef { kind: "profile", id: profile_id, label: &before.label };
        let audit = Audit::of(vec![(entity, "update_service")], &before.fields, edit);
        let guard = Guard { table: "profile_services", id: &before.id, expected: expected_version };
        self.versioned_update(guard, before.fields.clone(), statements, audit).await
    }
}

/// A plan's title and period, and its sheets, as an import brings them.
pub struct NewZonePlan<'a> {
    pub title: &'a str,
    pub period_start: i64,
    pub period_end: i64,
    pub sheets: &'a [agio_domain::model::ZonePlanSheet],
}

impl WriteTx {
    /// Replaces a profile's Piano di Zona (the plan and all its sheets) with an imported one.
    pub async fn replace_zone_plan(&mut self, profile_id: &str, label: &str, plan: &NewZonePlan<'_>) -> Result<()> {
        let at = now();
        let mut existing = Sql::new("SELECT id FROM zone_plans WHERE profile_id = ");
        existing.bind(profile_id);
        let existing: Option<String> =
            existing.query().fetch_optional(&mut *self.tx).await?.map(|r| crate::read::col(&r, "id")).transpose()?;
        let plan_id = existing.clone().unwrap_or_else(new_id);
        let values = columns![
            "title" => plan.title, "period_start" => plan.period_start, "period_end" => plan.period_end,
            "updated_at" => at.clone(),
        ];
        let mut statements = match &existing {
            Some(id) => {
                let mut delete = Sql::new("DELETE FROM zone_plan_sheets WHERE plan_id = ");
                delete.bind(id.clone());
                vec![Sql::update("zone_plans", values, id), delete]
            }
            None => {
                let mut values = values;
                values.extend(columns![
                    "id" => plan_id.clone(), "profile_id" => profile_id, "created_at" => at.clone(),
                ]);
                vec![Sql::insert("zone_plans", values)]
            }
        };
        for (position, sheet) in plan.sheets.iter().enumerate() {
            statements.push(Sql::insert(
                "zone_plan_sheets",
                columns![
                    "id" => new_id(), "plan_id" => plan_id.clone(), "number" => sheet.number.clone(),
                    "title" => sheet.title.clone(), "area" => sheet.area.clone(),
                    "target_groups" => json_codes(&sheet.target_groups), "budget_cents" => sheet.budget_cents,
                    "status" => sheet.status.code(), "position" => position as i64,
                    "created_at" => at.clone(), "updated_at" => at.clone(),
                ],
            ));
        }
        self.run(statements).await?;
        let after = serde_json::json!({
            "title": plan.title, "period_start": plan.period_start, "period_end": plan.period_end,
            "sheets": plan.sheets.len(),
        });
        let entity = EntityRef { kind: "profile", id: profile_id, label };
        self.record(entity, "import_zone_plan", None, Some(&after), "").await
    }
}

fn database_columns(edit: &DatabaseEdit) -> Vec<(&'static str, crate::sql::Value)> {
    columns![
        "name" => edit.name.clone(), "holder" => edit.holder.clone(), "contents" => edit.contents.clone(),
        "personal_data" => i64::from(edit.personal_data), "special_categories" => i64::from(edit.special_categories),
        "legal_basis" => edit.legal_basis.clone(), "format" => edit.format.clone(),
        "update_frequency" => edit.update_frequency.clone(), "access" => edit.access.code(),
        "used_by" => edit.used_by.clone(),
    ]
}

impl WriteTx {
    /// Adds an essential database to a profile's register; returns its id.
    pub async fn create_profile_database(&mut self, profile_id: &str, edit: &DatabaseEdit) -> Result<String> {
        let (id, at) = (new_id(), now());
        let mut values = database_columns(edit);
        values.extend(columns![
            "id" => id.clone(), "profile_id" => profile_id, "created_at" => at.clone(), "updated_at" => at,
        ]);
        self.run(vec![Sql::insert("profile_databases", values)]).await?;
        let entity = EntityRef { kind: "profile", id: profile_id, label: &edit.name };
        self.record(entity, "add_database", None, Some(&serde_json::to_value(edit).unwrap_or_default()), "").await?;
        Ok(id)
    }

    pub async fn update_profile_database(
        &mut self,
        before: &Editable<DatabaseEdit>,
        profile_id: &str,
        edit: &DatabaseEdit,
        expected_version: i64,
    ) -> Result<Saved<DatabaseEdit>> {
        let statements = vec![Sql::update("profile_databases", database_columns(edit), &before.id)];
        let entity = EntityRef { kind: "profile", id: profile_id, label: &before.label };
        let audit = Audit::of(vec![(entity, "update_database")], &before.fields, edit);
        let guard = Guard { table: "profile_databases", id: &before.id, expected: expected_version };
        self.versioned_update(guard, before.fields.clone(), statements, audit).await
    }
}
