//! The parts of an action that are lists — organisations taking part, budget lines, expected
//! results, their indicators, digital assets — added, changed and removed one at a time. Each
//! change bumps the action's version (so an editor working on the action sees it) and is
//! audited against the action, with what was added, changed or removed.

use agio_domain::edit::{BudgetLineEdit, IndicatorEdit, NewPartner, PartnerEdit, ResultEdit};
use serde_json::json as value;
use sqlx::any::AnyRow;

use super::{json, Audit, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, from_row};
use crate::sql::{columns, Sql};
use crate::{Result, Store};

// The fields of each part, selected by action (bound next) and then by the part's key.
const PARTNER_EDIT: &str = "SELECT role, role_description FROM action_organizations WHERE action_id = ";
const BUDGET_LINE_EDIT: &str =
    "SELECT funding_source, amount_cents, cup, description FROM budget_lines WHERE action_id = ";
const RESULT_EDIT: &str = "SELECT r.kind, r.description FROM expected_results r WHERE r.action_id = ";
const INDICATOR_EDIT: &str = "SELECT i.name, i.unit, i.baseline_value, i.baseline_year, i.target_value, \
    i.target_year, i.direction, i.frequency, i.weight FROM indicators i JOIN expected_results r ON r.id = i.result_id WHERE r.action_id = ";

/// One of the query constants above, completed with the action and the part's key.
fn part_of(select: &str, action_id: &str, key_column: &str, key: &str) -> Sql {
    let mut sql = Sql::new(select);
    sql.bind(action_id).push(&format!(" AND {key_column} = ")).bind(key);
    sql
}

fn partner_edit(r: &AnyRow) -> Result<PartnerEdit> {
    Ok(PartnerEdit { role: code(r, "role")?, role_description: col(r, "role_description")? })
}

fn budget_line_edit(r: &AnyRow) -> Result<BudgetLineEdit> {
    Ok(from_row!(r, BudgetLineEdit { funding_source, amount_cents, cup, description }))
}

fn result_edit(r: &AnyRow) -> Result<ResultEdit> {
    Ok(ResultEdit { kind: code(r, "kind")?, description: col(r, "description")? })
}

fn indicator_edit(r: &AnyRow) -> Result<IndicatorEdit> {
    Ok(from_row!(r, IndicatorEdit {
        name, unit, baseline_value, baseline_year, target_value, target_year, weight;
        direction: code(r, "direction")?,
        frequency: code(r, "frequency")?,
    }))
}

impl Store {
    /// An organisation's part in an action, for editing: its id and what it does.
    pub async fn partner_for_edit(
        &self,
        action_id: &str,
        organization_slug: &str,
    ) -> Result<Option<(String, PartnerEdit)>> {
        let mut sql = Sql::new(
            "SELECT g.id AS organization_id, ao.role, ao.role_description FROM action_organizations ao \
             JOIN organizations g ON g.id = ao.organization_id WHERE ao.action_id = ",
        );
        sql.bind(action_id).push(" AND g.slug = ").bind(organization_slug);
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        Ok(Some((col(&r, "organization_id")?, partner_edit(&r)?)))
    }

    /// A budget line of an action, for editing.
    pub async fn budget_line_for_edit(&self, action_id: &str, line_id: &str) -> Result<Option<BudgetLineEdit>> {
        let sql = part_of(BUDGET_LINE_EDIT, action_id, "id", line_id);
        sql.map_optional(&self.pool, budget_line_edit).await
    }

    /// An expected result of an action, for editing.
    pub async fn result_for_edit(&self, action_id: &str, result_id: &str) -> Result<Option<ResultEdit>> {
        let sql = part_of(RESULT_EDIT, action_id, "r.id", result_id);
        sql.map_optional(&self.pool, result_edit).await
    }

    /// An indicator of an action, for editing.
    pub async fn indicator_for_edit(&self, action_id: &str, indicator_id: &str) -> Result<Option<IndicatorEdit>> {
        let sql = part_of(INDICATOR_EDIT, action_id, "i.id", indicator_id);
        sql.map_optional(&self.pool, indicator_edit).await
    }
}

impl WriteTx {
    /// Runs `statements` on a part of `action`, makes a new version of the action and records
    /// `operation` against it.
    async fn change_part(
        &mut self,
        action: &EntityRef<'_>,
        statements: Vec<Sql>,
        operation: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<()> {
        self.run(statements).await?;
        self.touch_action(action.id).await?;
        self.record(*action, operation, before.as_ref(), after.as_ref(), "").await
    }

    /// Runs a delete on a part of `action`; false (and nothing else done) when it deleted nothing.
    async fn remove_part(
        &mut self,
        action: &EntityRef<'_>,
        delete: Sql,
        operation: &str,
        before: serde_json::Value,
    ) -> Result<bool> {
        if delete.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        self.change_part(action, Vec::new(), operation, Some(before), None).await?;
        Ok(true)
    }

    /// Saves a part of an action, guarded by the action's version (the part is part of the
    /// action as an editor sees it).
    async fn update_part<T: serde::Serialize>(
        &mut self,
        action: &EntityRef<'_>,
        expected_version: i64,
        before: T,
        edit: &impl serde::Serialize,
        update: Sql,
        operation: &'static str,
    ) -> Result<Saved<T>> {
        let audit = Audit::of(vec![(*action, operation)], &before, edit);
        let guard = Guard { table: "actions", id: action.id, expected: expected_version };
        self.versioned_update(guard, before, vec![update], audit).await
    }

    /// The next position in an action's list (`table` is one of ours, never user input).
    async fn next_position(&mut self, table: &str, parent_column: &str, parent: &str) -> Result<i64> {
        self.next_in(table, "position", parent_column, parent).await
    }

    /// Adds an organisation (its id) to an action; the caller checked it is not there yet.
    pub async fn add_partner(&mut self, action: &EntityRef<'_>, organization_id: &str, new: &NewPartner) -> Result<()> {
        let insert = Sql::insert(
            "action_organizations",
            columns![
                "action_id" => action.id, "organization_id" => organization_id, "role" => new.role.code(),
                "role_description" => new.role_description.clone(),
            ],
        );
        self.change_part(action, vec![insert], "add_partner", None, Some(json(new))).await
    }

    /// Changes the role and contribution of an organisation in an action.
    pub async fn update_partner(
        &mut self,
        action: &EntityRef<'_>,
        organization_id: &str,
        edit: &PartnerEdit,
        expected_version: i64,
    ) -> Result<Saved<PartnerEdit>> {
        let sql = part_of(PARTNER_EDIT, action.id, "organization_id", organization_id);
        let before = sql.map_one(&mut *self.tx, partner_edit).await?;
        let mut update = Sql::new("UPDATE action_organizations SET role = ");
        update
            .bind(edit.role.code())
            .push(", role_description = ")
            .bind(edit.role_description.clone())
            .push(" WHERE action_id = ")
            .bind(action.id)
            .push(" AND organization_id = ")
            .bind(organization_id);
        self.update_part(action, expected_version, before, edit, update, "update_partner").await
    }

    /// Removes an organisation from an action; false if it was not taking part.
    pub async fn remove_partner(&mut self, action: &EntityRef<'_>, organization_id: &str, slug: &str) -> Result<bool> {
        let mut delete = Sql::new("DELETE FROM action_organizations WHERE action_id = ");
        delete.bind(action.id).push(" AND organization_id = ").bind(organization_id);
        self.remove_part(action, delete, "remove_partner", value!({ "organization": slug })).await
    }

    pub async fn add_budget_line(&mut self, action: &EntityRef<'_>, new: &BudgetLineEdit) -> Result<String> {
        let id = crate::new_id();
        let position = self.next_position("budget_lines", "action_id", action.id).await?;
        let insert = Sql::insert(
            "budget_lines",
            columns![
                "id" => id.clone(), "action_id" => action.id, "position" => position,
                "funding_source" => new.funding_source.clone(), "amount_cents" => new.amount_cents,
                "cup" => new.cup.clone(), "description" => new.description.clone(),
            ],
        );
        self.change_part(action, vec![insert], "add_budget_line", None, Some(json(new))).await?;
        Ok(id)
    }

    /// Changes a budget line of an action.
    pub async fn update_budget_line(
        &mut self,
        action: &EntityRef<'_>,
        line_id: &str,
        edit: &BudgetLineEdit,
        expected_version: i64,
    ) -> Result<Saved<BudgetLineEdit>> {
        let sql = part_of(BUDGET_LINE_EDIT, action.id, "id", line_id);
        let before = sql.map_one(&mut *self.tx, budget_line_edit).await?;
        let update = Sql::update(
            "budget_lines",
            columns![
                "funding_source" => edit.funding_source.clone(), "amount_cents" => edit.amount_cents,
                "cup" => edit.cup.clone(), "description" => edit.description.clone(),
            ],
            line_id,
        );
        self.update_part(action, expected_version, before, edit, update, "update_budget_line").await
    }

    /// Removes a budget line of an action; false if it has no such line.
    pub async fn remove_budget_line(&mut self, action: &EntityRef<'_>, line_id: &str) -> Result<bool> {
        let sql = part_of(BUDGET_LINE_EDIT, action.id, "id", line_id);
        let Some(before) = sql.map_optional(&mut *self.tx, budget_line_edit).await? else { return Ok(false) };
        let mut delete = Sql::new("DELETE FROM budget_lines WHERE id = ");
        delete.bind(line_id);
        self.remove_part(action, delete, "remove_budget_line", json(&before)).await
    }

    /// Adds an expected result to an action; returns its id.
    pub async fn add_result(&mut self, action: &EntityRef<'_>, new: &ResultEdit) -> Result<String> {
        let id = crate::new_id();
        let position = self.next_position("expected_results", "action_id", action.id).await?;
        let insert = Sql::insert(
            "expected_results",
            columns![
                "id" => id.clone(), "action_id" => action.id, "position" => position, "kind" => new.kind.code(),
                "description" => new.description.clone(),
            ],
        );
        self.change_part(action, vec![insert], "add_result", None, Some(json(new))).await?;
        Ok(id)
    }

    /// Saves one expected result of an action.
    pub async fn update_result(
        &mut self,
        action_id: &str,
        result_id: &str,
        edit: &ResultEdit,
        expected_version: i64,
    ) -> Result<Saved<ResultEdit>> {
        let sql = part_of(RESULT_EDIT, action_id, "r.id", result_id);
        let before = sql.map_one(&mut *self.tx, result_edit).await?;
        let action = self.reread_action(action_id).await?;
        let update = Sql::update(
            "expected_results",
            columns!["kind" => edit.kind.code(), "description" => edit.description.clone()],
            result_id,
        );
        let entity = EntityRef { kind: "action", id: action_id, label: &action.label };
        self.update_part(&entity, expected_version, before, edit, update, "update_result").await
    }

    /// Removes an expected result and its indicators; false if the action has no such result.
    pub async fn remove_result(&mut self, action: &EntityRef<'_>, result_id: &str) -> Result<bool> {
        let sql = part_of(RESULT_EDIT, action.id, "r.id", result_id);
        let Some(result) = sql.map_optional(&mut *self.tx, result_edit).await? else { return Ok(false) };
        let mut indicators = part_of(INDICATOR_EDIT, action.id, "r.id", result_id);
        indicators.push(" ORDER BY i.position");
        let indicators: Vec<IndicatorEdit> = indicators.map_all(&mut *self.tx, indicator_edit).await?;
        // Indicators first: the foreign key cascades, but the order keeps both backends alike.
        let mut delete_indicators = Sql::new("DELETE FROM indicators WHERE result_id = ");
        delete_indicators.bind(result_id);
        let mut delete_result = Sql::new("DELETE FROM expected_results WHERE id = ");
        delete_result.bind(result_id);
        let before = value!({ "result": result, "indicators": indicators });
        self.change_part(action, vec![delete_indicators, delete_result], "remove_result", Some(before), None).await?;
        Ok(true)
    }

    /// Adds an indicator to one of the action's results (the caller checked it is the
    /// action's); returns its id.
    pub async fn add_indicator(
        &mut self,
        action: &EntityRef<'_>,
        result_id: &str,
        new: &IndicatorEdit,
    ) -> Result<String> {
        let id = crate::new_id();
        let position = self.next_position("indicators", "result_id", result_id).await?;
        let insert = Sql::insert(
            "indicators",
            columns![
                "id" => id.clone(), "result_id" => result_id, "position" => position, "name" => new.name.clone(),
                "unit" => new.unit.clone(), "baseline_value" => new.baseline_value,
                "baseline_year" => new.baseline_year, "target_value" => new.target_value,
                "target_year" => new.target_year, "direction" => new.direction.code(),
                "frequency" => new.frequency.code(), "weight" => new.weight,
            ],
        );
        let after = value!({ "result": result_id, "indicator": new });
        self.change_part(action, vec![insert], "add_indicator", None, Some(after)).await?;
        Ok(id)
    }

    /// Saves one indicator of an action; recorded against the indicator and the action.
    pub async fn update_indicator(
        &mut self,
        action_id: &str,
        indicator_id: &str,
        edit: &IndicatorEdit,
        expected_version: i64,
    ) -> Result<Saved<IndicatorEdit>> {
        let sql = part_of(INDICATOR_EDIT, action_id, "i.id", indicator_id);
        let before = sql.map_one(&mut *self.tx, indicator_edit).await?;
        let action = self.reread_action(action_id).await?;
        let update = Sql::update(
            "indicators",
            columns![
                "name" => edit.name.clone(), "unit" => edit.unit.clone(), "baseline_value" => edit.baseline_value,
                "baseline_year" => edit.baseline_year, "target_value" => edit.target_value,
                "target_year" => edit.target_year, "direction" => edit.direction.code(),
                "frequency" => edit.frequency.code(), "weight" => edit.weight,
            ],
            indicator_id,
        );
        let label = format!("{} — {}", action.label, before.name);
        let records = vec![
            (EntityRef { kind: "indicator", id: indicator_id, label: &label }, "update"),
            (EntityRef { kind: "action", id: action_id, label: &action.label }, "update_indicator"),
        ];
        let audit = Audit::of(records, &before, edit);
        let guard = Guard { table: "actions", id: action_id, expected: expected_version };
        self.versioned_update(guard, before, vec![update], audit).await
    }

    /// Removes an indicator of the action; false if it has no such indicator.
    pub async fn remove_indicator(&mut self, action: &EntityRef<'_>, indicator_id: &str) -> Result<bool> {
        let sql = part_of(INDICATOR_EDIT, action.id, "i.id", indicator_id);
        let Some(before) = sql.map_optional(&mut *self.tx, indicator_edit).await? else { return Ok(false) };
        let mut delete = Sql::new("DELETE FROM indicators WHERE id = ");
        delete.bind(indicator_id);
        self.remove_part(action, delete, "remove_indicator", json(&before)).await
    }

    /// Links a digital asset (its id) to an action; the caller checked it is not linked yet.
    pub async fn link_asset(&mut self, action: &EntityRef<'_>, asset_id: &str, slug: &str) -> Result<()> {
        let insert = Sql::insert("action_assets", columns!["action_id" => action.id, "asset_id" => asset_id]);
        self.change_part(action, vec![insert], "link_asset", None, Some(value!({ "asset": slug }))).await
    }

    /// Unlinks a digital asset from an action; false if it was not linked.
    pub async fn unlink_asset(&mut self, action: &EntityRef<'_>, asset_id: &str, slug: &str) -> Result<bool> {
        let mut delete = Sql::new("DELETE FROM action_assets WHERE action_id = ");
        delete.bind(action.id).push(" AND asset_id = ").bind(asset_id);
        self.remove_part(action, delete, "unlink_asset", value!({ "asset": slug })).await
    }
}
