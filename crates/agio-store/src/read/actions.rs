//! Actions: summaries for lists, the whole action for its page.

use std::collections::HashMap;

use agio_domain::model::{
    Action, ActionPartner, ActionSummary, AssetRef, BudgetLine, ExpectedResult, Indicator, OrganizationRef,
};
use agio_domain::{ActionStatus, Page, PageRequest, Vocabulary};
use sqlx::any::AnyRow;

use super::{code, col, flag, org_ref_opt, paged, push_contains, term};
use crate::sql::Sql;
use crate::{Result, Store};

const FROM: &str = " FROM actions x JOIN agendas a ON a.id = x.agenda_id JOIN objectives o ON o.id = x.objective_id \
    LEFT JOIN action_organizations lao ON lao.action_id = x.id AND lao.role = 'lead' \
    LEFT JOIN organizations lo ON lo.id = lao.organization_id WHERE 1 = 1";
const COLUMNS: &str =
    "SELECT x.id, a.slug, a.title, o.code, x.code, x.title, x.term, x.status, x.start_date, x.end_date, \
    lo.slug, lo.name, a.is_demo, o.title, x.description, x.zone_plan_ref, x.created_at, x.updated_at, x.version, \
    x.archived_at";
const ORDER: &str = "a.slug, x.position";

fn summary(r: &AnyRow) -> Result<ActionSummary> {
    Ok(ActionSummary {
        id: col(r, 0)?,
        agenda_slug: col(r, 1)?,
        agenda_title: col(r, 2)?,
        objective_code: col(r, 3)?,
        code: col(r, 4)?,
        title: col(r, 5)?,
        term: code(r, 6)?,
        status: code(r, 7)?,
        start_date: col(r, 8)?,
        end_date: col(r, 9)?,
        lead: org_ref_opt(r, 10)?,
        is_demo: flag(r, 12)?,
    })
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
        let select = format!("{COLUMNS}{FROM}");
        let count = format!("SELECT COUNT(*){FROM}");
        paged(&self.pool, &select, &count, |s| filter.apply(s), ORDER, page, summary).await
    }

    pub(crate) async fn actions_of_agenda(&self, agenda_id: &str) -> Result<Vec<ActionSummary>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND x.archived_at IS NULL AND a.id = ").bind(agenda_id).push(" ORDER BY x.position");
        sql.fetch_all(&self.pool).await?.iter().map(summary).collect()
    }

    /// Action summaries matching a filter, unpaged (for detail pages of organisations and assets).
    pub(crate) async fn actions_where(&self, filter: &ActionFilter) -> Result<Vec<ActionSummary>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        filter.apply(&mut sql);
        sql.push(" ORDER BY ").push(ORDER);
        sql.fetch_all(&self.pool).await?.iter().map(summary).collect()
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
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(ActionPartner {
                    organization: OrganizationRef { slug: col(r, 0)?, name: col(r, 1)? },
                    role: code(r, 2)?,
                    role_description: col(r, 3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let mut q = Sql::new(
            "SELECT xt.vocabulary, v.code, v.label_it, v.label_en FROM action_terms xt \
             JOIN vocabulary_terms v ON v.vocabulary = xt.vocabulary AND v.code = xt.code WHERE xt.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY v.position");
        let mut terms: HashMap<Vocabulary, Vec<_>> = HashMap::new();
        for r in q.fetch_all(&self.pool).await? {
            terms.entry(code(&r, 0)?).or_default().push(term(&r, 1)?);
        }

        let mut q = Sql::new(
            "SELECT v.code, v.label_it, v.label_en, b.amount_cents, b.cup, b.description, b.id FROM budget_lines b \
             JOIN vocabulary_terms v ON v.vocabulary = b.funding_vocabulary AND v.code = b.funding_source WHERE b.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY b.position");
        let budget = q
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(BudgetLine {
                    id: col(r, 6)?,
                    funding_source: term(r, 0)?,
                    amount_cents: col(r, 3)?,
                    cup: col(r, 4)?,
                    description: col(r, 5)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;

        let mut q = Sql::new(
            "SELECT d.slug, d.name, d.kind FROM action_assets aa JOIN digital_assets d ON d.id = aa.asset_id WHERE aa.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY d.name");
        let assets = q
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(AssetRef { slug: col(r, 0)?, name: col(r, 1)?, kind: code(r, 2)? }))
            .collect::<Result<Vec<_>>>()?;

        let mut q = Sql::new(
            "SELECT r.id, r.kind, r.description, i.id, i.name, i.unit, i.baseline_value, i.baseline_year, \
             i.target_value, i.target_year, i.direction FROM expected_results r \
             LEFT JOIN indicators i ON i.result_id = r.id WHERE r.action_id = ",
        );
        q.bind(id.clone()).push(" ORDER BY r.position, i.position");
        let mut results: Vec<ExpectedResult> = Vec::new();
        for r in q.fetch_all(&self.pool).await? {
            let result_id: String = col(&r, 0)?;
            if results.last().map(|x| x.id != result_id).unwrap_or(true) {
                results.push(ExpectedResult {
                    id: result_id,
                    kind: code(&r, 1)?,
                    description: col(&r, 2)?,
                    indicators: vec![],
                });
            }
            if let Some(indicator_id) = col::<Option<String>>(&r, 3)? {
                let indicator = Indicator {
                    id: indicator_id,
                    name: col(&r, 4)?,
                    unit: col(&r, 5)?,
                    baseline_value: col(&r, 6)?,
                    baseline_year: col(&r, 7)?,
                    target_value: col(&r, 8)?,
                    target_year: col(&r, 9)?,
                    direction: code(&r, 10)?,
                };
                results.last_mut().expect("pushed above").indicators.push(indicator);
            }
        }

        Ok(Some(Action {
            objective_title: col(&row, 13)?,
            description: col(&row, 14)?,
            zone_plan_ref: col(&row, 15)?,
            created_at: col(&row, 16)?,
            updated_at: col(&row, 17)?,
            version: col(&row, 18)?,
            archived_at: col(&row, 19)?,
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
