//! Agendas and their objectives.

use agio_domain::model::{ActionSummary, Agenda, AssetRef, Objective, OrganizationRef, Term};
use agio_domain::{AgendaStatus, Page, PageRequest};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

use super::{code, col, flag, paged, push_contains, term, territory_ref};
use crate::sql::Sql;
use crate::{Result, Store};

const FROM: &str = " FROM agendas a JOIN territories t ON t.id = a.territory_id \
    LEFT JOIN territories tp ON tp.id = t.parent_id WHERE 1 = 1";
const COLUMNS: &str = "SELECT a.id, a.slug, a.title, t.code, t.slug, t.name, t.kind, a.period_start, a.period_end, \
    a.status, a.vision, a.context, a.is_demo, \
    (SELECT COUNT(*) FROM objectives o WHERE o.agenda_id = a.id AND o.archived_at IS NULL), \
    (SELECT COUNT(*) FROM actions x WHERE x.agenda_id = a.id AND x.archived_at IS NULL), a.created_at, a.updated_at, a.version";

fn agenda(r: &AnyRow) -> Result<Agenda> {
    Ok(Agenda {
        id: col(r, 0)?,
        slug: col(r, 1)?,
        title: col(r, 2)?,
        territory: territory_ref(r, 3)?,
        period_start: col(r, 7)?,
        period_end: col(r, 8)?,
        status: code(r, 9)?,
        vision: col(r, 10)?,
        context: col(r, 11)?,
        is_demo: flag(r, 12)?,
        objectives_count: col(r, 13)?,
        actions_count: col(r, 14)?,
        created_at: col(r, 15)?,
        updated_at: col(r, 16)?,
        version: col(r, 17)?,
    })
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
            sql.push(" AND (t.code = ")
                .bind(t.clone())
                .push(" OR t.slug = ")
                .bind(t.clone())
                .push(" OR tp.code = ")
                .bind(t.clone())
                .push(" OR tp.slug = ")
                .bind(t.clone())
                .push(" OR t.id IN (SELECT c.parent_id FROM territories c WHERE c.code = ")
                .bind(t.clone())
                .push(" OR c.slug = ")
                .bind(t.clone())
                .push("))");
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

const OBJECTIVE_COLUMNS: &str =
    "SELECT o.id, a.slug, o.code, o.position, o.title, o.description, o.created_at, o.updated_at, o.archived_at \
    FROM objectives o JOIN agendas a ON a.id = o.agenda_id WHERE 1 = 1";

fn objective(r: &AnyRow) -> Result<Objective> {
    Ok(Objective {
        id: col(r, 0)?,
        agenda_slug: col(r, 1)?,
        code: col(r, 2)?,
        position: col(r, 3)?,
        title: col(r, 4)?,
        description: col(r, 5)?,
        created_at: col(r, 6)?,
        updated_at: col(r, 7)?,
        archived_at: col(r, 8)?,
    })
}

impl Store {
    pub async fn list_agendas(&self, filter: &AgendaFilter, page: PageRequest) -> Result<Page<Agenda>> {
        let select = format!("{COLUMNS}{FROM}");
        let count = format!("SELECT COUNT(*){FROM}");
        paged(&self.pool, &select, &count, |s| filter.apply(s), "a.period_start DESC, t.name, a.title", page, agenda)
            .await
    }

    pub async fn agenda(&self, slug: &str) -> Result<Option<Agenda>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND a.slug = ").bind(slug);
        sql.fetch_optional(&self.pool).await?.as_ref().map(agenda).transpose()
    }

    /// Agendas a citizen sees as published (in consultation or approved), newest period first.
    pub async fn published_agendas(&self) -> Result<Vec<Agenda>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND a.status IN ('consultation', 'approved') ORDER BY a.period_start DESC, t.name, a.title");
        sql.fetch_all(&self.pool).await?.iter().map(agenda).collect()
    }

    pub(crate) async fn agendas_of_territory(&self, territory_id: &str) -> Result<Vec<Agenda>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND a.status <> 'draft' AND (t.id = ")
            .bind(territory_id)
            .push(" OR t.parent_id = ")
            .bind(territory_id)
            .push(") ORDER BY a.period_start DESC, a.title");
        sql.fetch_all(&self.pool).await?.iter().map(agenda).collect()
    }

    /// Objectives of one agenda (by slug), or of all agendas.
    pub async fn list_objectives(&self, agenda_slug: Option<&str>, page: PageRequest) -> Result<Page<Objective>> {
        let filter = |s: &mut Sql| {
            s.push(" AND a.status <> 'draft' AND o.archived_at IS NULL");
            if let Some(slug) = agenda_slug {
                s.push(" AND a.slug = ").bind(slug);
            }
        };
        let count = "SELECT COUNT(*) FROM objectives o JOIN agendas a ON a.id = o.agenda_id WHERE 1 = 1";
        paged(&self.pool, OBJECTIVE_COLUMNS, count, filter, "a.slug, o.position", page, objective).await
    }

    pub async fn objective(&self, agenda_slug: &str, code: &str) -> Result<Option<Objective>> {
        let mut sql = Sql::new(OBJECTIVE_COLUMNS);
        sql.push(" AND a.slug = ").bind(agenda_slug).push(" AND o.code = ").bind(code);
        sql.fetch_optional(&self.pool).await?.as_ref().map(objective).transpose()
    }

    /// The objectives of one agenda in their order, whatever its status (its editors work on
    /// the draft), without the archived ones.
    pub async fn objectives_of_agenda(&self, agenda_id: &str) -> Result<Vec<Objective>> {
        let mut sql = Sql::new(OBJECTIVE_COLUMNS);
        sql.push(" AND o.archived_at IS NULL AND a.id = ").bind(agenda_id).push(" ORDER BY o.position");
        sql.fetch_all(&self.pool).await?.iter().map(objective).collect()
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
            "SELECT g.slug, g.name, v.code, v.label_it, v.label_en, \
             CAST(SUM(CASE WHEN ao.role = 'lead' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN ao.role = 'partner' THEN 1 ELSE 0 END) AS BIGINT) \
             FROM action_organizations ao JOIN actions x ON x.id = ao.action_id \
             JOIN organizations g ON g.id = ao.organization_id \
             JOIN vocabulary_terms v ON v.vocabulary = g.org_type_vocabulary AND v.code = g.org_type \
             WHERE x.archived_at IS NULL AND x.agenda_id = ",
        );
        sql.bind(agenda.id.clone())
            .push(" GROUP BY g.slug, g.name, v.code, v.label_it, v.label_en ORDER BY 6 DESC, g.name");
        let partners = sql
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AgendaPartner {
                    organization: OrganizationRef { slug: col(r, 0)?, name: col(r, 1)? },
                    org_type: term(r, 2)?,
                    leads: col(r, 5)?,
                    joins: col(r, 6)?,
                })
            })
            .collect::<Result<_>>()?;

        let mut sql = Sql::new(
            "SELECT DISTINCT d.slug, d.name, d.kind FROM action_assets aa JOIN actions x ON x.id = aa.action_id \
             JOIN digital_assets d ON d.id = aa.asset_id WHERE x.archived_at IS NULL AND x.agenda_id = ",
        );
        sql.bind(agenda.id.clone()).push(" ORDER BY d.name");
        let assets = sql
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(AssetRef { slug: col(r, 0)?, name: col(r, 1)?, kind: code(r, 2)? }))
            .collect::<Result<_>>()?;
        Ok(Some(AgendaDetail { agenda, objectives, partners, assets }))
    }
}
