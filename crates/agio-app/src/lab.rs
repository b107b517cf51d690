//! The Community Lab (step 2 of the regional method): an agenda's participatory process, set up
//! by its coordinators; the ideas anyone signed in proposes during the collection phase, their
//! supports and comments; moderation; the coordinators' answers, which link an accepted idea to
//! the action that carries it. The phase decides what participants may do.

use std::sync::Mutex;

use agio_domain::access::{AgendaFacts, Operation, Principal, Target};
use agio_domain::edit::{FieldError, Reader};
use agio_domain::lab::{
    ActivePhaseEdit, AdmittedEdit, AnswerEdit, BallotEdit, CommentEdit, HideEdit, Idea, IdeaChoices, IdeaEdit,
    IdeaSummary, PhaseEdit, Process, ProcessDocument, ProcessEdit, Refusal, VoteResults, IDEAS_PER_HOUR,
};
use agio_domain::model::Term;
use agio_domain::{IdeaState, PhaseKind, VoteMethod};
use agio_store::{answer_of, Actor, Editable, Saved, WriteTx};

use crate::editors::Editor;
use crate::profile::Gap;
use crate::{require, Context, Error};

async fn facts(ctx: &impl Context, slug: &str) -> Result<AgendaFacts, Error> {
    ctx.store().agenda_facts(slug).await?.ok_or(Error::NotFound)
}

/// The agenda's process, visible to `who`: none (404) when it has none or the agenda is hidden.
pub async fn process(ctx: &impl Context, who: Option<&Principal>, slug: &str) -> Result<(AgendaFacts, Process), Error> {
    let facts = facts(ctx, slug).await?;
    require(who, Operation::ReadDraft, &Target::Agenda(&facts))?;
    let process = ctx.store().lab_process(slug).await?.ok_or(Error::NotFound)?;
    Ok((facts, process))
}

/// An idea of the agenda's process, visible to `who`.
pub async fn idea(
    ctx: &impl Context,
    who: Option<&Principal>,
    slug: &str,
    number: i64,
) -> Result<(AgendaFacts, Process, Idea), Error> {
    let (facts, process) = process(ctx, who, slug).await?;
    let idea = ctx.store().lab_idea(&process.id, number).await?.ok_or(Error::NotFound)?;
    Ok((facts, process, idea))
}

/// What the ideas of the agenda's territory may address: the gaps of its district's profile,
/// its comuni (ISTAT code, name), the target groups and life stages.
pub struct Choices {
    pub gaps: Vec<Gap>,
    pub comuni: Vec<(String, String)>,
    /// The needs vocabulary, to name a need's gap.
    pub needs: Vec<Term>,
    pub target_groups: Vec<Term>,
    pub life_stages: Vec<Term>,
}

impl Choices {
    pub async fn of(ctx: &impl Context, facts: &AgendaFacts) -> Result<Choices, Error> {
        // The gaps the public reads: those of the district profile's latest published version.
        let published = ctx.store().published_profile_gaps::<Vec<Gap>>(&facts.territory_path).await?;
        let gaps = published.map(|(_, _, gaps)| gaps).unwrap_or_default();
        let territory = facts.territory_path.first().cloned().unwrap_or_default();
        let comuni = ctx.store().territory_comuni(&territory).await?.into_iter().map(|c| (c.code, c.name)).collect();
        let v = ctx.vocabularies();
        Ok(Choices {
            gaps,
            comuni,
            needs: v.need.clone(),
            target_groups: v.target_group.clone(),
            life_stages: v.life_stage.clone(),
        })
    }
}

// --- the process and its phases, set up by the agenda's coordinators -------------------------

/// The process of an agenda: a new one (`stored.id` empty) or its settings.
pub struct ProcessEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub stored: Editable<ProcessEdit>,
}

impl ProcessEditor {
    pub async fn load(ctx: &impl Context, slug: &str) -> Result<ProcessEditor, Error> {
        let facts = facts(ctx, slug).await?;
        let stored = match ctx.store().lab_process_for_edit(slug).await? {
            Some(stored) => stored,
            None => Editable {
                id: String::new(),
                label: String::new(),
                version: 0,
                fields: ProcessEdit {
                    title: String::new(),
                    description: String::new(),
                    vote_method: VoteMethod::Approval,
                    vote_points: None,
                },
            },
        };
        Ok(ProcessEditor { slug: slug.into(), facts, stored })
    }

    pub fn is_new(&self) -> bool {
        self.stored.id.is_empty()
    }
}

impl Editor for ProcessEditor {
    type Fields = ProcessEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<ProcessEdit> {
        ProcessEdit::read(reader)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &ProcessEdit,
        version: i64,
    ) -> agio_store::Result<Saved<ProcessEdit>> {
        if self.is_new() {
            // The unique agenda_id refuses a second process started meanwhile (409).
            w.create_lab_process(&self.facts.agenda_id, fields, false).await?;
            return Ok(Saved::Done { version: 1 });
        }
        w.update_lab_process(&self.stored, fields, version).await
    }

    fn current(&self) -> (&ProcessEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// A phase's dates and description.
pub struct PhaseEditor {
    pub slug: String,
    pub kind: PhaseKind,
    pub facts: AgendaFacts,
    pub process_title: String,
    pub stored: Editable<PhaseEdit>,
}

impl PhaseEditor {
    pub async fn load(ctx: &impl Context, slug: &str, kind: &str) -> Result<PhaseEditor, Error> {
        let kind: PhaseKind = kind.parse().map_err(|_| Error::NotFound)?;
        let facts = facts(ctx, slug).await?;
        let process = ctx.store().lab_process(slug).await?.ok_or(Error::NotFound)?;
        let stored = ctx.store().lab_phase_for_edit(&process.id, kind).await?.ok_or(Error::NotFound)?;
        Ok(PhaseEditor { slug: slug.into(), kind, facts, process_title: process.title, stored })
    }
}

impl Editor for PhaseEditor {
    type Fields = PhaseEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<PhaseEdit> {
        PhaseEdit::read(reader)
    }

    async fn save(&self, w: &mut WriteTx, fields: &PhaseEdit, version: i64) -> agio_store::Result<Saved<PhaseEdit>> {
        w.update_lab_phase(&self.stored, fields, version).await
    }

    fn current(&self) -> (&PhaseEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// Which phase is active.
pub struct ActivePhaseEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub process: Process,
    pub stored: Editable<ActivePhaseEdit>,
}

impl ActivePhaseEditor {
    pub async fn load(ctx: &impl Context, slug: &str) -> Result<ActivePhaseEditor, Error> {
        let facts = facts(ctx, slug).await?;
        let process = ctx.store().lab_process(slug).await?.ok_or(Error::NotFound)?;
        let stored = Editable {
            id: process.id.clone(),
            label: process.title.clone(),
            version: process.version,
            fields: ActivePhaseEdit { active_phase: process.active_phase },
        };
        Ok(ActivePhaseEditor { slug: slug.into(), facts, process, stored })
    }
}

impl Editor for ActivePhaseEditor {
    type Fields = ActivePhaseEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::ChangeStatus, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<ActivePhaseEdit> {
        ActivePhaseEdit::read(reader)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &ActivePhaseEdit,
        version: i64,
    ) -> agio_store::Result<Saved<ActivePhaseEdit>> {
        w.set_active_phase(&self.stored, fields, version).await
    }

    fn current(&self) -> (&ActivePhaseEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

// --- ideas ---------------------------------------------------------------------------------

/// A new idea, proposed by a signed-in person while the collection phase is active.
pub struct IdeaEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub process: Process,
    pub choices: Choices,
    blank: IdeaEdit,
    /// The number the idea got, once saved.
    pub created: Mutex<Option<i64>>,
    /// Who proposes it.
    author: Option<String>,
    /// How many ideas they proposed in the last hour: a flood is refused.
    this_hour: i64,
    /// The organisations they represent in the process (confirmed), which they may propose
    /// the idea for: (slug, name).
    pub organizations: Vec<(String, String)>,
}

impl IdeaEditor {
    pub async fn load(ctx: &impl Context, who: Option<&Principal>, slug: &str) -> Result<IdeaEditor, Error> {
        let (facts, process) = process(ctx, who, slug).await?;
        let choices = Choices::of(ctx, &facts).await?;
        let hour_ago = (time::OffsetDateTime::now_utc() - time::Duration::hours(1))
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let (this_hour, organizations) = match who {
            Some(p) => (
                ctx.store().lab_ideas_since(&process.id, &p.person_id, &hour_ago).await?,
                crate::lab_representatives::represented(ctx, &process.id, &p.person_id).await?,
            ),
            None => (0, Vec::new()),
        };
        Ok(IdeaEditor {
            slug: slug.into(),
            facts,
            process,
            choices,
            blank: IdeaEdit {
                title: String::new(),
                body: String::new(),
                gap_key: None,
                comune: None,
                target_groups: Vec::new(),
                life_stages: Vec::new(),
                on_behalf_of: None,
            },
            created: Mutex::new(None),
            author: who.map(|p| p.person_id.clone()),
            this_hour,
            organizations,
        })
    }

    /// The address of the idea just proposed.
    pub fn created(&self) -> Option<i64> {
        *self.created.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Editor for IdeaEditor {
    type Fields = IdeaEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Participate, &Target::Agenda(&self.facts))?;
        if !self.process.in_phase(PhaseKind::Ideas) {
            return Err(Error::Refused(Refusal::PhaseClosed));
        }
        match self.this_hour < IDEAS_PER_HOUR {
            true => Ok(()),
            false => Err(Error::Refused(Refusal::TooManyIdeas)),
        }
    }

    fn read(&self, reader: &mut Reader) -> Option<IdeaEdit> {
        let gaps: Vec<String> = self.choices.gaps.iter().map(|g| g.key.clone()).collect();
        let comuni: Vec<String> = self.choices.comuni.iter().map(|(code, _)| code.clone()).collect();
        let codes = |terms: &[Term]| terms.iter().map(|t| t.code.clone()).collect::<Vec<String>>();
        let (target_groups, life_stages) = (codes(&self.choices.target_groups), codes(&self.choices.life_stages));
        let organizations: Vec<String> = self.organizations.iter().map(|(slug, _)| slug.clone()).collect();
        let offered = IdeaChoices {
            gaps: &gaps,
            comuni: &comuni,
            target_groups: &target_groups,
            life_stages: &life_stages,
            organizations: &organizations,
        };
        IdeaEdit::read(reader, &offered)
    }

    async fn save(&self, w: &mut WriteTx, fields: &IdeaEdit, _version: i64) -> agio_store::Result<Saved<IdeaEdit>> {
        let number = w.create_idea(&self.process.id, self.author.as_deref(), fields, false).await?;
        *self.created.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(number);
        Ok(Saved::Done { version: 1 })
    }

    fn current(&self) -> (&IdeaEdit, i64) {
        (&self.blank, 0)
    }
}

/// The coordinators' answer to an idea.
pub struct AnswerEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub idea: Idea,
    pub stored: Editable<AnswerEdit>,
    /// The agenda's actions: (code, id, title).
    pub actions: Vec<(String, String, String)>,
    /// The process's other ideas, by number.
    pub others: Vec<String>,
}

impl AnswerEditor {
    pub async fn load(
        ctx: &impl Context,
        who: Option<&Principal>,
        slug: &str,
        number: i64,
    ) -> Result<AnswerEditor, Error> {
        let (facts, process, idea) = idea(ctx, who, slug, number).await?;
        let actions = ctx.store().lab_action_choices(&facts.agenda_id).await?;
        let others = ctx
            .store()
            .lab_idea_numbers(&process.id)
            .await?
            .into_iter()
            .filter(|n| *n != number)
            .map(|n| n.to_string())
            .collect();
        let stored = answer_of(&idea);
        Ok(AnswerEditor { slug: slug.into(), facts, idea, stored, actions, others })
    }
}

impl Editor for AnswerEditor {
    type Fields = AnswerEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<AnswerEdit> {
        let codes: Vec<String> = self.actions.iter().map(|(code, _, _)| code.clone()).collect();
        AnswerEdit::read(reader, &codes, &self.others)
    }

    async fn save(&self, w: &mut WriteTx, answer: &AnswerEdit, version: i64) -> agio_store::Result<Saved<AnswerEdit>> {
        let action_id = answer
            .action_code
            .as_ref()
            .and_then(|code| self.actions.iter().find(|(c, _, _)| c == code))
            .map(|(_, id, _)| id.as_str());
        w.answer_idea(&self.stored, answer, action_id, version).await
    }

    fn current(&self) -> (&AnswerEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

// --- what participants and moderators do to an idea ---------------------------------------

/// What a person does to an idea from its page.
#[derive(Debug, Clone, PartialEq)]
pub enum Act {
    Support,
    WithdrawSupport,
    Comment(CommentEdit),
    Report(String),
    /// Its author withdraws the idea.
    Withdraw,
    /// Its author withdraws one of their comments (its id).
    WithdrawComment(String),
    /// A moderator hides the idea, or one of its comments.
    Hide {
        comment: Option<String>,
        reason: HideEdit,
    },
}

/// Does `act` to idea `number` of the agenda's process as `who`; false when it changed nothing
/// (a second support, a second report). Refused acts change nothing.
pub async fn act(
    ctx: &impl Context,
    who: &Principal,
    actor: &Actor,
    slug: &str,
    number: i64,
    act: &Act,
) -> Result<bool, Error> {
    let (facts, process, idea) = idea(ctx, Some(who), slug, number).await?;
    let target = Target::Agenda(&facts);
    let author = idea.author_id.as_deref() == Some(who.person_id.as_str());
    match act {
        Act::Hide { .. } => require(Some(who), Operation::Moderate, &target)?,
        Act::Withdraw => {
            require(Some(who), Operation::Participate, &target)?;
            if !author {
                return Err(Error::Forbidden);
            }
        }
        _ => require(Some(who), Operation::Participate, &target)?,
    }
    let open = idea.summary.state == IdeaState::Published;
    match act {
        Act::Support | Act::WithdrawSupport | Act::Comment(_) if !process.open_to_supports() => {
            return Err(Error::Refused(Refusal::PhaseClosed))
        }
        Act::Support | Act::Comment(_) | Act::Report(_) | Act::Withdraw if !open => {
            return Err(Error::Refused(Refusal::IdeaClosed))
        }
        _ => {}
    }
    if let Act::WithdrawComment(id) | Act::Hide { comment: Some(id), .. } = act {
        let comment = idea.comment_list.iter().find(|c| &c.id == id).ok_or(Error::NotFound)?;
        if matches!(act, Act::WithdrawComment(_)) && comment.author_id.as_deref() != Some(who.person_id.as_str()) {
            return Err(Error::Forbidden);
        }
    }
    let mut w = ctx.store().begin_write(actor).await?;
    let person = who.person_id.as_str();
    let changed = match act {
        Act::Support => w.support(&idea.id, person).await?,
        Act::WithdrawSupport => w.withdraw_support(&idea.id, person).await?,
        Act::Comment(c) => {
            w.comment(&idea, person, &c.body).await?;
            true
        }
        Act::Report(reason) => w.report(&idea.id, person, reason).await?,
        Act::Withdraw => {
            w.withdraw(&idea, None).await?;
            true
        }
        Act::WithdrawComment(id) => {
            w.withdraw(&idea, Some(id)).await?;
            true
        }
        Act::Hide { comment, reason } => {
            w.hide(&idea, comment.as_deref(), reason).await?;
            true
        }
    };
    if changed {
        w.commit().await?;
        ctx.after_write().await?;
    }
    Ok(changed)
}

// --- the prioritisation vote ---------------------------------------------------------------

/// The ideas the coordinators admit to the vote.
pub struct AdmittedEditor {
    pub slug: String,
    pub facts: AgendaFacts,
    pub process: Process,
    pub stored: Editable<AdmittedEdit>,
    /// The published ideas: (number, "n. 3 — title").
    pub ideas: Vec<(String, String)>,
}

impl AdmittedEditor {
    pub async fn load(ctx: &impl Context, slug: &str) -> Result<AdmittedEditor, Error> {
        let facts = facts(ctx, slug).await?;
        let process = ctx.store().lab_process(slug).await?.ok_or(Error::NotFound)?;
        let admitted = ctx.store().lab_admitted_for_edit(&process.id).await?;
        let ideas = ctx.store().lab_idea_titles(&process.id).await?;
        let stored = Editable {
            id: process.id.clone(),
            label: process.title.clone(),
            version: process.version,
            fields: AdmittedEdit { admitted },
        };
        let ideas = ideas.into_iter().map(|(n, _, title)| (n.to_string(), format!("n. {n} — {title}"))).collect();
        Ok(AdmittedEditor { slug: slug.into(), facts, process, stored, ideas })
    }
}

impl Editor for AdmittedEditor {
    type Fields = AdmittedEdit;

    fn allowed(&self, who: Option<&Principal>) -> Result<(), Error> {
        require(who, Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn read(&self, reader: &mut Reader) -> Option<AdmittedEdit> {
        let numbers: Vec<String> = self.ideas.iter().map(|(n, _)| n.clone()).collect();
        AdmittedEdit::read(reader, &numbers)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &AdmittedEdit,
        version: i64,
    ) -> agio_store::Result<Saved<AdmittedEdit>> {
        w.set_admitted(&self.stored, fields, version).await
    }

    fn current(&self) -> (&AdmittedEdit, i64) {
        (&self.stored.fields, self.stored.version)
    }
}

/// The vote as a person sees it: the admitted ideas, their own ballot, and the results once
/// the prioritisation has closed (nothing of them before, for anyone).
pub struct Vote {
    pub facts: AgendaFacts,
    pub process: Process,
    pub admitted: Vec<IdeaSummary>,
    /// Their ballot: (idea number, points).
    pub ballot: Vec<(i64, i64)>,
    pub results: VoteResults,
}

impl Vote {
    /// The most points a ballot gives: the process's points, or one per idea when approving.
    pub fn points(&self) -> i64 {
        match self.process.vote_method {
            VoteMethod::Points => self.process.vote_points.unwrap_or(1),
            VoteMethod::Approval => self.admitted.len() as i64,
        }
    }
}

pub async fn vote(ctx: &impl Context, who: Option<&Principal>, slug: &str) -> Result<Vote, Error> {
    let (facts, process) = process(ctx, who, slug).await?;
    let store = ctx.store();
    let admitted = store.lab_admitted(&process.id).await?;
    let ballot = match who {
        Some(p) => store.lab_ballot(&process.id, &p.person_id).await?,
        None => Vec::new(),
    };
    let results = match process.results_public() {
        true => {
            let (ballots, tally) = store.lab_tally(&process.id).await?;
            VoteResults { published: true, method: process.vote_method, ballots: Some(ballots), tally }
        }
        false => VoteResults { published: false, method: process.vote_method, ballots: None, tally: Vec::new() },
    };
    Ok(Vote { facts, process, admitted, ballot, results })
}

/// Casts or replaces `who`'s ballot while the prioritisation is open; the fields' problems
/// when the ballot breaks its rules (nothing saved).
pub async fn cast(
    ctx: &impl Context,
    who: &Principal,
    actor: &Actor,
    slug: &str,
    input: &(dyn Fn(&str) -> Option<String> + Sync),
) -> Result<Result<(), Vec<FieldError>>, Error> {
    let v = vote(ctx, Some(who), slug).await?;
    require(Some(who), Operation::Participate, &Target::Agenda(&v.facts))?;
    if !v.process.in_phase(PhaseKind::Prioritisation) {
        return Err(Error::Refused(Refusal::PhaseClosed));
    }
    let numbers: Vec<i64> = v.admitted.iter().map(|i| i.number).collect();
    let mut reader = Reader::new(input);
    let ballot = BallotEdit::read(&mut reader, v.process.vote_method, v.points(), &numbers);
    let ballot = match reader.conclude(ballot) {
        Ok(ballot) => ballot,
        Err(errors) => return Ok(Err(errors)),
    };
    let ids = ctx.store().lab_idea_ids(&v.process.id).await?;
    let choices: Vec<(String, i64)> = ballot
        .choices
        .iter()
        .filter_map(|(n, points)| ids.iter().find(|(number, _)| number == n).map(|(_, id)| (id.clone(), *points)))
        .collect();
    let mut w = ctx.store().begin_write(actor).await?;
    w.cast_ballot(&v.process.id, &who.person_id, &choices).await?;
    w.commit().await?;
    ctx.after_write().await?;
    Ok(Ok(()))
}

// --- the final participatory document --------------------------------------------------------

/// The final participatory document of the agenda's process: phases, participation figures,
/// every idea with its answer, the vote's results (once published), the meetings with their
/// minutes, and the pacts.
pub async fn document(ctx: &impl Context, who: Option<&Principal>, slug: &str) -> Result<ProcessDocument, Error> {
    let v = vote(ctx, who, slug).await?;
    let store = ctx.store();
    let id = &v.process.id;
    let ideas = store.lab_ideas_whole(id).await?;
    let mut meetings = Vec::new();
    for m in store.lab_meetings(id).await? {
        meetings.extend(store.lab_meeting(id, m.number).await?);
    }
    let attendances = meetings.iter().map(|m| m.summary.attended).sum();
    let generated_at = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .map_err(|e| Error::Internal(e.to_string()))?
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(ProcessDocument {
        participation: store.lab_participation(id).await?,
        ballots: v.results.ballots,
        attendances,
        ideas,
        results: v.results,
        meetings,
        pacts: store.lab_pacts(id).await?,
        process: v.process,
        generated_at,
    })
}
