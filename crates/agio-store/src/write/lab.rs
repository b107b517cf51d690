//! The Community Lab's storage: an agenda's participatory process and its phases, the ideas
//! with their supports, comments and reports, the coordinators' answers, and the prioritisation
//! vote (the ideas admitted, one ballot per person, the tally).

use agio_domain::lab::{
    ActivePhaseEdit, AdmittedEdit, AnswerEdit, Comment, HideEdit, Idea, IdeaAction, IdeaEdit, IdeaSummary,
    Participation, Phase, PhaseEdit, Process, ProcessEdit, Tally,
};
use agio_domain::{IdeaAnswer, IdeaState, Page, PageRequest, PhaseKind};
use sqlx::any::AnyRow;

use super::{json_codes, Audit, Editable, Guard, Saved};
use crate::audit::{EntityRef, WriteTx};
use crate::read::{code, codes, col, flag, from_row, paged};
use crate::sql::{columns, Sql};
use crate::{new_id, now, Result, Store};

/// What a list of ideas is narrowed to, and its order.
#[derive(Debug, Clone, Default)]
pub struct IdeaFilter {
    /// Words in the title or the text.
    pub q: Option<String>,
    pub gap: Option<String>,
    /// A comune, by ISTAT code.
    pub comune: Option<String>,
    pub target_group: Option<String>,
    /// `pending` (no answer yet) or an answer's code.
    pub answer: Option<String>,
    pub sort: IdeaSort,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IdeaSort {
    /// The most supported first.
    #[default]
    Supported,
    Recent,
    Commented,
}

impl IdeaSort {
    pub const CODES: &'static [&'static str] = &["supported", "recent", "commented"];

    pub fn parse(code: &str) -> Option<IdeaSort> {
        match code {
            "supported" => Some(IdeaSort::Supported),
            "recent" => Some(IdeaSort::Recent),
            "commented" => Some(IdeaSort::Commented),
            _ => None,
        }
    }

    fn order(self) -> &'static str {
        match self {
            IdeaSort::Supported => "i.supports DESC, i.number",
            IdeaSort::Recent => "i.number DESC",
            IdeaSort::Commented => "i.comments DESC, i.number",
        }
    }
}

impl IdeaFilter {
    fn apply(&self, process_id: &str, sql: &mut Sql) {
        sql.push(" WHERE i.process_id = ").bind(process_id);
        if let Some(q) = &self.q {
            let like = format!("%{}%", q.to_lowercase().replace(['%', '_'], ""));
            sql.push(" AND (LOWER(i.title) LIKE ").bind(like.clone()).push(" OR LOWER(i.body) LIKE ").bind(like);
            sql.push(")");
        }
        if let Some(gap) = &self.gap {
            sql.push(" AND i.gap_key = ").bind(gap.clone());
        }
        if let Some(comune) = &self.comune {
            sql.push(" AND t.code = ").bind(comune.clone());
        }
        if let Some(group) = &self.target_group {
            sql.push(" AND i.target_groups LIKE ").bind(format!("%\"{}\"%", group.replace(['%', '_', '"'], "")));
        }
        match self.answer.as_deref() {
            Some("pending") => {
                sql.push(" AND i.answer IS NULL");
            }
            Some(answer) => {
                sql.push(" AND i.answer = ").bind(answer.to_string());
            }
            None => {}
        }
    }
}

const IDEA_COLUMNS: &str = "SELECT i.id, i.number, i.title, i.body, i.author_id, p.name AS author, i.created_at, \
     i.state, i.hidden_reason, i.supports, i.comments, i.answer, i.answer_note, i.answered_at, i.gap_key, \
     t.code AS comune_code, t.name AS comune, i.target_groups, i.life_stages, i.merged_into, i.is_demo, \
     i.version, x.code AS action_code, x.title AS action_title, o.name AS organization";
const IDEA_FROM: &str = " FROM lab_ideas i LEFT JOIN people p ON p.id = i.author_id \
     LEFT JOIN territories t ON t.id = i.comune_id LEFT JOIN actions x ON x.id = i.action_id \
     LEFT JOIN organizations o ON o.id = i.organization_id";

fn state(r: &AnyRow) -> Result<IdeaState> {
    code(r, "state")
}

fn summary(r: &AnyRow) -> Result<IdeaSummary> {
    Ok(from_row!(r, IdeaSummary {
        number, title, author, created_at, supports, comments, gap_key, comune, organization;
        state: state(r)?,
        answer: col::<Option<String>>(r, "answer")?.and_then(|a| a.parse::<IdeaAnswer>().ok()),
        is_demo: flag(r, "is_demo")?,
    }))
}

/// What shows of a text: nothing once hidden or withdrawn.
fn shown_text(r: &AnyRow, column: &str) -> Result<String> {
    Ok(match state(r)? {
        IdeaState::Published => col(r, column)?,
        _ => String::new(),
    })
}

fn hidden_reason(r: &AnyRow) -> Result<Option<String>> {
    Ok(Some(col::<String>(r, "hidden_reason")?).filter(|_| state(r).ok() == Some(IdeaState::Hidden)))
}

fn idea(r: &AnyRow) -> Result<Idea> {
    let action = match col::<Option<String>>(r, "action_code")? {
        Some(code) => Some(IdeaAction { code, title: col(r, "action_title")? }),
        None => None,
    };
    Ok(from_row!(r, Idea {
        id, author_id, comune_code, answer_note, answered_at, merged_into, version;
        summary: summary(r)?,
        body: shown_text(r, "body")?,
        hidden_reason: hidden_reason(r)?,
        target_groups: codes(r, "target_groups")?,
        life_stages: codes(r, "life_stages")?,
        action: action,
        comment_list: Vec::new(),
    }))
}

fn phase(r: &AnyRow) -> Result<Phase> {
    Ok(from_row!(r, Phase { starts_on, ends_on, description, version; kind: code(r, "kind")? }))
}

impl Store {
    /// How many take part in the process: its published ideas, their supports, and the people
    /// who proposed, supported or commented.
    pub async fn lab_participation(&self, process_id: &str) -> Result<Participation> {
        let mut sql =
            Sql::new("SELECT (SELECT COUNT(*) FROM lab_ideas i WHERE i.state = 'published' AND i.process_id = ");
        sql.bind(process_id);
        sql.push(
            ") AS ideas, (SELECT CAST(COALESCE(SUM(i.supports), 0) AS BIGINT) FROM lab_ideas i WHERE i.process_id = ",
        );
        sql.bind(process_id);
        sql.push(
            ") AS supports, (SELECT COUNT(*) FROM (SELECT i.author_id AS who FROM lab_ideas i WHERE i.process_id = ",
        );
        sql.bind(process_id);
        sql.push(
            " UNION SELECT s.person_id FROM lab_supports s JOIN lab_ideas i ON i.id = s.idea_id WHERE i.process_id = ",
        );
        sql.bind(process_id);
        sql.push(
            " UNION SELECT c.author_id FROM lab_comments c JOIN lab_ideas i ON i.id = c.idea_id WHERE i.process_id = ",
        );
        sql.bind(process_id);
        sql.push(") w WHERE w.who IS NOT NULL) AS participants");
        let row = sql.fetch_one(&self.pool).await?;
        Ok(from_row!(&row, Participation { ideas, supports, participants }))
    }

    /// The participatory process of agenda `slug`, with its phases.
    pub async fn lab_process(&self, slug: &str) -> Result<Option<Process>> {
        let mut sql = Sql::new(
            "SELECT l.id, a.slug AS agenda_slug, a.title AS agenda_title, l.title, l.description, l.active_phase, \
             l.vote_method, l.vote_points, l.is_demo, l.version \
             FROM lab_processes l JOIN agendas a ON a.id = l.agenda_id WHERE a.slug = ",
        );
        sql.bind(slug);
        let Some(mut process) = sql
            .map_optional(&self.pool, |r| {
                Ok(from_row!(r, Process {
                    id, agenda_slug, agenda_title, title, description, version;
                    active_phase: col::<Option<String>>(r, "active_phase")?.and_then(|p| p.parse().ok()),
                    vote_method: code(r, "vote_method")?,
                    vote_points: Some(col::<i64>(r, "vote_points")?).filter(|p| *p > 0),
                    phases: Vec::new(),
                    is_demo: flag(r, "is_demo")?,
                }))
            })
            .await?
        else {
            return Ok(None);
        };
        let mut phases =
            Sql::new("SELECT kind, starts_on, ends_on, description, version FROM lab_phases WHERE process_id = ");
        phases.bind(process.id.clone()).push(" ORDER BY position");
        process.phases = phases.map_all(&self.pool, phase).await?;
        Ok(Some(process))
    }

    pub async fn lab_process_for_edit(&self, slug: &str) -> Result<Option<Editable<ProcessEdit>>> {
        let mut sql = Sql::new(
            "SELECT l.id, l.title, l.description, l.vote_method, l.vote_points, l.version \
             FROM lab_processes l JOIN agendas a ON a.id = l.agenda_id WHERE a.slug = ",
        );
        sql.bind(slug);
        sql.map_optional(&self.pool, |r| {
            Ok(from_row!(r, Editable {
                id, version;
                label: col(r, "title")?,
                fields: from_row!(r, ProcessEdit {
                    title, description;
                    vote_method: code(r, "vote_method")?,
                    vote_points: Some(col::<i64>(r, "vote_points")?).filter(|p| *p > 0),
                }),
            }))
        })
        .await
    }

    pub async fn lab_phase_for_edit(&self, process_id: &str, kind: PhaseKind) -> Result<Option<Editable<PhaseEdit>>> {
        let mut sql =
            Sql::new("SELECT id, kind, starts_on, ends_on, description, version FROM lab_phases WHERE process_id = ");
        sql.bind(process_id).push(" AND kind = ").bind(kind.code());
        sql.map_optional(&self.pool, |r| {
            Ok(from_row!(r, Editable {
                id, version;
                label: kind.code().to_string(),
                fields: from_row!(r, PhaseEdit { starts_on, ends_on, description }),
            }))
        })
        .await
    }

    /// A page of the process's ideas, filtered and sorted.
    pub async fn lab_ideas(
        &self,
        process_id: &str,
        filter: &IdeaFilter,
        page: PageRequest,
    ) -> Result<Page<IdeaSummary>> {
        let order = filter.sort.order();
        paged(&self.pool, IDEA_COLUMNS, IDEA_FROM, |s| filter.apply(process_id, s), order, page, summary).await
    }

    /// Idea `number` of the process, with its comments.
    pub async fn lab_idea(&self, process_id: &str, number: i64) -> Result<Option<Idea>> {
        let mut sql = Sql::new(&format!("{IDEA_COLUMNS}{IDEA_FROM} WHERE i.process_id = "));
        sql.bind(process_id).push(" AND i.number = ").bind(number);
        let Some(mut idea) = sql.map_optional(&self.pool, idea).await? else { return Ok(None) };
        let mut comments = Sql::new(
            "SELECT c.id, c.author_id, p.name AS author, c.body, c.state, c.hidden_reason, c.created_at FROM lab_comments c \
             LEFT JOIN people p ON p.id = c.author_id WHERE c.idea_id = ",
        );
        comments.bind(idea.id.clone()).push(" ORDER BY c.created_at, c.id");
        idea.comment_list = comments
            .map_all(&self.pool, |r| {
                Ok(from_row!(r, Comment {
                    id, author_id, author, created_at;
                    body: shown_text(r, "body")?,
                    state: state(r)?,
                    hidden_reason: hidden_reason(r)?,
                }))
            })
            .await?;
        Ok(Some(idea))
    }

    /// The process's published ideas: (number, id, title), by number.
    pub async fn lab_idea_titles(&self, process_id: &str) -> Result<Vec<(i64, String, String)>> {
        let mut sql = Sql::new("SELECT number, id, title FROM lab_ideas WHERE state = 'published' AND process_id = ");
        sql.bind(process_id).push(" ORDER BY number");
        sql.map_all(&self.pool, |r| Ok((col(r, "number")?, col(r, "id")?, col(r, "title")?))).await
    }

    /// The process's ideas: (number, id).
    pub async fn lab_idea_ids(&self, process_id: &str) -> Result<Vec<(i64, String)>> {
        let mut sql = Sql::new("SELECT number, id FROM lab_ideas WHERE process_id = ");
        sql.bind(process_id);
        sql.map_all(&self.pool, |r| Ok((col(r, "number")?, col(r, "id")?))).await
    }

    /// Every idea of the process, whole but without comments, by number.
    pub async fn lab_ideas_whole(&self, process_id: &str) -> Result<Vec<Idea>> {
        let mut sql = Sql::new(&format!("{IDEA_COLUMNS}{IDEA_FROM} WHERE i.process_id = "));
        sql.bind(process_id).push(" ORDER BY i.number");
        sql.map_all(&self.pool, idea).await
    }

    /// The numbers of the process's ideas, in order.
    pub async fn lab_idea_numbers(&self, process_id: &str) -> Result<Vec<i64>> {
        let mut sql = Sql::new("SELECT number FROM lab_ideas WHERE process_id = ");
        sql.bind(process_id).push(" ORDER BY number");
        sql.map_all(&self.pool, |r| col(r, "number")).await
    }

    /// How many ideas `person` proposed in the process since `since` (RFC 3339).
    pub async fn lab_ideas_since(&self, process_id: &str, person: &str, since: &str) -> Result<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM lab_ideas WHERE process_id = ");
        sql.bind(process_id).push(" AND author_id = ").bind(person).push(" AND created_at >= ").bind(since);
        col(&sql.fetch_one(&self.pool).await?, "n")
    }

    /// Whether `person` supports the idea, and whether they reported it.
    pub async fn lab_stance(&self, idea_id: &str, person: &str) -> Result<(bool, bool)> {
        let mut sql = Sql::new("SELECT (SELECT COUNT(*) FROM lab_supports WHERE idea_id = ");
        sql.bind(idea_id).push(" AND person_id = ").bind(person);
        sql.push(") AS supported, (SELECT COUNT(*) FROM lab_reports WHERE idea_id = ").bind(idea_id);
        sql.push(" AND person_id = ").bind(person).push(") AS reported");
        let r = sql.fetch_one(&self.pool).await?;
        Ok((col::<i64>(&r, "supported")? > 0, col::<i64>(&r, "reported")? > 0))
    }

    /// The reports on an idea, for its moderators: (reason, when).
    pub async fn lab_reports(&self, idea_id: &str) -> Result<Vec<(String, String)>> {
        let mut sql = Sql::new("SELECT reason, created_at FROM lab_reports WHERE idea_id = ");
        sql.bind(idea_id).push(" ORDER BY created_at");
        sql.map_all(&self.pool, |r| Ok((col(r, "reason")?, col(r, "created_at")?))).await
    }

    /// The agenda's actions an accepted idea may go to: (code, id, title).
    pub async fn lab_action_choices(&self, agenda_id: &str) -> Result<Vec<(String, String, String)>> {
        let mut sql = Sql::new("SELECT code, id, title FROM actions WHERE archived_at IS NULL AND agenda_id = ");
        sql.bind(agenda_id).push(" ORDER BY position");
        sql.map_all(&self.pool, |r| Ok((col(r, "code")?, col(r, "id")?, col(r, "title")?))).await
    }

    /// The ideas admitted to the vote, published ones only, by number.
    pub async fn lab_admitted(&self, process_id: &str) -> Result<Vec<IdeaSummary>> {
        let mut sql = Sql::new(&format!(
            "{IDEA_COLUMNS}{IDEA_FROM} WHERE i.admitted = 1 AND i.state = 'published' AND i.process_id = "
        ));
        sql.bind(process_id).push(" ORDER BY i.number");
        sql.map_all(&self.pool, summary).await
    }

    /// The numbers of the ideas admitted to the vote, as their form keeps them.
    pub async fn lab_admitted_for_edit(&self, process_id: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new("SELECT number FROM lab_ideas WHERE admitted = 1 AND process_id = ");
        sql.bind(process_id).push(" ORDER BY number");
        sql.map_all(&self.pool, |r| Ok(col::<i64>(r, "number")?.to_string())).await
    }

    /// `person`'s ballot in the process: (idea number, points).
    pub async fn lab_ballot(&self, process_id: &str, person: &str) -> Result<Vec<(i64, i64)>> {
        let mut sql = Sql::new(
            "SELECT i.number, c.points FROM lab_ballots b JOIN lab_ballot_choices c ON c.ballot_id = b.id \
             JOIN lab_ideas i ON i.id = c.idea_id WHERE b.process_id = ",
        );
        sql.bind(process_id).push(" AND b.person_id = ").bind(person).push(" ORDER BY i.number");
        sql.map_all(&self.pool, |r| Ok((col(r, "number")?, col(r, "points")?))).await
    }

    /// The tally of the vote: the number of ballots, and each admitted idea's points and
    /// voters, the most voted first. Only for when the results are public.
    pub async fn lab_tally(&self, process_id: &str) -> Result<(i64, Vec<Tally>)> {
        let mut ballots = Sql::new("SELECT COUNT(*) AS n FROM lab_ballots WHERE process_id = ");
        ballots.bind(process_id);
        let ballots = col(&ballots.fetch_one(&self.pool).await?, "n")?;
        let mut sql = Sql::new(
            "SELECT i.number, i.title, CAST(COALESCE(SUM(c.points), 0) AS BIGINT) AS points, \
             CAST(COUNT(c.ballot_id) AS BIGINT) AS voters FROM lab_ideas i \
             LEFT JOIN lab_ballot_choices c ON c.idea_id = i.id WHERE i.admitted = 1 AND i.process_id = ",
        );
        sql.bind(process_id).push(" GROUP BY i.number, i.title ORDER BY points DESC, voters DESC, i.number");
        let tally = sql.map_all(&self.pool, |r| Ok(from_row!(r, Tally { number, title, points, voters }))).await?;
        Ok((ballots, tally))
    }

    /// How many supports the idea has, counted from their rows (the stored count must agree).
    pub async fn lab_support_rows(&self, idea_id: &str) -> Result<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM lab_supports WHERE idea_id = ");
        sql.bind(idea_id);
        col(&sql.fetch_one(&self.pool).await?, "n")
    }
}

/// An idea's answer as its editor reads and the audit records it.
pub fn answer_of(idea: &Idea) -> Editable<AnswerEdit> {
    let answer = AnswerEdit {
        answer: idea.summary.answer,
        answer_note: idea.answer_note.clone(),
        action_code: idea.action.as_ref().map(|a| a.code.clone()),
        merged_into: idea.merged_into,
    };
    Editable { id: idea.id.clone(), label: idea.summary.title.clone(), version: idea.version, fields: answer }
}

impl WriteTx {
    /// Starts agenda `agenda_id`'s process, with the six phases of the method (none active yet).
    pub async fn create_lab_process(&mut self, agenda_id: &str, edit: &ProcessEdit, is_demo: bool) -> Result<String> {
        let (id, at) = (new_id(), now());
        let mut statements = vec![Sql::insert(
            "lab_processes",
            columns![
                "id" => id.clone(), "agenda_id" => agenda_id, "title" => edit.title.clone(),
                "description" => edit.description.clone(), "vote_method" => edit.vote_method.code(),
                "vote_points" => edit.vote_points.unwrap_or(0), "is_demo" => is_demo as i64,
                "created_at" => at.clone(), "updated_at" => at.clone(),
            ],
        )];
        for (position, kind) in PhaseKind::ALL.iter().enumerate() {
            statements.push(Sql::insert(
                "lab_phases",
                columns![
                    "id" => new_id(), "process_id" => id.clone(), "kind" => kind.code(),
                    "position" => position as i64 + 1, "updated_at" => at.clone(),
                ],
            ));
        }
        self.create_record(statements, EntityRef { kind: "lab_process", id: &id, label: &edit.title }, edit).await?;
        Ok(id)
    }

    pub async fn update_lab_process(
        &mut self,
        before: &Editable<ProcessEdit>,
        edit: &ProcessEdit,
        expected_version: i64,
    ) -> Result<Saved<ProcessEdit>> {
        let values = columns![
            "title" => edit.title.clone(), "description" => edit.description.clone(),
            "vote_method" => edit.vote_method.code(), "vote_points" => edit.vote_points.unwrap_or(0),
        ];
        let entity = EntityRef { kind: "lab_process", id: &before.id, label: &before.label };
        self.update_versioned("lab_processes", before, edit, expected_version, values, entity).await
    }

    pub async fn update_lab_phase(
        &mut self,
        before: &Editable<PhaseEdit>,
        edit: &PhaseEdit,
        expected_version: i64,
    ) -> Result<Saved<PhaseEdit>> {
        let values = columns![
            "starts_on" => edit.starts_on.clone(), "ends_on" => edit.ends_on.clone(),
            "description" => edit.description.clone(),
        ];
        let entity = EntityRef { kind: "lab_phase", id: &before.id, label: &before.label };
        self.update_versioned("lab_phases", before, edit, expected_version, values, entity).await
    }

    /// Makes `edit.active_phase` the one active phase of the process.
    pub async fn set_active_phase(
        &mut self,
        before: &Editable<ActivePhaseEdit>,
        edit: &ActivePhaseEdit,
        expected_version: i64,
    ) -> Result<Saved<ActivePhaseEdit>> {
        let values = columns!["active_phase" => edit.active_phase.map(|p| p.code().to_string())];
        let entity = EntityRef { kind: "lab_process", id: &before.id, label: &before.label };
        self.update_versioned("lab_processes", before, edit, expected_version, values, entity).await
    }

    /// Adds an idea to the process; returns its number.
    pub async fn create_idea(
        &mut self,
        process_id: &str,
        author_id: Option<&str>,
        edit: &IdeaEdit,
        is_demo: bool,
    ) -> Result<i64> {
        let number = self.next_in("lab_ideas", "number", "process_id", process_id).await?;
        let comune_id = match &edit.comune {
            Some(code) => {
                let mut sql = Sql::new("SELECT id FROM territories WHERE kind = 'comune' AND code = ");
                sql.bind(code.clone());
                sql.map_optional(&mut *self.tx, |r| col::<String>(r, "id")).await?
            }
            None => None,
        };
        let organization_id = match &edit.on_behalf_of {
            Some(slug) => {
                let mut sql = Sql::new("SELECT id FROM organizations WHERE slug = ");
                sql.bind(slug.clone());
                sql.map_optional(&mut *self.tx, |r| col::<String>(r, "id")).await?
            }
            None => None,
        };
        let (id, at) = (new_id(), now());
        let insert = Sql::insert(
            "lab_ideas",
            columns![
                "id" => id.clone(), "process_id" => process_id, "number" => number,
                "author_id" => author_id.map(str::to_string), "title" => edit.title.clone(),
                "body" => edit.body.clone(), "gap_key" => edit.gap_key.clone(), "comune_id" => comune_id,
                "target_groups" => json_codes(&edit.target_groups), "life_stages" => json_codes(&edit.life_stages),
                "organization_id" => organization_id,
                "is_demo" => is_demo as i64, "created_at" => at.clone(), "updated_at" => at,
            ],
        );
        self.create_record(vec![insert], EntityRef { kind: "idea", id: &id, label: &edit.title }, edit).await?;
        Ok(number)
    }

    /// Records the coordinators' answer; `action_id` is the action an accepted idea goes to.
    pub async fn answer_idea(
        &mut self,
        before: &Editable<AnswerEdit>,
        edit: &AnswerEdit,
        action_id: Option<&str>,
        expected_version: i64,
    ) -> Result<Saved<AnswerEdit>> {
        let values = columns![
            "answer" => edit.answer.map(|a| a.code().to_string()), "answer_note" => edit.answer_note.clone(),
            "action_id" => action_id.map(str::to_string), "merged_into" => edit.merged_into,
            "answered_at" => now(),
        ];
        let entity = EntityRef { kind: "idea", id: &before.id, label: &before.label };
        self.update_versioned("lab_ideas", before, edit, expected_version, values, entity).await
    }

    /// Hides an idea (`comment`: None) or one of its comments, with the reason shown in its place.
    pub async fn hide(&mut self, idea: &Idea, comment: Option<&str>, edit: &HideEdit) -> Result<()> {
        self.change_state(idea, comment, IdeaState::Hidden, &edit.hidden_reason, "hide").await
    }

    /// Its author withdraws an idea or a comment.
    pub async fn withdraw(&mut self, idea: &Idea, comment: Option<&str>) -> Result<()> {
        self.change_state(idea, comment, IdeaState::Withdrawn, "", "withdraw").await
    }

    async fn change_state(
        &mut self,
        idea: &Idea,
        comment: Option<&str>,
        to: IdeaState,
        reason: &str,
        operation: &str,
    ) -> Result<()> {
        let (table, id, kind) = match comment {
            Some(comment) => ("lab_comments", comment, "idea_comment"),
            None => ("lab_ideas", idea.id.as_str(), "idea"),
        };
        let mut sql = Sql::new(&format!("UPDATE {table} SET state = "));
        sql.bind(to.code()).push(", hidden_reason = ").bind(reason).push(" WHERE id = ").bind(id);
        self.run(vec![sql]).await?;
        if comment.is_none() {
            self.bump_version("lab_ideas", id, None).await?;
        }
        let after = serde_json::json!({ "state": to.code(), "hidden_reason": reason });
        let entity = EntityRef { kind, id, label: &idea.summary.title };
        self.record(entity, operation, None, Some(&after), reason).await
    }

    /// `person` supports the idea; false when they already did (the primary key decides, so two
    /// clicks at once count once).
    pub async fn support(&mut self, idea_id: &str, person: &str) -> Result<bool> {
        let mut insert =
            Sql::insert("lab_supports", columns!["idea_id" => idea_id, "person_id" => person, "created_at" => now()]);
        insert.push(" ON CONFLICT DO NOTHING");
        self.count_change(insert, idea_id, "supports", "+").await
    }

    /// `person` takes their support back; false when they gave none.
    pub async fn withdraw_support(&mut self, idea_id: &str, person: &str) -> Result<bool> {
        let mut delete = Sql::new("DELETE FROM lab_supports WHERE idea_id = ");
        delete.bind(idea_id).push(" AND person_id = ").bind(person);
        self.count_change(delete, idea_id, "supports", "-").await
    }

    /// Runs `change` and, when it changed a row, moves the idea's `counter` by one.
    async fn count_change(&mut self, change: Sql, idea_id: &str, counter: &str, sign: &str) -> Result<bool> {
        if change.query().execute(&mut *self.tx).await?.rows_affected() != 1 {
            return Ok(false);
        }
        let mut count = Sql::new(&format!("UPDATE lab_ideas SET {counter} = {counter} {sign} 1 WHERE id = "));
        count.bind(idea_id);
        self.run(vec![count]).await?;
        Ok(true)
    }

    /// A comment on the idea; returns its id.
    pub async fn comment(&mut self, idea: &Idea, author: &str, body: &str) -> Result<String> {
        let id = new_id();
        let insert = Sql::insert(
            "lab_comments",
            columns![
                "id" => id.clone(), "idea_id" => idea.id.clone(), "author_id" => author,
                "body" => body, "created_at" => now(),
            ],
        );
        self.count_change(insert, &idea.id, "comments", "+").await?;
        let entity = EntityRef { kind: "idea_comment", id: &id, label: &idea.summary.title };
        self.record(entity, "create", None, Some(&serde_json::json!({ "body": body })), "").await?;
        Ok(id)
    }

    /// Admits to the vote the ideas numbered in `edit` and no other.
    pub async fn set_admitted(
        &mut self,
        process: &Editable<AdmittedEdit>,
        edit: &AdmittedEdit,
        expected_version: i64,
    ) -> Result<Saved<AdmittedEdit>> {
        let mut none = Sql::new("UPDATE lab_ideas SET admitted = 0 WHERE process_id = ");
        none.bind(process.id.clone());
        let mut statements = vec![none];
        if !edit.admitted.is_empty() {
            let mut some = Sql::new("UPDATE lab_ideas SET admitted = 1 WHERE process_id = ");
            some.bind(process.id.clone()).push(" AND number IN (");
            some.bind_list(edit.admitted.iter().filter_map(|n| n.parse::<i64>().ok())).push(")");
            statements.push(some);
        }
        let entity = EntityRef { kind: "lab_process", id: &process.id, label: &process.label };
        let guard = Guard { table: "lab_processes", id: &process.id, expected: expected_version };
        self.versioned_update(guard, process.fields.clone(), statements, Audit::update(entity, &process.fields, edit))
            .await
    }

    /// Casts or replaces `person`'s ballot: one per person and process (the unique key).
    /// Not audited: the audit log would say who voted for what.
    pub async fn cast_ballot(&mut self, process_id: &str, person: &str, choices: &[(String, i64)]) -> Result<()> {
        let at = now();
        let mut upsert = Sql::insert(
            "lab_ballots",
            columns![
                "id" => new_id(), "process_id" => process_id, "person_id" => person,
                "created_at" => at.clone(), "updated_at" => at.clone(),
            ],
        );
        upsert.push(" ON CONFLICT (process_id, person_id) DO UPDATE SET updated_at = ").bind(at);
        self.run(vec![upsert]).await?;
        let mut ballot = Sql::new("SELECT id FROM lab_ballots WHERE process_id = ");
        ballot.bind(process_id).push(" AND person_id = ").bind(person);
        let ballot: String = col(&ballot.query().fetch_one(&mut *self.tx).await?, "id")?;
        let mut clear = Sql::new("DELETE FROM lab_ballot_choices WHERE ballot_id = ");
        clear.bind(ballot.clone());
        let rows = choices
            .iter()
            .map(|(idea_id, points)| vec![ballot.clone().into(), idea_id.clone().into(), (*points).into()])
            .collect::<Vec<_>>();
        let mut statements = vec![clear];
        if !rows.is_empty() {
            statements.push(Sql::insert_rows("lab_ballot_choices", &["ballot_id", "idea_id", "points"], rows));
        }
        self.run(statements).await
    }

    /// `person` reports the idea to its moderators; false when they already did.
    pub async fn report(&mut self, idea_id: &str, person: &str, reason: &str) -> Result<bool> {
        let mut insert = Sql::insert(
            "lab_reports",
            columns!["idea_id" => idea_id, "person_id" => person, "reason" => reason, "created_at" => now()],
        );
        insert.push(" ON CONFLICT DO NOTHING");
        Ok(insert.query().execute(&mut *self.tx).await?.rows_affected() == 1)
    }
}
