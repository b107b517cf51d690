//! Demo Community Labs (`data/demo/lab.json`), flagged `is_demo`: a finished process for the
//! Bassa Reggiana, whose answered ideas lead to the agenda's actions, and an open idea
//! collection for Rimini, so a visitor can propose, support and comment at once.

use std::collections::HashMap;

use agio_domain::access::Scope;
use agio_domain::lab::{IdeaEdit, ProcessEdit};
use agio_domain::{Role, VoteMethod};
use serde::Deserialize;

use crate::audit::{Actor, WriteTx};
use crate::read::col;
use crate::sql::Sql;
use crate::{NewPerson, Result, Store, StoreError, DEMO_PASSWORD};

const LAB_FILE: &str = include_str!("../../../data/demo/lab.json");
/// What an import of the example answers of a Decidim instance reads (`agio-decidim`'s tests
/// check that it still is), for one demo agenda.
const DECIDIM_FILE: &str = include_str!("../../../data/demo/decidim.json");

#[derive(Deserialize)]
struct DecidimDemo {
    agenda: String,
    source: agio_domain::decidim::DecidimSourceEdit,
    snapshot: agio_domain::decidim::DecidimSnapshot,
}

#[derive(Deserialize)]
struct LabFile {
    people: Vec<DemoPerson>,
    processes: Vec<DemoProcess>,
}

#[derive(Deserialize)]
struct DemoPerson {
    email: String,
    name: String,
}

#[derive(Deserialize)]
struct DemoProcess {
    agenda: String,
    title: String,
    description: String,
    active_phase: String,
    vote_method: VoteMethod,
    vote_points: Option<i64>,
    /// Phase code → (starts, ends, description).
    phases: HashMap<String, (Option<String>, Option<String>, String)>,
    ideas: Vec<DemoIdea>,
    /// The numbers of the ideas admitted to the vote.
    admitted: Vec<i64>,
    /// Approval ballots: who, and the ideas they approve.
    ballots: Vec<DemoBallot>,
    meetings: Vec<DemoMeeting>,
    pacts: Vec<DemoPact>,
    /// People taking part for an organisation: asked, and confirmed or not yet.
    #[serde(default)]
    representatives: Vec<DemoRepresentative>,
}

#[derive(Deserialize)]
struct DemoRepresentative {
    person: String,
    organization: String,
    role: String,
    status: agio_domain::RepresentationStatus,
}

#[derive(Deserialize)]
struct DemoPact {
    #[serde(flatten)]
    fields: agio_domain::lab::PactEdit,
    reports: Vec<agio_domain::lab::PactReportEdit>,
}

#[derive(Deserialize)]
struct DemoMeeting {
    #[serde(flatten)]
    fields: agio_domain::lab::MeetingEdit,
    /// Who registered, in order, and who came.
    registered: Vec<String>,
    attended: Vec<String>,
    /// Documents uploaded after it: (file name, text).
    #[serde(default)]
    documents: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct DemoBallot {
    by: String,
    ideas: Vec<i64>,
}

#[derive(Deserialize)]
struct DemoIdea {
    author: String,
    title: String,
    body: String,
    comune: Option<String>,
    target_groups: Vec<String>,
    supports: Vec<String>,
    comments: Vec<DemoComment>,
    /// Reports to the moderators.
    #[serde(default)]
    reports: Vec<DemoReport>,
    answer: Option<DemoAnswer>,
    /// The organisation its author proposes it for (one they represent), by slug.
    #[serde(default)]
    on_behalf_of: Option<String>,
}

#[derive(Deserialize)]
struct DemoReport {
    by: String,
    reason: String,
}

#[derive(Deserialize)]
struct DemoComment {
    author: String,
    body: String,
}

#[derive(Deserialize)]
struct DemoAnswer {
    answer: String,
    action_code: Option<String>,
    merged_into: Option<i64>,
    note: String,
}

async fn id_of(w: &mut WriteTx, sql: &str, key: &str) -> Result<Option<String>> {
    let mut q = Sql::new(sql);
    q.bind(key);
    q.map_optional(&mut *w.tx, |r| col::<String>(r, "id")).await
}

/// `day` (`YYYY-MM-DD`) plus `days`, at ten in the morning UTC, as stored.
fn demo_time(day: &str, days: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(day, format).unwrap_or(time::Date::MIN) + time::Duration::days(days);
    format!("{date}T10:00:00Z")
}

/// The id of the demo person with `email`, looked up once.
async fn person(w: &mut WriteTx, people: &mut HashMap<String, String>, email: &str) -> Result<String> {
    if let Some(id) = people.get(email) {
        return Ok(id.clone());
    }
    let id = id_of(w, "SELECT id FROM people WHERE email = ", email)
        .await?
        .ok_or_else(|| StoreError::InvalidData(format!("data/demo/lab.json names unknown person {email}")))?;
    people.insert(email.to_string(), id.clone());
    Ok(id)
}

impl Store {
    /// Gives the demo agenda its Decidim source and what an import of it read, once.
    pub async fn load_demo_decidim(&self) -> Result<bool> {
        let demo: DecidimDemo = serde_json::from_str(DECIDIM_FILE)
            .map_err(|e| StoreError::InvalidData(format!("data/demo/decidim.json: {e}")))?;
        let mut w = self.begin_write(&Actor::import()).await?;
        let Some(agenda_id) = id_of(&mut w, "SELECT id FROM agendas WHERE slug = ", &demo.agenda).await? else {
            return Ok(false);
        };
        if id_of(&mut w, "SELECT id FROM decidim_sources WHERE agenda_id = ", &agenda_id).await?.is_some() {
            return Ok(false);
        }
        let id = w.create_decidim_source(&agenda_id, &demo.source, true).await?;
        let source = agio_domain::decidim::DecidimSource {
            id,
            instance_url: demo.source.instance_url.clone(),
            process_slug: demo.source.process_slug.clone(),
            process_title: String::new(),
            process_url: String::new(),
            synced_at: None,
            last_error: None,
            is_demo: true,
            version: 1,
            agenda_title: String::new(),
        };
        w.apply_decidim_snapshot(&source, &demo.snapshot).await?;
        w.commit().await?;
        Ok(true)
    }

    /// Loads the demo processes whose agenda has none yet; returns how many.
    pub async fn load_demo_lab(&self) -> Result<usize> {
        let file: LabFile =
            serde_json::from_str(LAB_FILE).map_err(|e| StoreError::InvalidData(format!("data/demo/lab.json: {e}")))?;
        let mut w = self.begin_write(&Actor::import()).await?;
        let mut people: HashMap<String, String> = HashMap::new();
        for p in &file.people {
            if id_of(&mut w, "SELECT id FROM people WHERE email = ", &p.email).await?.is_none() {
                let person = w
                    .create_person(&NewPerson {
                        email: p.email.clone(),
                        name: p.name.clone(),
                        organization_name: String::new(),
                        password_hash: Some(agio_domain::credentials::hash_password(DEMO_PASSWORD)),
                        is_demo: true,
                    })
                    .await?;
                w.grant_role(&person, Role::Citizen, &Scope::Everywhere).await?;
            }
        }
        let mut loaded = 0;
        for p in &file.processes {
            let Some(agenda_id) = id_of(&mut w, "SELECT id FROM agendas WHERE slug = ", &p.agenda).await? else {
                continue;
            };
            if id_of(&mut w, "SELECT id FROM lab_processes WHERE agenda_id = ", &agenda_id).await?.is_some() {
                continue;
            }
            let edit = ProcessEdit {
                title: p.title.clone(),
                description: p.description.clone(),
                vote_method: p.vote_method,
                vote_points: p.vote_points,
            };
            let process = w.create_lab_process(&agenda_id, &edit, true).await?;
            let mut active = Sql::new("UPDATE lab_processes SET active_phase = ");
            active.bind(p.active_phase.clone()).push(" WHERE id = ").bind(process.clone());
            let mut statements = vec![active];
            for (kind, (starts, ends, description)) in &p.phases {
                let mut phase = Sql::new("UPDATE lab_phases SET starts_on = ");
                phase.bind(starts.clone()).push(", ends_on = ").bind(ends.clone());
                phase.push(", description = ").bind(description.clone());
                phase.push(" WHERE process_id = ").bind(process.clone()).push(" AND kind = ").bind(kind.clone());
                statements.push(phase);
            }
            w.run(statements).await?;
            for r in &p.representatives {
                let person = person(&mut w, &mut people, &r.person).await?;
                let edit =
                    agio_domain::lab::RepresentationEdit { organization: r.organization.clone(), role: r.role.clone() };
                w.request_representation(&process, &person, &edit).await?;
                if r.status != agio_domain::RepresentationStatus::Pending {
                    let mut decided = Sql::new("UPDATE lab_representatives SET status = ");
                    decided.bind(r.status.code()).push(", decided_at = ").bind(crate::now());
                    decided.push(" WHERE process_id = ").bind(process.clone()).push(" AND person_id = ").bind(person);
                    w.run(vec![decided]).await?;
                }
            }
            let mut ids = Vec::new();
            for idea in &p.ideas {
                ids.push(self.demo_idea(&mut w, &process, &agenda_id, idea, &mut people).await?);
            }
            // The demo's ideas were proposed during its collection, a day apart, and answered
            // when its feedback began.
            let day_of = |kind: &str| p.phases.get(kind).and_then(|(starts, _, _)| starts.clone());
            if let Some(first) = day_of("ideas") {
                for (n, id) in ids.iter().enumerate() {
                    let mut dated = Sql::new("UPDATE lab_ideas SET created_at = ");
                    dated.bind(demo_time(&first, n as i64));
                    if let Some(answered) = day_of("feedback") {
                        dated.push(", answered_at = CASE WHEN answer IS NULL THEN NULL ELSE ");
                        dated.bind(demo_time(&answered, 0)).push(" END");
                    }
                    dated.push(" WHERE id = ").bind(id.clone());
                    w.run(vec![dated]).await?;
                }
            }
            let id_of_number = |n: &i64| ids.get((*n - 1) as usize).cloned();
            let mut admit = Sql::new("UPDATE lab_ideas SET admitted = 1 WHERE id IN (");
            admit.bind_list(p.admitted.iter().filter_map(id_of_number)).push(")");
            if !p.admitted.is_empty() {
                w.run(vec![admit]).await?;
            }
            for m in &p.meetings {
                let ideas: Vec<String> = m
                    .fields
                    .ideas
                    .iter()
                    .filter_map(|n| n.parse().ok())
                    .filter_map(|n: i64| id_of_number(&n))
                    .collect();
                let number = w.create_meeting(&process, &m.fields, &ideas, true).await?;
                let meeting = id_of(
                    &mut w,
                    &format!("SELECT id FROM lab_meetings WHERE number = {number} AND process_id = "),
                    &process,
                )
                .await?
                .ok_or_else(|| StoreError::InvalidData("a demo meeting vanished".into()))?;
                for (name, text) in &m.documents {
                    let kind = agio_domain::document::checked(name, text.len())
                        .map_err(|e| StoreError::InvalidData(format!("demo document {name}: {e:?}")))?;
                    w.add_meeting_document((&meeting, &m.fields.title), &kind.0, kind.1, text.clone().into_bytes())
                        .await?;
                }
                for email in &m.registered {
                    let who = person(&mut w, &mut people, email).await?;
                    w.register_for_meeting(&meeting, m.fields.capacity, &who).await?;
                    if m.attended.contains(email) {
                        let mut came =
                            Sql::new("UPDATE lab_meeting_registrations SET attended = 1 WHERE meeting_id = ");
                        came.bind(meeting.clone()).push(" AND person_id = ").bind(who);
                        w.run(vec![came]).await?;
                    }
                }
            }
            for pact in &p.pacts {
                let action = match &pact.fields.action_code {
                    Some(code) => {
                        let mut q = Sql::new("SELECT id FROM actions WHERE agenda_id = ");
                        q.bind(agenda_id.clone()).push(" AND code = ").bind(code.clone());
                        q.map_optional(&mut *w.tx, |r| col::<String>(r, "id")).await?
                    }
                    None => None,
                };
                let number = w.create_pact(&process, &pact.fields, action.as_deref(), true).await?;
                let id = id_of(
                    &mut w,
                    &format!("SELECT id FROM lab_pacts WHERE number = {number} AND process_id = "),
                    &process,
                )
                .await?
                .ok_or_else(|| StoreError::InvalidData("a demo pact vanished".into()))?;
                for r in &pact.reports {
                    let row = Sql::insert(
                        "lab_pact_reports",
                        crate::sql::columns![
                            "id" => crate::new_id(), "pact_id" => id.clone(), "date" => r.date.clone(),
                            "text" => r.text.clone(), "created_at" => crate::now(),
                        ],
                    );
                    w.run(vec![row]).await?;
                }
            }
            for b in &p.ballots {
                let voter = person(&mut w, &mut people, &b.by).await?;
                let choices: Vec<(String, i64)> = b.ideas.iter().filter_map(id_of_number).map(|id| (id, 1)).collect();
                w.cast_ballot(&process, &voter, &choices).await?;
            }
            loaded += 1;
        }
        w.commit().await?;
        Ok(loaded)
    }

    async fn demo_idea(
        &self,
        w: &mut WriteTx,
        process: &str,
        agenda_id: &str,
        idea: &DemoIdea,
        people: &mut HashMap<String, String>,
    ) -> Result<String> {
        let author = person(w, people, &idea.author).await?;
        let edit = IdeaEdit {
            title: idea.title.clone(),
            body: idea.body.clone(),
            gap_key: None,
            comune: idea.comune.clone(),
            target_groups: idea.target_groups.clone(),
            life_stages: Vec::new(),
            on_behalf_of: idea.on_behalf_of.clone(),
        };
        let number = w.create_idea(process, Some(&author), &edit, true).await?;
        let id = id_of(w, &format!("SELECT id FROM lab_ideas WHERE number = {number} AND process_id = "), process)
            .await?
            .ok_or_else(|| StoreError::InvalidData("a demo idea vanished".into()))?;
        for email in &idea.supports {
            let supporter = person(w, people, email).await?;
            w.support(&id, &supporter).await?;
        }
        for c in &idea.comments {
            let commenter = person(w, people, &c.author).await?;
            let insert = Sql::insert(
                "lab_comments",
                crate::sql::columns![
                    "id" => crate::new_id(), "idea_id" => id.clone(), "author_id" => commenter,
                    "body" => c.body.clone(), "created_at" => crate::now(),
                ],
            );
            let mut count = Sql::new("UPDATE lab_ideas SET comments = comments + 1 WHERE id = ");
            count.bind(id.clone());
            w.run(vec![insert, count]).await?;
        }
        for r in &idea.reports {
            let by = person(w, people, &r.by).await?;
            w.report(&id, &by, &r.reason).await?;
        }
        if let Some(a) = &idea.answer {
            let action = match &a.action_code {
                Some(code) => {
                    let mut q = Sql::new("SELECT id FROM actions WHERE agenda_id = ");
                    q.bind(agenda_id).push(" AND code = ").bind(code.clone());
                    q.map_optional(&mut *w.tx, |r| col::<String>(r, "id")).await?
                }
                None => None,
            };
            let mut answer = Sql::new("UPDATE lab_ideas SET answer = ");
            answer.bind(a.answer.clone()).push(", answer_note = ").bind(a.note.clone());
            answer.push(", action_id = ").bind(action).push(", merged_into = ").bind(a.merged_into);
            answer.push(", answered_at = ").bind(crate::now()).push(" WHERE id = ").bind(id.clone());
            w.run(vec![answer]).await?;
        }
        Ok(id)
    }
}
