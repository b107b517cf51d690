//! The Community Lab (step 2 of the regional method, *realizzazione*): an agenda's participatory
//! process, its phases, the ideas people propose, and the coordinators' answers. What is read,
//! and what the forms and the API write, with the rules that need no I/O.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::edit::{FieldProblem, Reader};
use crate::{IdeaAnswer, IdeaState, PhaseKind, VoteMethod};

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
    pub ideas: i64,
    pub supports: i64,
    /// People who proposed, supported or commented.
    pub participants: i64,
    pub is_demo: bool,
    /// To send with a change of its active phase.
    pub version: i64,
}

impl Process {
    /// Whether the active phase is `kind`.
    pub fn in_phase(&self, kind: PhaseKind) -> bool {
        self.active_phase == Some(kind)
    }

    /// Whether ideas are still open to supports and comments: from their collection up to the
    /// end of the prioritisation.
    pub fn open_to_supports(&self) -> bool {
        matches!(self.active_phase, Some(PhaseKind::Ideas | PhaseKind::WorkingDay | PhaseKind::Prioritisation))
    }
}

/// A phase of a process; without dates it is not planned.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Phase {
    pub kind: PhaseKind,
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// What happens in it (Markdown).
    pub description: String,
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
    pub is_demo: bool,
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

/// An idea an action came from, as the agenda shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IdeaOrigin {
    pub action_code: String,
    pub number: i64,
    pub title: String,
    pub supports: i64,
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
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::PhaseClosed => "phase_closed",
            Refusal::TooManyIdeas => "too_many_ideas",
            Refusal::IdeaClosed => "idea_closed",
        }
    }
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
        let offered = IdeaChoices { gaps: &none, comuni: &none, target_groups: &groups, life_stages: &none };
        let idea = |pairs: &[(&str, &str)]| read(pairs, |r| IdeaEdit::read(r, &offered));
        assert_eq!(idea(&[]).unwrap_err(), ["title", "body"]);
        assert_eq!(idea(&[("title", "T"), ("body", "B"), ("comune", "035024")]).unwrap_err(), ["comune"]);
        let ok = idea(&[("title", "T"), ("body", "B"), ("target_groups", "older_people")]).unwrap();
        assert_eq!(ok.target_groups, groups);
    }
}
