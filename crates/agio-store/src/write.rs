//! Write side: what the edit forms and the write API change, always through a [`WriteTx`]
//! (so always audited) and always against the version the editor started from.

use agio_domain::access::AgendaFacts;
use agio_domain::edit::{
    ActionEdit, AgendaEdit, IndicatorEdit, NewAction, ObjectiveEdit, OrganizationEdit, ResultEdit,
};
use agio_domain::AgendaStatus;
use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col};
use crate::sql::{columns, Sql};
use crate::{now, Result, Store};

/// The outcome of a save made against a version.
#[derive(Debug, Clone, PartialEq)]
pub enum Saved<T> {
    /// Written; the record is now at `version`.
    Done { version: i64 },
    /// Someone saved first: nothing was written; here is what is stored now.
    Stale { current: T, version: i64 },
}

/// A record as an editor sees it: its id, a readable name, its version and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Editable<T> {
    pub id: String,
    pub label: String,
    pub version: i64,
    pub fields: T,
}

fn json(value: &impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

fn action_edit(r: &AnyRow) -> Result<Editable<ActionEdit>> {
    Ok(Editable {
        id: col(r, "id")?,
        label: format!("{} {}", col::<String>(r, "code")?, col::<String>(r, "title")?),
        version: col(r, "version")?,
        fields: ActionEdit {
            title: col(r, "title")?,
            description: col(r, "description")?,
            term: code(r, "term")?,
            status: code(r, "status")?,
            start_date: col(r, "start_date")?,
            end_date: col(r, "end_date")?,
            zone_plan_ref: col(r, "zone_plan_ref")?,
        },
    })
}

const ACTION_EDIT: &str = "SELECT x.id, x.code, x.title, x.version, x.description, x.term, x.status, x.start_date, \
    x.end_date, x.zone_plan_ref FROM actions x";

fn agenda_edit(r: &AnyRow) -> Result<(Editable<AgendaEdit>, AgendaStatus)> {
    Ok((
        Editable {
            id: col(r, "id")?,
            label: col(r, "title")?,
            version: col(r, "version")?,
            fields: AgendaEdit {
                title: col(r, "title")?,
                period_start: col(r, "period_start")?,
                period_end: col(r, "period_end")?,
                vision: col(r, "vision")?,
                context: col(r, "context")?,
            },
        },
        code(r, "status")?,
    ))
}

const AGENDA_EDIT: &str = "SELECT id, title, version, period_start, period_end, vision, context, status FROM agendas";

pub(crate) fn indicator_edit(r: &AnyRow) -> Result<IndicatorEdit> {
    Ok(IndicatorEdit {
        name: col(r, "name")?,
        unit: col(r, "unit")?,
        baseline_value: col(r, "baseline_value")?,
        baseline_year: col(r, "baseline_year")?,
        target_value: col(r, "target_value")?,
        target_year: col(r, "target_year")?,
        direction: code(r, "direction")?,
    })
}

pub(crate) const INDICATOR_EDIT: &str = "SELECT i.name, i.unit, i.baseline_value, i.baseline_year, i.target_value, \
    i.target_year, i.direction FROM indicators i JOIN expected_results r ON r.id = i.result_id";

fn organization_edit(r: &AnyRow) -> Result<Editable<OrganizationEdit>> {
    Ok(Editable {
        id: col(r, "id")?,
        label: col(r, "name")?,
        version: col(r, "version")?,
        fields: OrganizationEdit {
            name: col(r, "name")?,
            org_type: col(r, "org_type")?,
            tax_code: col(r, "tax_code")?,
            description: col(r, "description")?,
            website: col(r, "website")?,
        },
    })
}

const ORGANIZATION_EDIT: &str = "SELECT id, name, version, org_type, tax_code, description, website FROM organizations";

const OBJECTIVE_EDIT: &str = "SELECT o.id, o.code, o.title, o.version, o.description FROM objectives o";

fn objective_edit(r: &AnyRow) -> Result<Editable<ObjectiveEdit>> {
    Ok(Editable {
        id: col(r, "id")?,
        label: format!("{} {}", col::<String>(r, "code")?, col::<String>(r, "title")?),
        version: col(r, "version")?,
        fields: ObjectiveEdit { title: col(r, "title")?, description: col(r, "description")? },
    })
}

const RESULT_EDIT: &str = "SELECT r.kind, r.description FROM expected_results r";

impl Store {
    pub async fn objective_for_edit(&self, agenda_slug: &str, code: &str) -> Result<Option<Editable<ObjectiveEdit>>> {
        let mut sql = Sql::new(OBJECTIVE_EDIT);
        sql.push(" JOIN agendas a ON a.id = o.agenda_id WHERE a.slug = ")
            .bind(agenda_slug)
            .push(" AND o.code = ")
            .bind(code);
        sql.fetch_optional(&self.pool).await?.as_ref().map(objective_edit).transpose()
    }

    /// An expected result of an action, for editing.
    pub async fn result_for_edit(&self, action_id: &str, result_id: &str) -> Result<Option<ResultEdit>> {
        let mut sql = Sql::new(RESULT_EDIT);
        sql.push(" WHERE r.action_id = ").bind(action_id).push(" AND r.id = ").bind(result_id);
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        Ok(Some(ResultEdit { kind: code(&r, "kind")?, description: col(&r, "description")? }))
    }

    pub async fn organization_for_edit(&self, slug: &str) -> Result<Option<Editable<OrganizationEdit>>> {
        let mut sql = Sql::new(ORGANIZATION_EDIT);
        sql.push(" WHERE slug = ").bind(slug);
        sql.fetch_optional(&self.pool).await?.as_ref().map(organization_edit).transpose()
    }

    /// What decides who may act on an agenda and its content (see `agio_domain::access`).
    pub async fn agenda_facts(&self, slug: &str) -> Result<Option<AgendaFacts>> {
        let mut sql = Sql::new(
            "SELECT a.id AS agenda_id, a.status, t.id AS territory_id, p.id AS parent_id, g.id AS grandparent_id \
             FROM agendas a JOIN territories t ON t.id = a.territory_id \
             LEFT JOIN territories p ON p.id = t.parent_id LEFT JOIN territories g ON g.id = p.parent_id WHERE a.slug = ",
        );
        sql.bind(slug);
        let Some(row) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let agenda_id: String = col(&row, "agenda_id")?;
        let status: AgendaStatus = code(&row, "status")?;
        let territory_path = ["territory_id", "parent_id", "grandparent_id"]
            .into_iter()
            .filter_map(|name| col::<Option<String>>(&row, name).transpose())
            .collect::<Result<_>>()?;
        let mut leads = Sql::new(
            "SELECT DISTINCT ao.organization_id FROM action_organizations ao JOIN actions x ON x.id = ao.action_id \
             WHERE ao.role = 'lead' AND x.archived_at IS NULL AND x.agenda_id = ",
        );
        leads.bind(agenda_id.clone()).push(" ORDER BY ao.organization_id");
        let lead_organizations =
            leads.fetch_all(&self.pool).await?.iter().map(|r| col(r, "organization_id")).collect::<Result<_>>()?;
        Ok(Some(AgendaFacts { agenda_id, territory_path, public: status != AgendaStatus::Draft, lead_organizations }))
    }

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

    pub async fn agenda_for_edit(&self, slug: &str) -> Result<Option<(Editable<AgendaEdit>, AgendaStatus)>> {
        let mut sql = Sql::new(AGENDA_EDIT);
        sql.push(" WHERE slug = ").bind(slug);
        sql.fetch_optional(&self.pool).await?.as_ref().map(agenda_edit).transpose()
    }

    /// An indicator of an action, for editing.
    pub async fn indicator_for_edit(&self, action_id: &str, indicator_id: &str) -> Result<Option<IndicatorEdit>> {
        let mut sql = Sql::new(INDICATOR_EDIT);
        sql.push(" WHERE r.action_id = ").bind(action_id).push(" AND i.id = ").bind(indicator_id);
        sql.fetch_optional(&self.pool).await?.as_ref().map(indicator_edit).transpose()
    }
}

impl WriteTx {
    /// Bumps `table`'s version from `expected`; false when the stored version is another.
    pub(crate) async fn claim_version(&mut self, table: &str, id: &str, expected: i64) -> Result<bool> {
        let mut sql = Sql::new(&format!("UPDATE {table} SET version = version + 1, updated_at = "));
        sql.bind(now()).push(" WHERE id = ").bind(id).push(" AND version = ").bind(expected);
        Ok(sql.query().execute(&mut *self.tx).await?.rows_affected() == 1)
    }

    async fn reread_action(&mut self, id: &str) -> Result<Editable<ActionEdit>> {
        let mut sql = Sql::new(ACTION_EDIT);
        sql.push(" WHERE x.id = ").bind(id);
        action_edit(&sql.query().fetch_one(&mut *self.tx).await?)
    }

    async fn reread_agenda(&mut self, id: &str) -> Result<(Editable<AgendaEdit>, AgendaStatus)> {
        let mut sql = Sql::new(AGENDA_EDIT);
        sql.push(" WHERE id = ").bind(id);
        agenda_edit(&sql.query().fetch_one(&mut *self.tx).await?)
    }

    /// Saves an action's fields if nobody saved since `expected_version`.
    pub async fn update_action(
        &mut self,
        action_id: &str,
        edit: &ActionEdit,
        expected_version: i64,
    ) -> Result<Saved<ActionEdit>> {
        let before = self.reread_action(action_id).await?;
        if !self.claim_version("actions", action_id, expected_version).await? {
            return Ok(Saved::Stale { version: before.version, current: before.fields });
        }
        let mut sql = Sql::new("UPDATE actions SET title = ");
        sql.bind(edit.title.clone())
            .push(", description = ")
            .bind(edit.description.clone())
            .push(", term = ")
            .bind(edit.term.code())
            .push(", status = ")
            .bind(edit.status.code())
            .push(", start_date = ")
            .bind(edit.start_date.clone())
            .push(", end_date = ")
            .bind(edit.end_date.clone())
            .push(", zone_plan_ref = ")
            .bind(edit.zone_plan_ref.clone())
            .push(" WHERE id = ")
            .bind(action_id);
        sql.query().execute(&mut *self.tx).await?;
        let entity = EntityRef { kind: "action", id: action_id, label: &before.label };
        self.record(entity, "update", Some(&json(&before.fields)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    /// Saves one indicator of an action; the action's version guards it (the indicator is part
    /// of the action as an editor sees it).
    pub async fn update_indicator(
        &mut self,
        action_id: &str,
        indicator_id: &str,
        edit: &IndicatorEdit,
        expected_version: i64,
    ) -> Result<Saved<IndicatorEdit>> {
        let mut sql = Sql::new(INDICATOR_EDIT);
        sql.push(" WHERE i.id = ").bind(indicator_id).push(" AND r.action_id = ").bind(action_id);
        let before = indicator_edit(&sql.query().fetch_one(&mut *self.tx).await?)?;
        let action = self.reread_action(action_id).await?;
        if !self.claim_version("actions", action_id, expected_version).await? {
            return Ok(Saved::Stale { version: action.version, current: before });
        }
        let mut sql = Sql::new("UPDATE indicators SET name = ");
        sql.bind(edit.name.clone())
            .push(", unit = ")
            .bind(edit.unit.clone())
            .push(", baseline_value = ")
            .bind(edit.baseline_value)
            .push(", baseline_year = ")
            .bind(edit.baseline_year)
            .push(", target_value = ")
            .bind(edit.target_value)
            .push(", target_year = ")
            .bind(edit.target_year)
            .push(", direction = ")
            .bind(edit.direction.code())
            .push(" WHERE id = ")
            .bind(indicator_id);
        sql.query().execute(&mut *self.tx).await?;
        let label = format!("{} — {}", action.label, before.name);
        let entity = EntityRef { kind: "indicator", id: indicator_id, label: &label };
        self.record(entity, "update", Some(&json(&before)), Some(&json(edit)), "").await?;
        let entity = EntityRef { kind: "action", id: action_id, label: &action.label };
        self.record(entity, "update_indicator", Some(&json(&before)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    pub async fn update_objective(
        &mut self,
        objective_id: &str,
        edit: &ObjectiveEdit,
        expected_version: i64,
    ) -> Result<Saved<ObjectiveEdit>> {
        let mut sql = Sql::new(OBJECTIVE_EDIT);
        sql.push(" WHERE o.id = ").bind(objective_id);
        let before = objective_edit(&sql.query().fetch_one(&mut *self.tx).await?)?;
        if !self.claim_version("objectives", objective_id, expected_version).await? {
            return Ok(Saved::Stale { version: before.version, current: before.fields });
        }
        Sql::update(
            "objectives",
            columns!["title" => edit.title.clone(), "description" => edit.description.clone()],
            objective_id,
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let entity = EntityRef { kind: "objective", id: objective_id, label: &before.label };
        self.record(entity, "update", Some(&json(&before.fields)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    /// Saves one expected result of an action; the action's version guards it, as for indicators.
    pub async fn update_result(
        &mut self,
        action_id: &str,
        result_id: &str,
        edit: &ResultEdit,
        expected_version: i64,
    ) -> Result<Saved<ResultEdit>> {
        let mut sql = Sql::new(RESULT_EDIT);
        sql.push(" WHERE r.id = ").bind(result_id).push(" AND r.action_id = ").bind(action_id);
        let r = sql.query().fetch_one(&mut *self.tx).await?;
        let before = ResultEdit { kind: code(&r, "kind")?, description: col(&r, "description")? };
        let action = self.reread_action(action_id).await?;
        if !self.claim_version("actions", action_id, expected_version).await? {
            return Ok(Saved::Stale { version: action.version, current: before });
        }
        Sql::update(
            "expected_results",
            columns!["kind" => edit.kind.code(), "description" => edit.description.clone()],
            result_id,
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let entity = EntityRef { kind: "action", id: action_id, label: &action.label };
        self.record(entity, "update_result", Some(&json(&before)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    pub async fn update_agenda(
        &mut self,
        agenda_id: &str,
        edit: &AgendaEdit,
        expected_version: i64,
    ) -> Result<Saved<AgendaEdit>> {
        let (before, _) = self.reread_agenda(agenda_id).await?;
        if !self.claim_version("agendas", agenda_id, expected_version).await? {
            return Ok(Saved::Stale { version: before.version, current: before.fields });
        }
        let mut sql = Sql::new("UPDATE agendas SET title = ");
        sql.bind(edit.title.clone())
            .push(", period_start = ")
            .bind(edit.period_start)
            .push(", period_end = ")
            .bind(edit.period_end)
            .push(", vision = ")
            .bind(edit.vision.clone())
            .push(", context = ")
            .bind(edit.context.clone())
            .push(" WHERE id = ")
            .bind(agenda_id);
        sql.query().execute(&mut *self.tx).await?;
        let entity = EntityRef { kind: "agenda", id: agenda_id, label: &before.label };
        self.record(entity, "update", Some(&json(&before.fields)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    pub async fn update_organization(
        &mut self,
        id: &str,
        edit: &OrganizationEdit,
        expected_version: i64,
    ) -> Result<Saved<OrganizationEdit>> {
        let mut sql = Sql::new(ORGANIZATION_EDIT);
        sql.push(" WHERE id = ").bind(id);
        let before = organization_edit(&sql.query().fetch_one(&mut *self.tx).await?)?;
        if !self.claim_version("organizations", id, expected_version).await? {
            return Ok(Saved::Stale { version: before.version, current: before.fields });
        }
        let mut sql = Sql::new("UPDATE organizations SET name = ");
        sql.bind(edit.name.clone())
            .push(", org_type = ")
            .bind(edit.org_type.clone())
            .push(", tax_code = ")
            .bind(edit.tax_code.clone())
            .push(", description = ")
            .bind(edit.description.clone())
            .push(", website = ")
            .bind(edit.website.clone())
            .push(" WHERE id = ")
            .bind(id);
        sql.query().execute(&mut *self.tx).await?;
        let entity = EntityRef { kind: "organization", id, label: &before.label };
        self.record(entity, "update", Some(&json(&before.fields)), Some(&json(edit)), "").await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }

    /// The next free number of codes like `prefix` + digits in `table` for this agenda.
    async fn next_code(&mut self, table: &str, agenda_id: &str, prefix: &str, width: usize) -> Result<(String, i64)> {
        let mut sql = Sql::new(&format!("SELECT code, position FROM {table} WHERE agenda_id = "));
        sql.bind(agenda_id);
        let rows = sql.query().fetch_all(&mut *self.tx).await?;
        let mut highest = 0;
        let mut position = 0;
        for r in &rows {
            let code: String = col(r, "code")?;
            if let Some(n) = code.strip_prefix(prefix).and_then(|d| d.parse::<i64>().ok()) {
                highest = highest.max(n);
            }
            position = position.max(col::<i64>(r, "position")?);
        }
        Ok((format!("{prefix}{:0width$}", highest + 1), position + 1))
    }

    /// Adds an objective to an agenda; returns its code.
    pub async fn create_objective(
        &mut self,
        agenda_id: &str,
        agenda_label: &str,
        new: &ObjectiveEdit,
    ) -> Result<String> {
        let (code, position) = self.next_code("objectives", agenda_id, "O", 1).await?;
        let (id, at) = (crate::new_id(), now());
        crate::sql::Sql::insert(
            "objectives",
            crate::sql::columns![
                "id" => id.clone(), "agenda_id" => agenda_id, "code" => code.clone(), "position" => position,
                "title" => new.title.clone(), "description" => new.description.clone(),
                "created_at" => at.clone(), "updated_at" => at,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        let label = format!("{agenda_label} — {code}");
        let entity = EntityRef { kind: "objective", id: &id, label: &label };
        self.record(entity, "create", None, Some(&json(new)), "").await?;
        Ok(code)
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
        crate::sql::Sql::insert(
            "actions",
            crate::sql::columns![
                "id" => id.clone(), "agenda_id" => agenda_id, "objective_id" => objective_id, "code" => code.clone(),
                "position" => position, "title" => new.title.clone(), "description" => new.description.clone(),
                "term" => new.term.code(), "status" => new.status.code(), "created_at" => at.clone(), "updated_at" => at,
            ],
        )
        .query()
        .execute(&mut *self.tx)
        .await?;
        if let Some(organization) = lead_organization_id {
            crate::sql::Sql::insert(
                "action_organizations",
                crate::sql::columns!["action_id" => id.clone(), "organization_id" => organization, "role" => "lead"],
            )
            .query()
            .execute(&mut *self.tx)
            .await?;
        }
        let label = format!("{code} {}", new.title);
        let entity = EntityRef { kind: "action", id: &id, label: &label };
        self.record(entity, "create", None, Some(&json(new)), "").await?;
        Ok(code)
    }

    /// A change to a part of an action (partners, budget) makes a new version of the action.
    pub(crate) async fn touch_action(&mut self, action_id: &str) -> Result<()> {
        let mut sql = Sql::new("UPDATE actions SET version = version + 1, updated_at = ");
        sql.bind(now()).push(" WHERE id = ").bind(action_id);
        sql.query().execute(&mut *self.tx).await?;
        Ok(())
    }

    /// Moves an agenda to `to` (the caller checked the move is allowed), with a note.
    pub async fn move_agenda(
        &mut self,
        agenda_id: &str,
        to: AgendaStatus,
        note: &str,
        expected_version: i64,
    ) -> Result<Saved<AgendaStatus>> {
        let (before, from) = self.reread_agenda(agenda_id).await?;
        if !self.claim_version("agendas", agenda_id, expected_version).await? {
            return Ok(Saved::Stale { version: before.version, current: from });
        }
        let mut sql = Sql::new("UPDATE agendas SET status = ");
        sql.bind(to.code()).push(" WHERE id = ").bind(agenda_id);
        sql.query().execute(&mut *self.tx).await?;
        let entity = EntityRef { kind: "agenda", id: agenda_id, label: &before.label };
        let (b, a) = (serde_json::json!({ "status": from }), serde_json::json!({ "status": to }));
        self.record(entity, "status", Some(&b), Some(&a), note).await?;
        Ok(Saved::Done { version: expected_version + 1 })
    }
}
