//! Agendas and their objectives, as editors read and write them.

use agio_domain::access::AgendaFacts;
use agio_domain::edit::{AgendaEdit, NewAgenda, ObjectiveEdit};
use agio_domain::lab::{IdeaOrigin, OriginKind};
use agio_domain::AgendaStatus;
use sqlx::any::AnyRow;

use super::{Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, col, from_row};
use crate::sql::{columns, Sql};
use crate::versions::{parse_snapshot, VersionInfo};
use crate::{now, Backend, Result, Store, StoreError};

const AGENDA_EDIT: &str = "SELECT id, title, version, period_start, period_end, vision, context, status FROM agendas";

fn agenda_edit(r: &AnyRow) -> Result<(Editable<AgendaEdit>, AgendaStatus)> {
    Ok((
        from_row!(r, Editable {
            id, version;
            label: col(r, "title")?,
            fields: from_row!(r, AgendaEdit { title, period_start, period_end, vision, context }),
        }),
        code(r, "status")?,
    ))
}

const OBJECTIVE_EDIT: &str = "SELECT o.id, o.code, o.title, o.version, o.description FROM objectives o";

fn objective_edit(r: &AnyRow) -> Result<Editable<ObjectiveEdit>> {
    Ok(from_row!(r, Editable {
        id, version;
        label: format!("{} {}", col::<String>(r, "code")?, col::<String>(r, "title")?),
        fields: from_row!(r, ObjectiveEdit { title, description }),
    }))
}

impl Store {
    pub async fn agenda_for_edit(&self, slug: &str) -> Result<Option<(Editable<AgendaEdit>, AgendaStatus)>> {
        let mut sql = Sql::new(AGENDA_EDIT);
        sql.push(" WHERE slug = ").bind(slug);
        sql.map_optional(&self.pool, agenda_edit).await
    }

    pub async fn objective_for_edit(&self, agenda_slug: &str, code: &str) -> Result<Option<Editable<ObjectiveEdit>>> {
        let mut sql = Sql::new(OBJECTIVE_EDIT);
        sql.push(" JOIN agendas a ON a.id = o.agenda_id WHERE a.slug = ")
            .bind(agenda_slug)
            .push(" AND o.code = ")
            .bind(code);
        sql.map_optional(&self.pool, objective_edit).await
    }

    /// What decides who may act on an agenda and its content (see `agio_domain::access`).
    pub async fn agenda_facts(&self, slug: &str) -> Result<Option<AgendaFacts>> {
        let Some(row) = self.facts_query(slug, None).fetch_optional(&self.pool).await? else { return Ok(None) };
        Ok(Some(facts_of(&row)?))
    }

    /// Everything a public agenda or action page reads, in one statement: the agenda's facts;
    /// what its latest approved version shows of `part`, if it has one; its district's published
    /// profile gaps; its Decidim process; and the Community Lab's origins of its actions.
    /// The pages are among the most read, and each statement costs two thread hand-offs.
    pub async fn agenda_page<T: serde::de::DeserializeOwned, G: serde::de::DeserializeOwned>(
        &self,
        slug: &str,
        part: Published<'_>,
    ) -> Result<Option<AgendaPageReads<T, G>>> {
        let Some(row) = self.facts_query(slug, Some(part)).fetch_optional(&self.pool).await? else { return Ok(None) };
        let facts = facts_of(&row)?;
        let published = match col::<Option<i64>>(&row, "version_number")? {
            Some(number) => {
                let info = VersionInfo {
                    number,
                    created_at: col(&row, "version_created_at")?,
                    note: col(&row, "version_note")?,
                };
                let shown: Option<String> = col(&row, "published")?;
                Some((info, shown.map(|text| parse_snapshot(&text)).transpose()?))
            }
            None => None,
        };
        let district = match col::<Option<String>>(&row, "district_gaps")? {
            Some(gaps) => Some((col(&row, "district_slug")?, col(&row, "district_name")?, parse_json(&gaps, "gaps")?)),
            None => None,
        };
        let origins = match col::<Option<String>>(&row, "process_title")? {
            Some(title) => Some((title, origins_of(col(&row, "origins")?)?)),
            None => None,
        };
        Ok(Some(AgendaPageReads { facts, published, district, decidim_title: col(&row, "decidim_title")?, origins }))
    }

    /// The facts' statement, with the latest version's number, date, note and `part` when asked.
    fn facts_query(&self, slug: &str, part: Option<Published<'_>>) -> Sql {
        // The lead organisations come in the same row, joined by commas (ids are UUIDs): every
        // agenda and action page asks for these facts first, so they cost one statement.
        let leads = match self.backend {
            Backend::Sqlite => "group_concat(DISTINCT ao.organization_id)",
            Backend::Postgres => "string_agg(DISTINCT ao.organization_id, ',')",
        };
        let mut sql = Sql::new(&format!(
            "SELECT a.id AS agenda_id, a.status, t.id AS territory_id, p.id AS parent_id, g.id AS grandparent_id, \
             (SELECT {leads} FROM action_organizations ao JOIN actions x ON x.id = ao.action_id \
              WHERE ao.role = 'lead' AND x.archived_at IS NULL AND x.agenda_id = a.id) AS leads"
        ));
        if let Some(part) = part {
            let latest = "FROM agenda_versions v WHERE v.agenda_id = a.id ORDER BY v.number DESC LIMIT 1";
            for (column, name) in
                [("number", "version_number"), ("created_at", "version_created_at"), ("note", "version_note")]
            {
                sql.push(&format!(", (SELECT v.{column} {latest}) AS {name}"));
            }
            let page = match part {
                Published::Agenda => "",
                Published::Action(code) => code,
            };
            sql.push(&format!(", (SELECT p.body FROM agenda_version_pages p WHERE p.version_id = (SELECT v.id {latest}) AND p.page = "))
                .bind(page.to_string())
                .push(") AS published");
            sql.push(&page_extras(self.backend));
        }
        sql.push(
            " FROM agendas a JOIN territories t ON t.id = a.territory_id \
             LEFT JOIN territories p ON p.id = t.parent_id LEFT JOIN territories g ON g.id = p.parent_id",
        );
        if part.is_some() {
            // The latest version of the published profile of the district among the agenda's
            // territory and those containing it.
            sql.push(
                " LEFT JOIN profile_versions dv ON dv.id = (SELECT v.id FROM profile_versions v \
                 JOIN profiles dp ON dp.id = v.profile_id JOIN territories dt ON dt.id = dp.territory_id \
                 WHERE dp.status = 'published' AND dt.kind = 'district' AND dt.id IN (t.id, p.id, g.id) \
                 ORDER BY v.number DESC LIMIT 1) \
                 LEFT JOIN profiles dp ON dp.id = dv.profile_id LEFT JOIN territories dt ON dt.id = dp.territory_id",
            );
        }
        sql.push(" WHERE a.slug = ");
        sql.bind(slug.to_string());
        sql
    }
}

/// Which page of an approved version: the agenda's, or one action's (by code).
#[derive(Debug, Clone, Copy)]
pub enum Published<'a> {
    Agenda,
    Action(&'a str),
}

/// What a public agenda or action page reads (`Store::agenda_page`).
#[derive(Debug, Clone)]
pub struct AgendaPageReads<T, G> {
    pub facts: AgendaFacts,
    /// The latest approved version and what it shows of the page, if it has one.
    pub published: Option<(VersionInfo, Option<T>)>,
    /// The district's published profile: (district slug, district name, gaps of its latest version).
    pub district: Option<(String, String, G)>,
    /// The title of the agenda's Decidim process (its slug when Decidim gave none).
    pub decidim_title: Option<String>,
    /// The agenda's Community Lab process's title, and the origins of its actions in the order
    /// the pages list them: by action, ideas then meetings then pacts, each by number.
    pub origins: Option<(String, Vec<IdeaOrigin>)>,
}

/// The columns of the page's statement beyond the facts and the version: the district's
/// profile (from the joins `dv`, `dt`), the Decidim process, and the Lab's origins as one JSON
/// array of `[action code, number, title, supports, kind, action position]`.
fn page_extras(backend: Backend) -> String {
    let (aggregate, close) = match backend {
        Backend::Sqlite => ("json_group_array(json_array(", "))"),
        Backend::Postgres => ("CAST(json_agg(json_build_array(", ")) AS TEXT)"),
    };
    let lab = "JOIN lab_processes l ON l.id = i.process_id JOIN actions x ON x.id = i.action_id \
               WHERE i.answer = 'accepted' AND x.archived_at IS NULL AND l.agenda_id = a.id";
    format!(
        ", dt.slug AS district_slug, dt.name AS district_name, dv.gaps AS district_gaps, \
         (SELECT COALESCE(NULLIF(s.process_title, ''), s.process_slug) FROM decidim_sources s WHERE s.agenda_id = a.id) AS decidim_title, \
         (SELECT l.title FROM lab_processes l WHERE l.agenda_id = a.id) AS process_title, \
         (SELECT {aggregate}o.code, o.number, o.title, o.supports, o.kind, o.position{close} FROM (\
           SELECT x.code, i.number, i.title, i.supports, 0 AS kind, x.position FROM lab_ideas i {lab} \
           UNION ALL SELECT DISTINCT x.code, m.number, m.title, 0, 1, x.position FROM lab_meeting_ideas mi \
             JOIN lab_meetings m ON m.id = mi.meeting_id JOIN lab_ideas i ON i.id = mi.idea_id {lab} \
           UNION ALL SELECT x.code, c.number, c.title, 0, 2, x.position FROM lab_pacts c \
             JOIN lab_processes l ON l.id = c.process_id JOIN actions x ON x.id = c.action_id \
             WHERE x.archived_at IS NULL AND l.agenda_id = a.id) o) AS origins"
    )
}

/// The origins' JSON array (NULL when there are none), in the pages' order.
fn origins_of(json: Option<String>) -> Result<Vec<IdeaOrigin>> {
    let Some(json) = json else { return Ok(Vec::new()) };
    let rows: Vec<(String, i64, String, i64, i64, i64)> = parse_json(&json, "origins")?;
    let mut rows: Vec<_> = rows
        .into_iter()
        .map(|(code, number, title, supports, kind, position)| {
            let kind = match kind {
                0 => OriginKind::Idea,
                1 => OriginKind::Meeting,
                _ => OriginKind::Pact,
            };
            (position, kind as u8, IdeaOrigin { action_code: code, number, title, supports, kind })
        })
        .collect();
    rows.sort_by_key(|(position, kind, origin)| (*position, *kind, origin.number));
    Ok(rows.into_iter().map(|(_, _, origin)| origin).collect())
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::InvalidData(format!("agenda page {what}: {e}")))
}

fn facts_of(row: &AnyRow) -> Result<AgendaFacts> {
    let agenda_id: String = col(row, "agenda_id")?;
    let status: AgendaStatus = code(row, "status")?;
    let territory_path = ["territory_id", "parent_id", "grandparent_id"]
        .into_iter()
        .filter_map(|name| col::<Option<String>>(row, name).transpose())
        .collect::<Result<_>>()?;
    let leads: Option<String> = col(row, "leads")?;
    let mut lead_organizations: Vec<String> = leads.iter().flat_map(|l| l.split(',')).map(str::to_string).collect();
    lead_organizations.sort();
    Ok(AgendaFacts { agenda_id, territory_path, public: status != AgendaStatus::Draft, lead_organizations })
}

impl WriteTx {
    async fn reread_agenda(&mut self, id: &str) -> Result<(Editable<AgendaEdit>, AgendaStatus)> {
        let mut sql = Sql::new(AGENDA_EDIT);
        sql.push(" WHERE id = ").bind(id);
        sql.map_one(&mut *self.tx, agenda_edit).await
    }

    /// Creates an agenda, as a draft, for the territory with id `territory_id`; returns its slug.
    pub async fn create_agenda(&mut self, territory_id: &str, new: &NewAgenda) -> Result<String> {
        let slug = self.free_slug("agendas", &new.agenda.title).await?;
        let (id, at) = (crate::new_id(), now());
        let a = &new.agenda;
        let insert = Sql::insert(
            "agendas",
            columns![
                "id" => id.clone(), "slug" => slug.clone(), "territory_id" => territory_id, "title" => a.title.clone(),
                "period_start" => a.period_start, "period_end" => a.period_end, "status" => "draft",
                "vision" => a.vision.clone(), "context" => a.context.clone(), "created_at" => at.clone(),
                "updated_at" => at,
            ],
        );
        self.create_record(vec![insert], EntityRef { kind: "agenda", id: &id, label: &a.title }, new).await?;
        Ok(slug)
    }

    pub async fn update_agenda(
        &mut self,
        agenda_id: &str,
        edit: &AgendaEdit,
        expected_version: i64,
    ) -> Result<Saved<AgendaEdit>> {
        let (before, _) = self.reread_agenda(agenda_id).await?;
        let update = Sql::update(
            "agendas",
            columns![
                "title" => edit.title.clone(), "period_start" => edit.period_start, "period_end" => edit.period_end,
                "vision" => edit.vision.clone(), "context" => edit.context.clone(),
            ],
            agenda_id,
        );
        let audit =
            Audit::update(EntityRef { kind: "agenda", id: agenda_id, label: &before.label }, &before.fields, edit);
        let guard = Guard { table: "agendas", id: agenda_id, expected: expected_version };
        self.versioned_update(guard, before.fields, vec![update], audit).await
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
        let update = Sql::update("agendas", columns!["status" => to.code()], agenda_id);
        let entity = EntityRef { kind: "agenda", id: agenda_id, label: &before.label };
        let (b, a) = (serde_json::json!({ "status": from }), serde_json::json!({ "status": to }));
        let audit = Audit { records: vec![(entity, "status")], before: b, after: a, note };
        let guard = Guard { table: "agendas", id: agenda_id, expected: expected_version };
        self.versioned_update(guard, from, vec![update], audit).await
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
        let insert = Sql::insert(
            "objectives",
            columns![
                "id" => id.clone(), "agenda_id" => agenda_id, "code" => code.clone(), "position" => position,
                "title" => new.title.clone(), "description" => new.description.clone(),
                "created_at" => at.clone(), "updated_at" => at,
            ],
        );
        let label = format!("{agenda_label} — {code}");
        self.create_record(vec![insert], EntityRef { kind: "objective", id: &id, label: &label }, new).await?;
        Ok(code)
    }

    pub async fn update_objective(
        &mut self,
        objective_id: &str,
        edit: &ObjectiveEdit,
        expected_version: i64,
    ) -> Result<Saved<ObjectiveEdit>> {
        let mut sql = Sql::new(OBJECTIVE_EDIT);
        sql.push(" WHERE o.id = ").bind(objective_id);
        let before = sql.map_one(&mut *self.tx, objective_edit).await?;
        let update = Sql::update(
            "objectives",
            columns!["title" => edit.title.clone(), "description" => edit.description.clone()],
            objective_id,
        );
        let entity = EntityRef { kind: "objective", id: objective_id, label: &before.label };
        let audit = Audit::update(entity, &before.fields, edit);
        let guard = Guard { table: "objectives", id: objective_id, expected: expected_version };
        self.versioned_update(guard, before.fields, vec![update], audit).await
    }
}
