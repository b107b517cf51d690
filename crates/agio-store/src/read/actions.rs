//! Actions: summaries for lists, the whole action for its page.

use std::collections::HashMap;

use agio_domain::model::{
    Action, ActionPartner, ActionSummary, BudgetLine, ExpectedResult, Indicator, OrganizationRef,
};
use agio_domain::{ActionStatus, Page, PageRequest, Vocabulary};
use sqlx::any::AnyRow;

use super::{asset_ref, code, codes, col, flag, from_row, org_ref_opt, paged, push_contains, term};
use crate::sql::Sql;
use crate::{Result, Store};

const FROM: &str = " FROM actions x JOIN agendas a ON a.id = x.agenda_id JOIN objectives o ON o.id = x.objective_id \
    LEFT JOIN action_organizations lao ON lao.action_id = x.id AND lao.role = 'lead' \
    LEFT JOIN organizations lo ON lo.id = lao.organization_id WHERE 1 = 1";
const COLUMNS: &str = "SELECT x.id, a.slug AS agenda_slug, a.title AS agenda_title, o.code AS objective_code, \
    x.code, x.title, x.term, x.status, x.start_date, x.end_date, lo.slug AS lead_slug, lo.name AS lead_name, a.is_demo, \
    o.title AS objective_title, x.description, x.zone_plan_ref, x.gaps, x.created_at, x.updated_at, x.version, x.archived_at";
const ORDER: &str = "a.slug, x.position";

fn summary(r: &AnyRow) -> Result<ActionSummary> {
    Ok(from_row!(r, ActionSummary {
        id, agenda_slug, agenda_title, objective_code, code, title, start_date, end_date;
        term: code(r, "term")?,
        status: code(r, "status")?,
        lead: org_ref_opt(r, "lead_")?,
        is_demo: flag(r, "is_demo")?,
        gaps: codes(r, "gaps")?,
    }))
}

/// Filters of the action list (API).
#[derive(Debug, Clone, Default)]
pub struct ActionFilter {
    pub agenda: Option<String>,
    pub objective: Option<String>,
    pub status: Option<ActionStatus>,
    pub target_group: Option<String>,
    pub life_stage: Option<String>,
    pub theme: Option<String>,
    /// Slug of an organisation leading or joining the action.
    pub organization: Option<String>,
    /// Slug of a digital asset the action reuses.
    pub asset: Option<String>,
    pub q: Option<String>,
}

impl ActionFilter {
    fn apply(&self, sql: &mut Sql) {
        // Lists are public: the actions of draft agendas are not listed, nor archived ones.
        sql.push(" AND a.status <> 'draft' AND x.archived_at IS NULL");
        if let Some(v) = &self.agenda {
            sql.push(" AND a.slug = ").bind(v.clone());
        }
        if let Some(v) = &self.objective {
            sql.push(" AND o.code = ").bind(v.clone());
        }
        if let Some(v) = self.status {
            sql.push(" AND x.status = ").bind(v.code());
        }
        for (vocabulary, value) in
            [("target_group", &self.target_group), ("life_stage", &self.life_stage), ("theme", &self.theme)]
        {
            if let Some(v) = value {
                sql.push(" AND EXISTS (SELECT 1 FROM action_terms xt WHERE xt.action_id = x.id AND xt.vocabulary = ")
                    .bind(vocabulary)
                    .push(" AND xt.code = ")
                    .bind(v.clone())
                    .push(")");
            }
        }
        if let Some(v) = &self.organization {
            sql.push(" AND EXISTS (SELECT 1 FROM action_organizations ao JOIN organizations g ON g.id = ao.organization_id WHERE ao.action_id = x.id AND g.slug = ")
                .bind(v.clone()).push(")");
        }
        if let Some(v) = &self.asset {
            sql.push(" AND EXISTS (SELECT 1 FROM action_assets aa JOIN digital_assets d ON d.id = aa.asset_id WHERE aa.action_id = x.id AND d.slug = ")
                .bind(v.clone()).push(")");
        }
        if let Some(q) = &self.q {
            push_contains(sql, &["x.title", "x.description"], q);
        }
    }
}

impl Store {
    pub async fn list_actions(&self, filter: &ActionFilter, page: PageRequest) -> Result<Page<ActionSummary>> {
        paged(&self.pool, COLUMNS, FROM, |s| filter.apply(s), ORDER, page, summary).await
    }

    pub(crate) async fn actions_of_agenda(&self, agenda_id: &str) -> Result<Vec<ActionSummary>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND x.archived_at IS NULL AND a.id = ").bind(agenda_id).push(" ORDER BY x.position");
        sql.map_all(&self.pool, summary).await
    }

    /// Action summaries matching a filter, unpaged (for detail pages of organisations and assets).
    pub(crate) async fn actions_where(&self, filter: &ActionFilter) -> Result<Vec<ActionSummary>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        filter.apply(&mut sql);
        sql.push(" ORDER BY ").push(ORDER);
        sql.map_all(&self.pool, summary).await
    }

    /// The budget lines of the agenda's actions, in order: (action id, line).
    pub async fn budget_lines_of_agenda(&self, agenda_id: &str) -> Result<Vec<(String, BudgetLine)>> {
        let mut q = Sql::new(&format!("{BUDGET_LINES} JOIN actions x ON x.id = b.action_id WHERE x.agenda_id = "));
        q.bind(agenda_id).push(" ORDER BY x.position, b.position");
        q.map_all(&self.pool, |r| Ok((col(r, "action_id")?, budget_line(r)?))).await
    }

    /// The whole action `code` of agenda `agenda_slug`.
    pub async fn action(&self, agenda_slug: &str, action_code: &str) -> Result<Option<Action>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND a.slug = ").bind(agenda_slug).push(" AND x.code = ").bind(action_code);
        let Some(row) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let s = summary(&row)?;
        let id = s.id.clone();

        let mut q = Sql::new(
            "SELECT g.slug, g.name, ao.role, ao.role_description FROM action_organizations ao \
             JOIN organizations g ON g.id = ao.organization_id WHERE ao.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY CASE ao.role WHEN 'lead' THEN 0 ELSE 1 END, g.name");
        let partners = q
            .map_all(&self.pool, |r| {
                Ok(ActionPartner {
                    organization: OrganizationRef { slug: col(r, "slug")?, name: col(r, "name")? },
                    role: code(r, "role")?,
                    role_description: col(r, "role_description")?,
                })
            })
            .await?;

        let mut q = Sql::new(
            "SELECT xt.vocabulary, v.code, v.label_it, v.label_en FROM action_terms xt \
             JOIN vocabulary_terms v ON v.vocabulary = xt.vocabulary AND v.code = xt.code WHERE xt.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY v.position");
        let mut terms: HashMap<Vocabulary, Vec<_>> = HashMap::new();
        for r in q.fetch_all(&self.pool).await? {
            terms.entry(code(&r, "vocabulary")?).or_default().push(term(&r, "")?);
        }

        let mut q = Sql::new(&format!("{BUDGET_LINES} WHERE b.action_id = "));
        q.bind(id.clone()).push(" ORDER BY b.position");
        let budget = q.map_all(&self.pool, budget_line).await?;

        let mut q = Sql::new(
            "SELECT d.slug, d.name, d.kind FROM action_assets aa JOIN digital_assets d ON d.id = aa.asset_id WHERE aa.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY d.name");
        let assets = q.map_all(&self.pool, asset_ref).await?;

        let mut q = Sql::new(
            "SELECT r.id AS result_id, r.kind, r.description, i.id AS indicator_id, i.name, i.unit, i.baseline_value, i.baseline_year, \
             i.target_value, i.target_year, i.direction, i.frequency, i.weight FROM expected_results r \
             LEFT JOIN indicators i ON i.result_id = r.id WHERE r.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY r.position, i.position");
        let mut results: Vec<ExpectedResult> = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            let result_id: String = col(&r, "result_id")?;
            if results.last().map(|x| x.id != result_id).unwrap_or(true) {
                results.push(ExpectedResult {
                    id: result_id,
                    kind: code(&r, "kind")?,
                    description: col(&r, "description")?,
                    indicators: vec![],
                });
            }
            if let Some(indicator_id) = col::<Option<String>>(&r, "indicator_id")? {
                let indicator = from_row!(&r, Indicator {
                    name, unit, baseline_value, baseline_year, target_value, target_year, weight;
                    id: indicator_id,
                    direction: code(&r, "direction")?,
                    frequency: code(&r, "frequency")?,
                });
                results.last_mut().expect("pushed above").indicators.push(indicator);
            }
        }

        Ok(Some(Action {
            objective_title: col(&row, "objective_title")?,
            description: col(&row, "description")?,
            zone_plan_ref: col(&row, "zone_plan_ref")?,
            created_at: col(&row, "created_at")?,
            updated_at: col(&row, "updated_at")?,
            version: col(&row, "version")?,
            archived_at: col(&row, "archived_at")?,
            budget_total_cents: budget.iter().map(|b| b.amount_cents).sum(),
            target_groups: terms.remove(&Vocabulary::TargetGroup).unwrap_or_default(),
            life_stages: terms.remove(&Vocabulary::LifeStage).unwrap_or_default(),
            themes: terms.remove(&Vocabulary::Theme).unwrap_or_default(),
            summary: s,
            partners,
            budget,
            assets,
            results,
        }))
    }
}

const BUDGET_LINES: &str = "SELECT v.code AS funding_code, v.label_it AS funding_label_it, \
     v.label_en AS funding_label_en, b.action_id, b.amount_cents, b.cup, b.description, b.id FROM budget_lines b \
     JOIN vocabulary_terms v ON v.vocabulary = b.funding_vocabulary AND v.code = b.funding_source";

fn budget_line(r: &AnyRow) -> Result<BudgetLine> {
    Ok(from_row!(r, BudgetLine { id, amount_cents, cup, description; funding_source: term(r, "funding_")? }))
}
