//! Agendas and their objectives.

use agio_domain::model::{ActionSummary, Agenda, AssetRef, Objective, OrganizationRef, Term};
use agio_domain::{AgendaStatus, Page, PageRequest};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use super::{
    asset_ref, code, codes, col, flag, from_row, paged, push_code_or_slug, push_contains, term, territory_ref,
};
use crate::sql::Sql;
use crate::{Result, Store};

const FROM: &str = " FROM agendas a JOIN territories t ON t.id = a.territory_id \
    LEFT JOIN territories tp ON tp.id = t.parent_id WHERE 1 = 1";
const COLUMNS: &str = "SELECT a.id, a.slug, a.title, t.code AS territory_code, t.slug AS territory_slug, \
    t.name AS territory_name, t.kind AS territory_kind, a.period_start, a.period_end, a.status, a.vision, a.context, \
    a.is_demo, \
    (SELECT COUNT(*) FROM objectives o WHERE o.agenda_id = a.id AND o.archived_at IS NULL) AS objectives_count, \
    (SELECT COUNT(*) FROM actions x WHERE x.agenda_id = a.id AND x.archived_at IS NULL) AS actions_count, \
    a.created_at, a.updated_at, a.version";

fn agenda(r: &AnyRow) -> Result<Agenda> {
    Ok(from_row!(r, Agenda {
        id, slug, title, period_start, period_end, vision, context, objectives_count, actions_count, created_at,
        updated_at, version;
        territory: territory_ref(r, "territory_")?,
        status: code(r, "status")?,
        is_demo: flag(r, "is_demo")?,
    }))
}

/// Filters shared by the agenda pages and the API.
#[derive(Debug, Clone, Default)]
pub struct AgendaFilter {
    /// Code or slug of a territory: agendas of it, of the territories inside it and of the one containing it.
    pub territory: Option<String>,
    pub status: Option<AgendaStatus>,
    pub target_group: Option<String>,
    pub life_stage: Option<String>,
    pub theme: Option<String>,
    pub q: Option<String>,
}

impl AgendaFilter {
    fn apply(&self, sql: &mut Sql) {
        // Lists are public: drafts are seen only by their circle, through the agenda's own page.
        sql.push(" AND a.status <> 'draft'");
        if let Some(t) = &self.territory {
            // The territory itself, the territories inside it, and the one that contains it.
            sql.push(" AND (");
            push_code_or_slug(sql, "t", t).push(" OR ");
            push_code_or_slug(sql, "tp", t).push(" OR t.id IN (SELECT c.parent_id FROM territories c WHERE ");
            push_code_or_slug(sql, "c", t).push("))");
        }
        if let Some(s) = self.status {
            sql.push(" AND a.status = ").bind(s.code());
        }
        for (vocabulary, value) in
            [("target_group", &self.target_group), ("life_stage", &self.life_stage), ("theme", &self.theme)]
        {
            if let Some(v) = value {
                sql.push(" AND EXISTS (SELECT 1 FROM actions x JOIN action_terms xt ON xt.action_id = x.id WHERE x.agenda_id = a.id AND xt.vocabulary = ")
                    .bind(vocabulary).push(" AND xt.code = ").bind(v.clone()).push(")");
            }
        }
        if let Some(q) = &self.q {
            push_contains(sql, &["a.title", "a.vision", "t.name"], q);
        }
    }
}

/// An objective and its actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectiveWithActions {
    pub objective: Objective,
    pub actions: Vec<ActionSummary>,
}

/// Partner of an agenda: an organisation taking part in at least one of its actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaPartner {
    pub organization: OrganizationRef,
    pub org_type: Term,
    pub leads: i64,
    pub joins: i64,
}

/// Everything the agenda page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaDetail {
    pub agenda: Agenda,
    pub objectives: Vec<ObjectiveWithActions>,
    pub partners: Vec<AgendaPartner>,
    pub assets: Vec<AssetRef>,
}

const OBJECTIVE_COLUMNS: &str = "SELECT o.id, a.slug AS agenda_slug, o.code, o.position, o.title, o.description, \
    o.gaps, o.targets, o.created_at, o.updated_at, o.archived_at";
const OBJECTIVE_FROM: &str = " FROM objectives o JOIN agendas a ON a.id = o.agenda_id WHERE 1 = 1";

fn objective(r: &AnyRow) -> Result<Objective> {
    Ok(from_row!(
        r,
        Objective { id, agenda_slug, code, position, title, description, created_at, updated_at, archived_at;
            gaps: codes(r, "gaps")?, targets: codes(r, "targets")? }
    ))
}

impl Store {
    /// Whether the agenda is demo content (false when there is none).
    pub async fn agenda_is_demo(&self, slug: &str) -> Result<bool> {
        let mut sql = Sql::new("SELECT is_demo FROM agendas WHERE slug = ");
        sql.bind(slug);
        Ok(sql.map_optional(&self.pool, |r| flag(r, "is_demo")).await?.unwrap_or(false))
    }

    pub async fn list_agendas(&self, filter: &AgendaFilter, page: PageRequest) -> Result<Page<Agenda>> {
        paged(&self.pool, COLUMNS, FROM, |s| filter.apply(s), "a.period_start DESC, t.name, a.title", page, agenda)
            .await
    }

    pub async fn agenda(&self, slug: &str) -> Result<Option<Agenda>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND a.slug = ").bind(slug);
        sql.map_optional(&self.pool, agenda).await
    }

    /// Agendas a citizen sees as published (in consultation or approved), newest period first.
    pub async fn published_agendas(&self) -> Result<Vec<Agenda>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND a.status IN ('consultation', 'approved') ORDER BY a.period_start DESC, t.name, a.title");
        sql.map_all(&self.pool, agenda).await
    }

    pub(crate) async fn agendas_of_territory(&self, territory_id: &str) -> Result<Vec<Agenda>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND a.status <> 'draft' AND (t.id = ")
            .bind(territory_id)
            .push(" OR t.parent_id = ")
            .bind(territory_id)
            .push(") ORDER BY a.period_start DESC, a.title");
        sql.map_all(&self.pool, agenda).await
    }

    /// Objectives of one agenda (by slug), or of all agendas.
    pub async fn list_objectives(&self, agenda_slug: Option<&str>, page: PageRequest) -> Result<Page<Objective>> {
        let filter = |s: &mut Sql| {
            s.push(" AND a.status <> 'draft' AND o.archived_at IS NULL");
            if let Some(slug) = agenda_slug {
                s.push(" AND a.slug = ").bind(slug);
            }
        };
        paged(&self.pool, OBJECTIVE_COLUMNS, OBJECTIVE_FROM, filter, "a.slug, o.position", page, objective).await
    }

    pub async fn objective(&self, agenda_slug: &str, code: &str) -> Result<Option<Objective>> {
        let mut sql = Sql::new(&format!("{OBJECTIVE_COLUMNS}{OBJECTIVE_FROM}"));
        sql.push(" AND a.slug = ").bind(agenda_slug).push(" AND o.code = ").bind(code);
        sql.map_optional(&self.pool, objective).await
    }

    /// The objectives of one agenda in their order, whatever its status (its editors work on
    /// the draft), without the archived ones.
    pub async fn objectives_of_agenda(&self, agenda_id: &str) -> Result<Vec<Objective>> {
        let mut sql = Sql::new(&format!("{OBJECTIVE_COLUMNS}{OBJECTIVE_FROM}"));
        sql.push(" AND o.archived_at IS NULL AND a.id = ").bind(agenda_id).push(" ORDER BY o.position");
        sql.map_all(&self.pool, objective).await
    }

    pub async fn agenda_detail(&self, slug: &str) -> Result<Option<AgendaDetail>> {
        let Some(agenda) = self.agenda(slug).await? else { return Ok(None) };
        let objectives = self.objectives_of_agenda(&agenda.id).await?;
        let actions = self.actions_of_agenda(&agenda.id).await?;
        let objectives = objectives
            .into_iter()
            .map(|objective| {
                let actions = actions.iter().filter(|a| a.objective_code == objective.code).cloned().collect();
                ObjectiveWithActions { objective, actions }
            })
            .collect();

        let mut sql = Sql::new(
            "SELECT g.slug, g.name, v.code AS org_type_code, v.label_it AS org_type_label_it, \
             v.label_en AS org_type_label_en, CAST(SUM(CASE WHEN ao.role = 'lead' THEN 1 ELSE 0 END) AS BIGINT) AS leads, \
             CAST(SUM(CASE WHEN ao.role = 'partner' THEN 1 ELSE 0 END) AS BIGINT) AS joins \
             FROM action_organizations ao JOIN actions x ON x.id = ao.action_id \
             JOIN organizations g ON g.id = ao.organization_id \
             JOIN vocabulary_terms v ON v.vocabulary = g.org_type_vocabulary AND v.code = g.org_type \
             WHERE x.archived_at IS NULL AND x.agenda_id = ",
        );
        sql.bind(agenda.id.clone())
            .push(" GROUP BY g.slug, g.name, v.code, v.label_it, v.label_en ORDER BY leads DESC, g.name");
        let partners = sql
            .map_all(&self.pool, |r| {
                Ok(AgendaPartner {
                    organization: OrganizationRef { slug: col(r, "slug")?, name: col(r, "name")? },
                    org_type: term(r, "org_type_")?,
                    leads: col(r, "leads")?,
                    joins: col(r, "joins")?,
                })
            })
            .await?;

        let mut sql = Sql::new(
            "SELECT DISTINCT d.slug, d.name, d.kind FROM action_assets aa JOIN actions x ON x.id = aa.action_id \
             JOIN digital_assets d ON d.id = aa.asset_id WHERE x.archived_at IS NULL AND x.agenda_id = ",
        );
        sql.bind(agenda.id.clone()).push(" ORDER BY d.name");
        let assets = sql.map_all(&self.pool, asset_ref).await?;
        Ok(Some(AgendaDetail { agenda, objectives, partners, assets }))
    }
}
