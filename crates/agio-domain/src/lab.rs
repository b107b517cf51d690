//! The Community Lab (step 2 of the regional method, *realizzazione*): an agenda's participatory
//! process, its phases, the ideas people propose, and the coordinators' answers. What is read,
//! and what the forms and the API write, with the rules that need no I/O.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::edit::{FieldProblem, Reader};
use crate::{IdeaAnswer, IdeaState, MeetingKind, PactStatus, PhaseKind, Seat, VoteMethod};

/// The most points a ballot may distribute.
pub const MAX_VOTE_POINTS: i64 = 100;
/// The longest comment, in characters.
pub const COMMENT_MAX: usize = 2_000;
/// Ideas one person may propose in an hour, in one process.
pub const IDEAS_PER_HOUR: i64 = 5;

/// An agenda's participatory process.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Process {
    #[serde(skip)]
    pub id: String,
    pub agenda_slug: String,
    pub agenda_title: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    /// None before the process starts.
    pub active_phase: Option<PhaseKind>,
    pub vote_method: VoteMethod,
    /// The points a ballot distributes (`points` method).
    pub vote_points: Option<i64>,
    pub phases: Vec<Phase>,
    pub is_demo: bool,
    /// To send with a change of its active phase.
    pub version: i64,
}

impl Process {
    /// Whether the active phase is `kind`.
    pub fn in_phase(&self, kind: PhaseKind) -> bool {
        self.active_phase == Some(kind)
    }

    /// Whether the prioritisation has closed, so its results are public: from the feedback on.
    pub fn results_public(&self) -> bool {
        matches!(self.active_phase, Some(PhaseKind::Feedback | PhaseKind::Pacts))
    }

    /// Whether ideas are still open to supports and comments: from their collection up to the
    /// end of the prioritisation.
    pub fn open_to_supports(&self) -> bool {
        matches!(self.active_phase, Some(PhaseKind::Ideas | PhaseKind::WorkingDay | PhaseKind::Prioritisation))
    }
}

/// How many take part in a process (counted apart from the process: the list pages, which are
/// the most read, do not need it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, ToSchema)]
pub struct Participation {
    /// Published ideas.
    pub ideas: i64,
    pub supports: i64,
    /// People who proposed, supported or commented.
    pub participants: i64,
}

/// A process with its participation figures, as the API gives it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProcessFigures {
    #[serde(flatten)]
    pub process: Process,
    #[serde(flatten)]
    pub participation: Participation,
}

/// A phase of a process; without dates it is not planned.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Phase {
    pub kind: PhaseKind,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// What happens in it (Markdown).
    pub description: String,
    /// What a change of its dates starts from.
    pub version: i64,
}

/// An idea as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IdeaSummary {
    /// Its number in the process: its address.
    pub number: i64,
    pub title: String,
    /// The author's display name (the only thing ever public of a person).
    pub author: Option<String>,
    pub created_at: String,
    pub state: IdeaState,
    pub supports: i64,
    pub comments: i64,
    pub answer: Option<IdeaAnswer>,
    pub gap_key: Option<String>,
    /// The comune it concerns, by name.
    pub comune: Option<String>,
    /// The organisation its author proposed it for (a confirmed representative), by name.
    pub organization: Option<String>,
    pub is_demo: bool,
}

/// A person's request to take part in a process for an organisation, and where it stands.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Representation {
    #[serde(skip)]
    pub id: String,
    /// The person's display name.
    pub person: String,
    pub organization: String,
    pub organization_slug: String,
    /// Their role in the organisation, in their words.
    pub role: String,
    pub status: crate::RepresentationStatus,
    pub created_at: String,
    #[serde(skip)]
    pub version: i64,
}

/// A request to take part for an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RepresentationEdit {
    /// The organisation, by slug.
    pub organization: String,
    pub role: String,
}

impl RepresentationEdit {
    /// `organizations`: the slugs of the organisations one may ask for.
    pub fn read(r: &mut Reader, organizations: &[String]) -> Option<RepresentationEdit> {
        let organization = r.choice("organization", organizations);
        let role = r.line("role");
        Some(RepresentationEdit { organization: organization.unwrap_or_default(), role })
    }
}

/// An idea, whole.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Idea {
    #[serde(flatten)]
    pub summary: IdeaSummary,
    #[serde(skip)]
    pub id: String,
    #[serde(skip)]
    pub author_id: Option<String>,
    /// Markdown; empty when hidden or withdrawn.
    pub body: String,
    /// Why a moderator hid it.
    pub hidden_reason: Option<String>,
    pub comune_code: Option<String>,
    pub target_groups: Vec<String>,
    pub life_stages: Vec<String>,
    pub answer_note: String,
    pub answered_at: Option<String>,
    /// The action that carries it (accepted): its code and title.
    pub action: Option<IdeaAction>,
    /// The idea it was merged into (merged).
    pub merged_into: Option<i64>,
    pub comment_list: Vec<Comment>,
    /// To send with an answer.
    pub version: i64,
}

/// The action of the agenda that carries an idea.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IdeaAction {
    pub code: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Comment {
    pub id: String,
    #[serde(skip)]
    pub author_id: Option<String>,
    pub author: Option<String>,
    /// Empty when hidden or withdrawn.
    pub body: String,
    pub state: IdeaState,
    pub hidden_reason: Option<String>,
    pub created_at: String,
}

/// What an action's origin is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OriginKind {
    /// An accepted idea the action carries.
    Idea,
    /// A meeting where one of those ideas was discussed.
    Meeting,
    /// A collaboration pact that carries the action out.
    Pact,
}

/// An idea an action came from, a meeting where it was discussed, or a collaboration pact that
/// carries the action out, as the agenda shows them.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IdeaOrigin {
    pub action_code: String,
    pub number: i64,
    pub title: String,
    /// An idea's supports (none for a meeting or a pact).
    pub supports: i64,
    pub kind: OriginKind,
}

/// Why a participant's act is refused although they may take part: the process's phase, or
/// the state of what they act on. Nothing is changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not what the active phase allows (proposing outside the collection, supporting after the vote).
    PhaseClosed,
    /// More ideas in an hour than a person may propose.
    TooManyIdeas,
    /// The idea is hidden or withdrawn: no supports or comments.
    IdeaClosed,
    /// The meeting's day is past: no registrations or cancellations.
    MeetingPast,
    /// The agenda names no Decidim process: there is nothing to import.
    NoDecidimSource,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::PhaseClosed => "phase_closed",
            Refusal::TooManyIdeas => "too_many_ideas",
            Refusal::IdeaClosed => "idea_closed",
            Refusal::MeetingPast => "meeting_past",
            Refusal::NoDecidimSource => "no_decidim_source",
        }
    }
}

/// The prioritisation's results: none until its phase closes, then the full tally.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct VoteResults {
    /// False while the vote is open or has not started: nothing else is given.
    pub published: bool,
    pub method: VoteMethod,
    /// Ballots cast, one per voter (published only).
    pub ballots: Option<i64>,
    /// The admitted ideas, the most voted first (published only).
    pub tally: Vec<Tally>,
}

/// An idea's result: points (approvals under approval voting) and how many ballots gave it any.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Tally {
    pub number: i64,
    pub title: String,
    pub points: i64,
    pub voters: i64,
}

/// A meeting of the process, as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MeetingSummary {
    /// Its number in the process: its address.
    pub number: i64,
    pub kind: MeetingKind,
    pub title: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `hh:mm`.
    pub starts: Option<String>,
    pub ends: Option<String>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    /// Seats (none: no limit).
    pub capacity: Option<i64>,
    pub registered: i64,
    pub waiting: i64,
    pub attended: i64,
    pub is_demo: bool,
}

/// A meeting, whole.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Meeting {
    #[serde(flatten)]
    pub summary: MeetingSummary,
    #[serde(skip)]
    pub id: String,
    /// Markdown: what will be discussed.
    pub agenda: String,
    /// Markdown, written after.
    pub minutes: String,
    /// A negotiation table's decisions (Markdown).
    pub decisions: String,
    /// A negotiation table's members: "Name — Organisation", a line each.
    pub members: Vec<String>,
    /// The ideas discussed.
    pub ideas: Vec<IdeaRef>,
    /// Documents uploaded after it (the minutes as a file, slides), oldest first.
    pub documents: Vec<crate::document::Document>,
    pub version: i64,
}

/// An idea named by another record.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IdeaRef {
    pub number: i64,
    pub title: String,
}

/// A report on a collaboration pact.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PactReport {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Markdown.
    pub text: String,
}

/// A meeting as the coordinators write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeetingEdit {
    pub kind: MeetingKind,
    pub title: String,
    pub date: String,
    pub starts: Option<String>,
    pub ends: Option<String>,
    pub place: Option<String>,
    pub online_url: Option<String>,
    pub agenda: String,
    /// Seats; none: no limit.
    pub capacity: Option<i64>,
    pub minutes: String,
    pub decisions: String,
    pub members: Vec<String>,
    /// The ideas discussed, by number.
    pub ideas: Vec<String>,
}

impl MeetingEdit {
    /// `ideas`: the numbers of the process's ideas.
    pub fn read(r: &mut Reader, ideas: &[String]) -> Option<MeetingEdit> {
        let kind = r.code::<MeetingKind>("kind");
        let title = r.line("title");
        let date = r.opt_date("date");
        if date.is_none() && !r.failed("date") {
            r.fail("date", FieldProblem::Required);
        }
        let starts = r.opt_time("starts");
        let ends = r.opt_time("ends");
        r.in_order(&starts, &ends, "ends");
        let place = r.opt_line("place");
        let online_url = r.opt_url("online_url");
        if place.is_none() && online_url.is_none() && !r.failed("online_url") {
            r.fail("place", FieldProblem::Required);
        }
        let members = r.text("members").lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect();
        Some(MeetingEdit {
            kind: kind?,
            title,
            date: date?,
            starts,
            ends,
            place,
            online_url,
            agenda: r.text("agenda"),
            capacity: r.opt_whole("capacity", 1..=100_000),
            minutes: r.text("minutes"),
            decisions: r.text("decisions"),
            members,
            ideas: r.codes("ideas", ideas, false),
        })
    }
}

/// Who came to a meeting, among those registered (person ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AttendanceEdit {
    pub attended: Vec<String>,
}

impl AttendanceEdit {
    pub fn read(r: &mut Reader, registered: &[String]) -> Option<AttendanceEdit> {
        Some(AttendanceEdit { attended: r.codes("attended", registered, false) })
    }
}

/// Where a person stands for a meeting, for its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    pub seat: Seat,
    /// Their place on the waiting list (from 1), when waiting.
    pub waiting_at: Option<i64>,
}

/// A collaboration pact of the process.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Pact {
    #[serde(skip)]
    pub id: String,
    /// Its number in the process: its address.
    pub number: i64,
    pub title: String,
    /// Markdown.
    pub object: String,
    /// The good or service concerned.
    pub good: String,
    /// "Name — role", a line each.
    pub parties: Vec<String>,
    /// Markdown: what each party commits to.
    pub commitments: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub reporting_dates: Vec<String>,
    pub status: PactStatus,
    /// The action it carries out.
    pub action: Option<IdeaAction>,
    /// Its reports, oldest first.
    pub reports: Vec<PactReport>,
    pub is_demo: bool,
    pub version: i64,
}

/// The final participatory document: the whole path of a process, as generated from it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ProcessDocument {
    pub process: Process,
    pub participation: Participation,
    /// Ballots cast; published with the results only.
    pub ballots: Option<i64>,
    /// People who came to the meetings (counted per meeting).
    pub attendances: i64,
    /// Every idea, with its answer and the action carrying it.
    pub ideas: Vec<Idea>,
    pub results: VoteResults,
    pub meetings: Vec<Meeting>,
    pub pacts: Vec<Pact>,
    /// When the document was generated (RFC 3339).
    pub generated_at: String,
}

// --- what coordinators and participants write ---------------------------------------------

/// A process as its coordinators set it up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProcessEdit {
    pub title: String,
    pub description: String,
    pub vote_method: VoteMethod,
    /// Required with the `points` method: 1 to 100.
    pub vote_points: Option<i64>,
}

impl ProcessEdit {
    pub fn read(r: &mut Reader) -> Option<ProcessEdit> {
        let title = r.line("title");
        let description = r.text("description");
        let vote_method = r.code::<VoteMethod>("vote_method");
        let points = r.opt_whole("vote_points", 1..=MAX_VOTE_POINTS);
        let vote_points = match vote_method {
            Some(VoteMethod::Points) if points.is_none() && !r.failed("vote_points") => {
                r.fail("vote_points", FieldProblem::Required);
                None
            }
            Some(VoteMethod::Points) => points,
            _ => None,
        };
        Some(ProcessEdit { title, description, vote_method: vote_method?, vote_points })
    }
}

/// A phase's dates and what happens in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PhaseEdit {
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub description: String,
}

impl PhaseEdit {
    pub fn read(r: &mut Reader) -> Option<PhaseEdit> {
        let starts_on = r.opt_date("starts_on");
        let ends_on = r.opt_date("ends_on");
        r.in_order(&starts_on, &ends_on, "ends_on");
        let description = r.text("description");
        Some(PhaseEdit { starts_on, ends_on, description })
    }
}

/// Which phase is active: one at a time, opening and closing what participants may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActivePhaseEdit {
    /// None before the process starts; a change always names one.
    pub active_phase: Option<PhaseKind>,
}

impl ActivePhaseEdit {
    pub fn read(r: &mut Reader) -> Option<ActivePhaseEdit> {
        Some(ActivePhaseEdit { active_phase: Some(r.code("active_phase")?) })
    }
}

/// What the gaps, comuni and vocabularies of the idea's territory offer its form.
pub struct IdeaChoices<'a> {
    pub gaps: &'a [String],
    pub comuni: &'a [String],
    pub target_groups: &'a [String],
    pub life_stages: &'a [String],
    /// The organisations the author represents in the process, by slug.
    pub organizations: &'a [String],
}

/// An idea as its author proposes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct IdeaEdit {
    pub title: String,
    /// Markdown (raw HTML shows as text).
    pub body: String,
    /// A gap of the district's profile, by its key.
    pub gap_key: Option<String>,
    /// The comune it concerns, by ISTAT code.
    pub comune: Option<String>,
    pub target_groups: Vec<String>,
    pub life_stages: Vec<String>,
    /// The organisation it is proposed for, by slug: one its author represents in the process.
    pub on_behalf_of: Option<String>,
}

impl IdeaEdit {
    pub fn read(r: &mut Reader, offered: &IdeaChoices) -> Option<IdeaEdit> {
        let title = r.line("title");
        let body = r.text("body");
        if body.is_empty() && !r.failed("body") {
            r.fail("body", FieldProblem::Required);
        }
        Some(IdeaEdit {
            title,
            body,
            gap_key: r.opt_choice("gap_key", offered.gaps),
            comune: r.opt_choice("comune", offered.comuni),
            target_groups: r.codes("target_groups", offered.target_groups, false),
            life_stages: r.codes("life_stages", offered.life_stages, false),
            on_behalf_of: r.opt_choice("on_behalf_of", offered.organizations),
        })
    }
}

/// The coordinators' answer to an idea.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AnswerEdit {
    /// None while unanswered; a change always gives one.
    pub answer: Option<IdeaAnswer>,
    /// Why (required when not accepted).
    pub answer_note: String,
    /// The action that carries an accepted idea, by code.
    pub action_code: Option<String>,
    /// The idea a merged one joins, by number.
    pub merged_into: Option<i64>,
}

impl AnswerEdit {
    /// `actions`: the agenda's action codes; `ideas`: the numbers of the process's other ideas.
    pub fn read(r: &mut Reader, actions: &[String], ideas: &[String]) -> Option<AnswerEdit> {
        let answer = r.code::<IdeaAnswer>("answer");
        let answer_note = r.text("answer_note");
        let action_code = r.opt_choice("action_code", actions);
        let merged_into = r.opt_choice("merged_into", ideas).and_then(|n| n.parse().ok());
        let missing = match answer {
            Some(IdeaAnswer::Accepted) => action_code.is_none().then_some("action_code"),
            Some(IdeaAnswer::Merged) => merged_into.is_none().then_some("merged_into"),
            Some(IdeaAnswer::Rejected) => answer_note.is_empty().then_some("answer_note"),
            None => None,
        };
        if let Some(field) = missing.filter(|f| !r.failed(f)) {
            r.fail(field, FieldProblem::Required);
        }
        let answer = answer?;
        Some(AnswerEdit {
            answer: Some(answer),
            answer_note,
            action_code: action_code.filter(|_| answer == IdeaAnswer::Accepted),
            merged_into: merged_into.filter(|_| answer == IdeaAnswer::Merged),
        })
    }
}

/// The ideas the coordinators admit to the vote, by number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AdmittedEdit {
    pub admitted: Vec<String>,
}

impl AdmittedEdit {
    pub fn read(r: &mut Reader, ideas: &[String]) -> Option<AdmittedEdit> {
        Some(AdmittedEdit { admitted: r.codes("admitted", ideas, false) })
    }
}

/// A ballot: points per admitted idea, by number (1 for each approved idea).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BallotEdit {
    pub choices: Vec<(i64, i64)>,
}

impl BallotEdit {
    /// Approval: the ticked ideas (`ideas`); points: `points_{n}` for each admitted idea `n`,
    /// at most `max` in all.
    pub fn read(r: &mut Reader, method: VoteMethod, max: i64, admitted: &[i64]) -> Option<BallotEdit> {
        let choices: Vec<(i64, i64)> = match method {
            VoteMethod::Approval => {
                let offered: Vec<String> = admitted.iter().map(|n| n.to_string()).collect();
                r.codes("ideas", &offered, false).iter().filter_map(|n| n.parse().ok()).map(|n| (n, 1)).collect()
            }
            VoteMethod::Points => admitted
                .iter()
                .filter_map(|n| r.opt_whole(&format!("points_{n}"), 0..=max).map(|p| (*n, p)))
                .filter(|(_, p)| *p > 0)
                .collect(),
        };
        let field = if method == VoteMethod::Points { "points" } else { "ideas" };
        let total: i64 = choices.iter().map(|(_, p)| p).sum();
        if method == VoteMethod::Points && total > max {
            r.fail(field, FieldProblem::OutOfRange { min: "1".into(), max: max.to_string() });
        } else if choices.is_empty() && !r.errors.iter().any(|e| e.field.starts_with(field)) {
            r.fail(field, FieldProblem::Required);
        }
        Some(BallotEdit { choices })
    }
}

/// A collaboration pact as the coordinators write it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PactEdit {
    pub title: String,
    pub object: String,
    pub good: String,
    pub parties: Vec<String>,
    pub commitments: String,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub reporting_dates: Vec<String>,
    pub status: PactStatus,
    /// The action it carries out, by code.
    pub action_code: Option<String>,
}

impl PactEdit {
    /// `actions`: the agenda's action codes.
    pub fn read(r: &mut Reader, actions: &[String]) -> Option<PactEdit> {
        let title = r.line("title");
        let object = r.text("object");
        if object.is_empty() && !r.failed("object") {
            r.fail("object", FieldProblem::Required);
        }
        let lines = |text: String| -> Vec<String> {
            text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
        };
        let parties = lines(r.text("parties"));
        if parties.len() < 2 && !r.failed("parties") {
            r.fail("parties", FieldProblem::Required);
        }
        let starts_on = r.opt_date("starts_on");
        let ends_on = r.opt_date("ends_on");
        r.in_order(&starts_on, &ends_on, "ends_on");
        let reporting_dates = lines(r.text("reporting_dates"));
        if reporting_dates.iter().any(|d| !crate::edit::is_date(d)) {
            r.fail("reporting_dates", FieldProblem::NotADate);
        }
        Some(PactEdit {
            title,
            object,
            good: r.opt_line("good").unwrap_or_default(),
            parties,
            commitments: r.text("commitments"),
            starts_on,
            ends_on,
            reporting_dates,
            status: r.code("status")?,
            action_code: r.opt_choice("action_code", actions),
        })
    }
}

/// A report on a pact: its date and what was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PactReportEdit {
    pub date: String,
    pub text: String,
}

impl PactReportEdit {
    pub fn read(r: &mut Reader) -> Option<PactReportEdit> {
        let date = r.opt_date("date");
        if date.is_none() && !r.failed("date") {
            r.fail("date", FieldProblem::Required);
        }
        let text = r.text("text");
        if text.is_empty() && !r.failed("text") {
            r.fail("text", FieldProblem::Required);
        }
        Some(PactReportEdit { date: date?, text })
    }
}

/// A moderator's reason for hiding an idea or a comment, shown in its place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HideEdit {
    pub hidden_reason: String,
}

impl HideEdit {
    pub fn read(r: &mut Reader) -> Option<HideEdit> {
        Some(HideEdit { hidden_reason: r.line("hidden_reason") })
    }
}

/// A comment on an idea (one level deep: no replies to comments).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CommentEdit {
    pub body: String,
}

impl CommentEdit {
    pub fn read(r: &mut Reader) -> Option<CommentEdit> {
        let body = r.text("body");
        if body.is_empty() && !r.failed("body") {
            r.fail("body", FieldProblem::Required);
        } else if body.chars().count() > COMMENT_MAX {
            r.fail("body", FieldProblem::TooLong { max: COMMENT_MAX });
        }
        Some(CommentEdit { body })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read<T>(pairs: &[(&str, &str)], f: impl FnOnce(&mut Reader) -> Option<T>) -> Result<T, Vec<String>> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let input = move |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut r = Reader::new(&input);
        let value = f(&mut r);
        r.conclude(value).map_err(|errors| errors.into_iter().map(|e| e.field).collect())
    }

    #[test]
    fn the_points_method_needs_a_number_of_points_within_range() {
        let fields =
            |points: &'static str| [("title", "Laboratorio"), ("vote_method", "points"), ("vote_points", points)];
        assert_eq!(read(&fields(""), ProcessEdit::read).unwrap_err(), ["vote_points"]);
        assert_eq!(read(&fields("101"), ProcessEdit::read).unwrap_err(), ["vote_points"]);
        assert_eq!(read(&fields("10"), ProcessEdit::read).unwrap().vote_points, Some(10));
        let approval = [("title", "Laboratorio"), ("vote_method", "approval"), ("vote_points", "10")];
        assert_eq!(read(&approval, ProcessEdit::read).unwrap().vote_points, None);
    }

    #[test]
    fn a_ballot_gives_points_within_the_total_to_admitted_ideas_only() {
        let admitted = [1, 2, 3];
        let points = |pairs: &[(&str, &str)]| read(pairs, |r| BallotEdit::read(r, VoteMethod::Points, 10, &admitted));
        assert_eq!(points(&[("points_1", "6"), ("points_3", "4")]).unwrap().choices, [(1, 6), (3, 4)]);
        assert_eq!(points(&[("points_1", "6"), ("points_2", "5")]).unwrap_err(), ["points"]);
        assert_eq!(points(&[("points_1", "-1")]).unwrap_err(), ["points_1"]);
        assert_eq!(points(&[("points_9", "5")]).unwrap_err(), ["points"], "an idea not admitted counts nothing");
        let approval =
            |pairs: &[(&str, &str)]| read(pairs, |r| BallotEdit::read(r, VoteMethod::Approval, 0, &admitted));
        assert_eq!(approval(&[("ideas", "1\n3")]).unwrap().choices, [(1, 1), (3, 1)]);
        assert_eq!(approval(&[("ideas", "4")]).unwrap_err(), ["ideas"]);
        assert_eq!(approval(&[]).unwrap_err(), ["ideas"]);
    }

    #[test]
    fn a_meeting_needs_a_day_and_a_place_or_a_link_and_times_in_order() {
        let ideas = vec!["1".to_string()];
        let meeting = |pairs: &[(&str, &str)]| read(pairs, |r| MeetingEdit::read(r, &ideas));
        assert_eq!(meeting(&[("kind", "meeting"), ("title", "T")]).unwrap_err(), ["date", "place"]);
        let base = [("kind", "working_day"), ("title", "Giornata"), ("date", "2027-02-13"), ("place", "Novafeltria")];
        let with = |more: &[(&'static str, &'static str)]| [&base[..], more].concat();
        assert_eq!(meeting(&with(&[("starts", "9.30"), ("ends", "13:00")])).unwrap().starts.as_deref(), Some("09:30"));
        assert_eq!(meeting(&with(&[("starts", "25:00")])).unwrap_err(), ["starts"]);
        assert_eq!(meeting(&with(&[("starts", "14:00"), ("ends", "13:00")])).unwrap_err(), ["ends"]);
        assert_eq!(meeting(&with(&[("ideas", "2")])).unwrap_err(), ["ideas"]);
        let table = meeting(&with(&[("members", "Anna — AUSL\n\nLuca — Coop Golena\n")])).unwrap();
        assert_eq!(table.members, ["Anna — AUSL", "Luca — Coop Golena"]);
    }

    #[test]
    fn an_answer_names_what_it_needs() {
        let (actions, ideas) = (vec!["A1.1".to_string()], vec!["2".to_string()]);
        let answer = |pairs: &[(&str, &str)]| read(pairs, |r| AnswerEdit::read(r, &actions, &ideas));
        assert_eq!(answer(&[("answer", "accepted")]).unwrap_err(), ["action_code"]);
        assert_eq!(answer(&[("answer", "merged")]).unwrap_err(), ["merged_into"]);
        assert_eq!(answer(&[("answer", "rejected")]).unwrap_err(), ["answer_note"]);
        assert_eq!(answer(&[("answer", "accepted"), ("action_code", "A9.9")]).unwrap_err(), ["action_code"]);
        let accepted = answer(&[("answer", "accepted"), ("action_code", "A1.1"), ("merged_into", "2")]).unwrap();
        assert_eq!((accepted.action_code.as_deref(), accepted.merged_into), (Some("A1.1"), None));
        assert_eq!(answer(&[("answer", "merged"), ("merged_into", "2")]).unwrap().merged_into, Some(2));
    }

    #[test]
    fn an_idea_needs_a_title_and_a_text_and_only_offered_choices() {
        let none: Vec<String> = Vec::new();
        let groups = vec!["older_people".to_string()];
        let offered = IdeaChoices {
            gaps: &none,
            comuni: &none,
            target_groups: &groups,
            life_stages: &none,
            organizations: &none,
        };
        let idea = |pairs: &[(&str, &str)]| read(pairs, |r| IdeaEdit::read(r, &offered));
        assert_eq!(idea(&[]).unwrap_err(), ["title", "body"]);
        assert_eq!(idea(&[("title", "T"), ("body", "B"), ("comune", "035024")]).unwrap_err(), ["comune"]);
        let ok = idea(&[("title", "T"), ("body", "B"), ("target_groups", "older_people")]).unwrap();
        assert_eq!(ok.target_groups, groups);
    }
}
