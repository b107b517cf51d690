//! The parts of an action that are lists — organisations taking part, budget lines, expected
//! results, their indicators, digital assets — added and removed one at a time. Each change
//! bumps the action's version (so an editor working on the action sees it) and is audited
//! against the action, with what was added or removed.

use agio_domain::edit::{BudgetLineEdit, IndicatorEdit, NewPartner, PartnerEdit, ResultEdit};
use serde::Serialize;

use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col};
use crate::sql::{columns, Sql};
use crate::write::Saved;
use crate::{Result, Store};

fn json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

impl WriteTx {
    /// Adds an organisation (its id) to an action; the caller checked it is not there yet.
    pub async fn add_partner(&mut self, action: &EntityRef<'_>, organization_id: &str, new: &NewPartner) -> Result<()> {
        Sql::insert(
            "action_organizations",
            columns![
                "action_id" => action.id, "organization_id" => organization_id, "role" => new.role.code(),
                "role_description" => new.role_description.clone(),
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.touch_action(action.id).await?;
        self.record(*action, "add_partner", None, Some(&json(new)), "").await
    }

    /// Removes an organisation from an action; false if it was not taking part.
    pub async fn remove_partner(&mut self, action: &EntityRef<'_>, organization_id: &str, slug: &str) -> Result<bool> {
        let mut sql = Sql::new("DELETE FROM action_organizations WHERE action_id = ");
        sql.bind(action.id).push(" AND organization_id = ").bind(organization_id);
        if sql.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        self.touch_action(action.id).await?;
        self.record(*action, "remove_partner", Some(&serde_json::json!({ "organization": slug })), None, "").await?;
        Ok(true)
    }

    pub async fn add_budget_line(&mut self, action: &EntityRef<'_>, new: &BudgetLineEdit) -> Result<String> {
        let id = crate::new_id();
        let position = self.next_position("budget_lines", "action_id", action.id).await?;
        Sql::insert(
            "budget_lines",
            columns![
                "id" => id.clone(), "action_id" => action.id, "position" => position,
                "funding_source" => new.funding_source.clone(), "amount_cents" => new.amount_cents,
                "cup" => new.cup.clone(), "description" => new.description.clone(),
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.touch_action(action.id).await?;
        self.record(*action, "add_budget_line", None, Some(&json(new)), "").await?;
        Ok(id)
    }

    /// Removes a budget line of an action; false if it has no such line.
    pub async fn remove_budget_line(&mut self, action: &EntityRef<'_>, line_id: &str) -> Result<bool> {
        let mut sql = Sql::new(BUDGET_LINE_EDIT);
        sql.bind(action.id).push(" AND id = ").bind(line_id);
        let Some(r) = sql.query().fetch_optional(&mut *self.tx).await? else { return Ok(false) };
        let before = budget_line_edit(&r)?;
        let mut delete = Sql::new("DELETE FROM budget_lines WHERE id = ");
        delete.bind(line_id);
        delete.query().execute(&mut *self.tx).await?;
        self.touch_action(action.id).await?;
        self.record(*action, "remove_budget_line", Some(&json(&before)), None, "").await?;
        Ok(true)
    }

    /// The next position in an action's list (`table` is one of ours, never user input).
    async fn next_position(&mut self, table: &str, parent_column: &str, parent: &str) -> Result<i64> {
        let mut next = Sql::new(&format!(
            "SELECT CAST(COALESCE(MAX(position), 0) + 1 AS BIGINT) AS position FROM {table} WHERE {parent_column} = "
        ));
        next.bind(parent);
        col(&next.query().fetch_one(&mut *self.tx).await?, "position")
    }

    /// Adds an expected result to an action; returns its id.
    pub async fn add_result(&mut self, action: &EntityRef<'_>, new: &ResultEdit) -> Result<String> {
        let id = crate::new_id();
        let position = self.next_position("expected_results", "action_id", action.id).await?;
        Sql::insert(
            "expected_results",
            columns![
                "id" => id.clone(), "action_id" => action.id, "position" => position, "kind" => new.kind.code(),
                "description" => new.description.clone(),
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.touch_action(action.id).await?;
        self.record(*action, "add_result", None, Some(&json(new)), "").await?;
        Ok(id)
    }

    /// Removes an expected result and its indicators; false if the action has no such result.
    pub async fn remove_result(&mut self, action: &EntityRef<'_>, result_id: &str) -> Result<bool> {
        let mut sql = Sql::new("SELECT kind, description FROM expected_results WHERE action_id = ");
        sql.bind(action.id).push(" AND id = ").bind(result_id);
        let Some(r) = sql.query().fetch_optional(&mut *self.tx).await? else { return Ok(false) };
        let result = ResultEdit { kind: code(&r, "kind")?, description: col(&r, "description")? };
        let mut indicators = Sql::new(crate::write::INDICATOR_EDIT);
        indicators.push(" WHERE r.id = ").bind(result_id).push(" ORDER BY i.position");
        let indicators: Vec<IndicatorEdit> = indicators
            .query()
            .fetch_all(&mut *self.tx)
            .await?
            .iter()
            .map(crate::write::indicator_edit)
            .collect::<Result<_>>()?;
        // Indicators first: the foreign key cascades, but the order keeps both backends alike.
        let mut delete = Sql::new("DELETE FROM indicators WHERE result_id = ");
        delete.bind(result_id);
        delete.query().execute(&mut *self.tx).await?;
        let mut delete = Sql::new("DELETE FROM expected_results WHERE id = ");
        delete.bind(result_id);
        delete.query().execute(&mut *self.tx).await?;
        self.touch_action(action.id).await?;
        let before = serde_json::json!({ "result": result, "indicators": indicators });
        self.record(*action, "remove_result", Some(&before), None, "").await?;
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
        Sql::insert(
            "indicators",
            columns![
                "id" => id.clone(), "result_id" => result_id, "position" => position, "name" => new.name.clone(),
                "unit" => new.unit.clone(), "baseline_value" => new.baseline_value,
                "baseline_year" => new.baseline_year, "target_value" => new.target_value,
                "target_year" => new.target_year, "direction" => new.direction.code(),
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.touch_action(action.id).await?;
        let after = serde_json::json!({ "result": result_id, "indicator": new });
        self.record(*action, "add_indicator", None, Some(&after), "").await?;
        Ok(id)
    }

    /// Removes an indicator of the action; false if it has no such indicator.
    pub async fn remove_indicator(&mut self, action: &EntityRef<'_>, indicator_id: &str) -> Result<bool> {
        let mut sql = Sql::new(crate::write::INDICATOR_EDIT);
        sql.push(" WHERE r.action_id = ").bind(action.id).push(" AND i.id = ").bind(indicator_id);
        let Some(r) = sql.query().fetch_optional(&mut *self.tx).await? else { return Ok(false) };
        let before = crate::write::indicator_edit(&r)?;
        let mut delete = Sql::new("DELETE FROM indicators WHERE id = ");
        delete.bind(indicator_id);
        delete.query().execute(&mut *self.tx).await?;
        self.touch_action(action.id).await?;
        self.record(*action, "remove_indicator", Some(&json(&before)), None, "").await?;
        Ok(true)
    }

    /// Links a digital asset (its id) to an action; the caller checked it is not linked yet.
    pub async fn link_asset(&mut self, action: &EntityRef<'_>, asset_id: &str, slug: &str) -> Result<()> {
        Sql::insert("action_assets", columns!["action_id" => action.id, "asset_id" => asset_id])
            .query()
            .execute(&mut *self.tx)
            .await?;
        self.touch_action(action.id).await?;
        self.record(*action, "link_asset", None, Some(&serde_json::json!({ "asset": slug })), "").await
    }

    /// Unlinks a digital asset from an action; false if it was not linked.
    pub async fn unlink_asset(&mut self, action: &EntityRef<'_>, asset_id: &str, slug: &str) -> Result<bool> {
        let mut sql = Sql::new("DELETE FROM action_assets WHERE action_id = ");
        sql.bind(action.id).push(" AND asset_id = ").bind(asset_id);
        if sql.query().execute(&mut *self.tx).await?.rows_affected() == 0 {
            return Ok(false);
        }
        self.touch_action(action.id).await?;
        self.record(*action, "unlink_asset", Some(&serde_json::json!({ "asset": slug })), None, "").await?;
        Ok(true)
    }

    /// Changes the role and contribution of an organisation in an action; the action's version
    /// guards it, as for its results and indicators.
    pub async fn update_partner(
        &mut self,
        action: &EntityRef<'_>,
        organization_id: &str,
        edit: &PartnerEdit,
        expected_version: i64,
    ) -> Result<Saved<PartnerEdit>> {
        let mut sql = Sql::new("SELECT role, role_description FROM action_organizations WHERE action_id = ");
        sql.bind(action.id).push(" AND organization_id = ").bind(organization_id);
        let r = sql.query().fetch_one(&mut *self.tx).await?;
        let before = PartnerEdit { role: code(&r, "role")?, role_description: col(&r, "role_description")? };
        if !self.claim_version("actions", action.id, expected_version).await? {
            return Ok(Saved::Stale { version: self.action_version(action.id).await?, current: before });
        }
        let mut sql = Sql::new("UPDATE action_organizations SET role = ");
        sql.bind(edit.role.code())
            .push(", role_description = ")
            .bind(edit.role_description.clone())
            .push(" WHERE action_id = ")
            .bind(action.id)
            .push(" AND organization_id = ")
            .bind(organization_id);
        sql.query().execute(&mut *self.tx).await?;
        self.record(*action, "update_partner", Some(&json(&before)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    /// Changes a budget line of an action, guarded by the action's version.
    pub async fn update_budget_line(
        &mut self,
        action: &EntityRef<'_>,
        line_id: &str,
        edit: &BudgetLineEdit,
        expected_version: i64,
    ) -> Result<Saved<BudgetLineEdit>> {
        let mut sql = Sql::new(BUDGET_LINE_EDIT);
        sql.bind(action.id).push(" AND id = ").bind(line_id);
        let before = budget_line_edit(&sql.query().fetch_one(&mut *self.tx).await?)?;
        if !self.claim_version("actions", action.id, expected_version).await? {
            return Ok(Saved::Stale { version: self.action_version(action.id).await?, current: before });
        }
        Sql::update(
            "budget_lines",
            columns![
                "funding_source" => edit.funding_source.clone(), "amount_cents" => edit.amount_cents,
                "cup" => edit.cup.clone(), "description" => edit.description.clone(),
            ],
            line_id,
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        self.record(*action, "update_budget_line", Some(&json(&before)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    async fn action_version(&mut self, action_id: &str) -> Result<i64> {
        let mut sql = Sql::new("SELECT version FROM actions WHERE id = ");
        sql.bind(action_id);
        col(&sql.query().fetch_one(&mut *self.tx).await?, "version")
    }
}

const BUDGET_LINE_EDIT: &str =
    "SELECT funding_source, amount_cents, cup, description FROM budget_lines WHERE action_id = ";

fn budget_line_edit(r: &sqlx::any::AnyRow) -> Result<BudgetLineEdit> {
    Ok(BudgetLineEdit {
        funding_source: col(r, "funding_source")?,
        amount_cents: col(r, "amount_cents")?,
        cup: col(r, "cup")?,
        description: col(r, "description")?,
    })
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
        let organization_id = col(&r, "organization_id")?;
        Ok(Some((
            organization_id,
            PartnerEdit { role: code(&r, "role")?, role_description: col(&r, "role_description")? },
        )))
    }

    /// A budget line of an action, for editing.
    pub async fn budget_line_for_edit(&self, action_id: &str, line_id: &str) -> Result<Option<BudgetLineEdit>> {
        let mut sql = Sql::new(BUDGET_LINE_EDIT);
        sql.bind(action_id).push(" AND id = ").bind(line_id);
        sql.fetch_optional(&self.pool).await?.as_ref().map(budget_line_edit).transpose()
    }
}
