//! Actions as editors read, create and change them (their lists: see `action_parts`).

use agio_domain::edit::{ActionEdit, NewAction};
use sqlx::any::AnyRow;

use super::{Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, from_row};
use crate::sql::{columns, Sql};
use crate::{now, Result, Store};

const ACTION_EDIT: &str = "SELECT x.id, x.code, x.title, x.version, x.description, x.term, x.status, x.start_date, \
    x.end_date, x.zone_plan_ref FROM actions x";

fn action_edit(r: &AnyRow) -> Result<Editable<ActionEdit>> {
    Ok(from_row!(r, Editable {
        id, version;
        label: format!("{} {}", col::<String>(r, "code")?, col::<String>(r, "title")?),
        fields: from_row!(r, ActionEdit {
            title, description, start_date, end_date, zone_plan_ref;
            term: code(r, "term")?,
            status: code(r, "status")?,
        }),
    }))
}

impl Store {
    /// An action for editing, with the id of the organisation leading it.
    pub async fn action_for_edit(
        &self,
        agenda_slug: &str,
        action_code: &str,
    ) -> Result<Option<(Editable<ActionEdit>, Option<String>)>> {
        let mut sql = Sql::new(ACTION_EDIT);
        sql.push(" JOIN agendas a ON a.id = x.agenda_id WHERE a.slug = ")
            .bind(agenda_slug)
            .push(" AND x.code = ")
            .bind(action_code);
        let Some(row) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let editable = action_edit(&row)?;
        let mut lead =
            Sql::new("SELECT organization_id FROM action_organizations WHERE role = 'lead' AND action_id = ");
        lead.bind(editable.id.clone());
        let lead = lead.fetch_optional(&self.pool).await?.map(|r| col(&r, "organization_id")).transpose()?;
        Ok(Some((editable, lead)))
    }
}

impl WriteTx {
    /// The action as stored now, in this transaction.
    pub(super) async fn reread_action(&mut self, id: &str) -> Result<Editable<ActionEdit>> {
        let mut sql = Sql::new(ACTION_EDIT);
        sql.push(" WHERE x.id = ").bind(id);
        sql.map_one(&mut *self.tx, action_edit).await
    }

    /// Adds an action to an agenda, under one of its objectives; returns its code.
    pub async fn create_action(
        &mut self,
        agenda_id: &str,
        objective_id: &str,
        lead_organization_id: Option<&str>,
        new: &NewAction,
    ) -> Result<String> {
        let (code, position) = self.next_code("actions", agenda_id, "A", 2).await?;
        let (id, at) = (crate::new_id(), now());
        let mut inserts = vec![Sql::insert(
            "actions",
            columns![
                "id" => id.clone(), "agenda_id" => agenda_id, "objective_id" => objective_id, "code" => code.clone(),
                "position" => position, "title" => new.title.clone(), "description" => new.description.clone(),
                "term" => new.term.code(), "status" => new.status.code(), "created_at" => at.clone(), "updated_at" => at,
            ],
        )];
        if let Some(organization) = lead_organization_id {
            inserts.push(Sql::insert(
                "action_organizations",
                columns!["action_id" => id.clone(), "organization_id" => organization, "role" => "lead"],
            ));
        }
        let label = format!("{code} {}", new.title);
        self.create_record(inserts, EntityRef { kind: "action", id: &id, label: &label }, new).await?;
        Ok(code)
    }

    /// Saves an action's fields if nobody saved since `expected_version`.
    pub async fn update_action(
        &mut self,
        action_id: &str,
        edit: &ActionEdit,
        expected_version: i64,
    ) -> Result<Saved<ActionEdit>> {
        let before = self.reread_action(action_id).await?;
        let update = Sql::update(
            "actions",
            columns![
                "title" => edit.title.clone(), "description" => edit.description.clone(), "term" => edit.term.code(),
                "status" => edit.status.code(), "start_date" => edit.start_date.clone(),
                "end_date" => edit.end_date.clone(), "zone_plan_ref" => edit.zone_plan_ref.clone(),
            ],
            action_id,
        );
        let audit =
            Audit::update(EntityRef { kind: "action", id: action_id, label: &before.label }, &before.fields, edit);
        let guard = Guard { table: "actions", id: action_id, expected: expected_version };
        self.versioned_update(guard, before.fields, vec![update], audit).await
    }

    /// A change to a part of an action (partners, budget) makes a new version of the action.
    pub(super) async fn touch_action(&mut self, action_id: &str) -> Result<()> {
        self.bump_version("actions", action_id, None).await?;
        Ok(())
    }
}
