//! The Community Lab in the API: an agenda's process with its phases and figures, its ideas
//! (filtered and sorted as on the page) and each idea whole, its meetings and pacts; what the
//! coordinators write — the answer to an idea, the active phase, meetings, pacts and their
//! reports — with the forms' editors (`agio_app::lab`, `lab_meetings`, `lab_pacts`).

use crate::lab::Numbered;
use agio_app::lab::{ActivePhaseEditor, AdmittedEditor, AnswerEditor, Choices, PhaseEditor, ProcessEditor};
use agio_app::lab_meetings::MeetingEditor;
use agio_app::lab_pacts::{PactEditor, PactReportEditor};
use agio_domain::lab::{
    Idea, IdeaSummary, Meeting, MeetingEdit, Pact, PactEdit, PactReportEdit, PhaseEdit, Process, ProcessDocument,
    ProcessEdit, ProcessFigures, VoteResults,
};
use agio_domain::Page;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;

use super::writes::{apply, as_new, ChangeProblems, CreateProblems, How, JsonObject};
use crate::kit::auth::TokenCaller;
use crate::kit::edit_page::EditPage;
use crate::kit::error::{AppError, Problem};
use crate::kit::query::Params;
use crate::kit::state::AppState;

/// An agenda's participatory process: its phases in order (the active one named), and how many
/// ideas, supports and participants it has. 404 when the agenda has none or is not visible.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process", tag = "lab",
    params(("slug" = String, Path, description = "Slug of the agenda")),
    responses((status = 200, body = ProcessFigures), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_process(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
) -> Result<Json<ProcessFigures>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    let process = agio_app::lab::process(&s, who, &slug).await?.1;
    let participation = s.store.lab_participation(&process.id).await?;
    Ok(Json(ProcessFigures { process, participation }))
}

/// The ideas an answer filter keeps: those still waiting for one, or those given it.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)] // read through `Params`; this enum documents them
pub enum IdeaAnswerFilter {
    Pending,
    Accepted,
    Merged,
    Rejected,
}

/// The order of the ideas.
#[derive(serde::Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum IdeaOrder {
    Supported,
    Recent,
    Commented,
}

/// The ideas of an agenda's process, a page at a time.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process/ideas", tag = "lab",
    params(
        ("slug" = String, Path, description = "Slug of the agenda"),
        ("q" = Option<String>, Query, description = "Words in the title or the text"),
        ("gap" = Option<String>, Query, description = "A gap of the district's profile, by key"),
        ("comune" = Option<String>, Query, description = "ISTAT code of a comune"),
        ("target_group" = Option<String>, Query, description = "A target group's code"),
        ("answer" = inline(Option<IdeaAnswerFilter>), Query, description = "`pending`, `accepted`, `merged` or `rejected`"),
        ("sort" = inline(Option<IdeaOrder>), Query, description = "`supported` (default), `recent` or `commented`"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 1000000, description = "From 1"),
        ("per_page" = Option<i64>, Query, minimum = 1, maximum = 100, description = "From 1 to 100"),
    ),
    responses((status = 200, body = Page<IdeaSummary>), (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_ideas(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Json<Page<IdeaSummary>>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    let (facts, process) = agio_app::lab::process(&s, who, &slug).await?;
    let choices = Choices::of(&s, &facts).await?;
    let filter = crate::lab::idea_filter(&params, &choices, &s.vocabularies.target_group)?;
    Ok(Json(s.store.lab_ideas(&process.id, &filter, params.page()?).await?))
}

/// An idea, whole: its text (none once hidden or withdrawn, with the moderators' reason), its
/// supports, its comments and the coordinators' answer with the action that carries it.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process/ideas/{number}", tag = "lab",
    params(("slug" = String, Path, description = "Slug of the agenda"), ("number" = i64, Path, description = "The idea's number")),
    responses((status = 200, body = Idea), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_idea(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Numbered { slug, number, .. }: Numbered,
) -> Result<Json<Idea>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(agio_app::lab::idea(&s, who, &slug, number).await?.2))
}

/// The prioritisation's results: `published` false, and nothing else, until the vote closes
/// (for everyone, coordinators included); then every admitted idea's points and voters, and the
/// number of ballots (one per voter).
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process/results", tag = "lab",
    params(("slug" = String, Path, description = "Slug of the agenda")),
    responses((status = 200, body = VoteResults), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_results(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
) -> Result<Json<VoteResults>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(agio_app::lab::vote(&s, who, &slug).await?.results))
}

/// The final participatory document: the process with its phases and figures, every idea with
/// its answer, the vote's results (only once published), the meetings with their minutes and
/// the collaboration pacts with their reports.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process/document", tag = "lab",
    params(("slug" = String, Path, description = "Slug of the agenda")),
    responses((status = 200, body = ProcessDocument), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_document(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
) -> Result<Json<ProcessDocument>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(agio_app::lab::document(&s, who, &slug).await?))
}

/// The coordinators' answer to an idea.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AnswerChange {
    /// The idea's version when it was read.
    version: i64,
    #[schema(value_type = agio_domain::IdeaAnswer)]
    answer: String,
    /// Why (required when not accepted).
    answer_note: Option<String>,
    /// The action that carries an accepted idea, by code.
    action_code: Option<String>,
    /// The idea a merged one joins, by number.
    #[schema(schema_with = super::writes::number_or_text)]
    merged_into: Option<String>,
}

/// Answer an idea (the agenda's coordinators): accepted into an action, merged into another
/// idea, or not accepted with a reason.
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/process/ideas/{number}/answer", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda"), ("number" = i64, Path, description = "The idea's number")),
    request_body(content = AnswerChange, content_type = "application/json"),
    responses((status = 200, body = Idea, description = "The idea with its answer"), ChangeProblems))]
pub async fn put_answer(
    State(s): State<AppState>,
    caller: TokenCaller,
    Numbered { slug, number, .. }: Numbered,
    body: JsonObject,
) -> Result<Json<Idea>, AppError> {
    let who = Some(&caller.principal);
    apply(&s, &caller, &AnswerEditor::load(&s, who, &slug, number).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab::idea(&s, who, &slug, number).await?.2))
}

/// The phase to make active.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhaseChange {
    /// The process's version when it was read.
    version: i64,
    #[schema(value_type = agio_domain::PhaseKind)]
    active_phase: String,
}

/// Make a phase the active one (the agenda's coordinators): it opens and closes what
/// participants may do.
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/process/active-phase", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda")),
    request_body(content = PhaseChange, content_type = "application/json"),
    responses((status = 200, body = Process, description = "The process in its new phase"), ChangeProblems))]
pub async fn put_active_phase(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<Process>, AppError> {
    apply(&s, &caller, &ActivePhaseEditor::load(&s, &slug).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab::process(&s, Some(&caller.principal), &slug).await?.1))
}

/// A meeting of an agenda's process, whole: its agenda, minutes, a negotiation table's members
/// and decisions, the ideas discussed, and its registrations (seats and waiting list).
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process/meetings/{number}", tag = "lab",
    params(("slug" = String, Path, description = "Slug of the agenda"), ("number" = i64, Path, description = "The meeting's number")),
    responses((status = 200, body = Meeting), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_meeting(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Numbered { slug, number, .. }: Numbered,
) -> Result<Json<Meeting>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(agio_app::lab_meetings::meeting(&s, who, &slug, number).await?.2))
}

/// A collaboration pact of an agenda's process, with its reports.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process/pacts/{number}", tag = "lab",
    params(("slug" = String, Path, description = "Slug of the agenda"), ("number" = i64, Path, description = "The pact's number")),
    responses((status = 200, body = Pact), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_pact(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Numbered { slug, number, .. }: Numbered,
) -> Result<Json<Pact>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(agio_app::lab_pacts::pact(&s, who, &slug, number).await?.2))
}

/// A meeting to write, whole, with the version it starts from (0 or left out to create).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MeetingChange {
    version: Option<i64>,
    #[schema(inline)]
    #[serde(flatten)]
    fields: MeetingEdit,
}

/// Add a meeting to the process (the agenda's coordinators): a meeting, the working day or a
/// negotiation table, with its date, place or link, agenda and capacity.
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/process/meetings", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda")),
    request_body(content = MeetingChange, content_type = "application/json"),
    responses((status = 201, body = Meeting, description = "The new meeting"), CreateProblems))]
pub async fn create_meeting(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<(StatusCode, Json<Meeting>), AppError> {
    let who = Some(&caller.principal);
    let editor = MeetingEditor::load(&s, who, &slug, None).await?;
    apply(&s, &caller, &editor, as_new(body), How::Replace).await?;
    let number = editor.number().ok_or_else(|| AppError::Internal("a created meeting has no number".into()))?;
    Ok((StatusCode::CREATED, Json(agio_app::lab_meetings::meeting(&s, who, &slug, number).await?.2)))
}

/// Change a meeting (the agenda's coordinators), its minutes and decisions after it was held.
/// Registered people are told by e-mail when its date, time or place changes.
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/process/meetings/{number}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda"), ("number" = i64, Path, description = "The meeting's number")),
    request_body(content = MeetingChange, content_type = "application/json"),
    responses((status = 200, body = Meeting, description = "The meeting as saved"), ChangeProblems))]
pub async fn put_meeting(
    State(s): State<AppState>,
    caller: TokenCaller,
    Numbered { slug, number, .. }: Numbered,
    body: JsonObject,
) -> Result<Json<Meeting>, AppError> {
    let who = Some(&caller.principal);
    let editor = MeetingEditor::load(&s, who, &slug, Some(number)).await?;
    apply(&s, &caller, &editor, body, How::Replace).await?;
    let meeting = agio_app::lab_meetings::meeting(&s, who, &slug, number).await?.2;
    // The people registered are told, as after the form.
    EditPage::after_save(&editor, &s, &agio_store::meeting_for_edit(&meeting).fields).await?;
    Ok(Json(meeting))
}

/// A pact to write, whole, with the version it starts from (0 or left out to create).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PactChange {
    version: Option<i64>,
    #[schema(inline)]
    #[serde(flatten)]
    fields: PactEdit,
}

/// Record a collaboration pact (the agenda's coordinators): its parties (two at least, a line
/// each), object, commitments, duration, reporting dates, status and the action it carries out.
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/process/pacts", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda")),
    request_body(content = PactChange, content_type = "application/json"),
    responses((status = 201, body = Pact, description = "The new pact"), CreateProblems))]
pub async fn create_pact(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<(StatusCode, Json<Pact>), AppError> {
    let who = Some(&caller.principal);
    let editor = PactEditor::load(&s, who, &slug, None).await?;
    apply(&s, &caller, &editor, as_new(body), How::Replace).await?;
    let number = editor.number().ok_or_else(|| AppError::Internal("a created pact has no number".into()))?;
    Ok((StatusCode::CREATED, Json(agio_app::lab_pacts::pact(&s, who, &slug, number).await?.2)))
}

/// Change a pact (the agenda's coordinators): its status (proposta, sottoscritto, concluso) and
/// the rest.
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/process/pacts/{number}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda"), ("number" = i64, Path, description = "The pact's number")),
    request_body(content = PactChange, content_type = "application/json"),
    responses((status = 200, body = Pact, description = "The pact as saved"), ChangeProblems))]
pub async fn put_pact(
    State(s): State<AppState>,
    caller: TokenCaller,
    Numbered { slug, number, .. }: Numbered,
    body: JsonObject,
) -> Result<Json<Pact>, AppError> {
    let who = Some(&caller.principal);
    apply(&s, &caller, &PactEditor::load(&s, who, &slug, Some(number)).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab_pacts::pact(&s, who, &slug, number).await?.2))
}

/// A report on a pact, with the pact's version when it was read.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PactReportChange {
    version: i64,
    #[schema(inline)]
    #[serde(flatten)]
    fields: PactReportEdit,
}

/// Add a report to a pact (the agenda's coordinators): its date and what was done.
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/process/pacts/{number}/reports", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda"), ("number" = i64, Path, description = "The pact's number")),
    request_body(content = PactReportChange, content_type = "application/json"),
    responses((status = 201, body = Pact, description = "The pact with its new report"), ChangeProblems))]
pub async fn create_pact_report(
    State(s): State<AppState>,
    caller: TokenCaller,
    Numbered { slug, number, .. }: Numbered,
    body: JsonObject,
) -> Result<(StatusCode, Json<Pact>), AppError> {
    let who = Some(&caller.principal);
    apply(&s, &caller, &PactReportEditor::load(&s, who, &slug, number).await?, body, How::Replace).await?;
    Ok((StatusCode::CREATED, Json(agio_app::lab_pacts::pact(&s, who, &slug, number).await?.2)))
}

/// The process's settings, with the version they start from (0 to start a process).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProcessChange {
    version: i64,
    #[schema(inline)]
    #[serde(flatten)]
    fields: ProcessEdit,
}

/// Start the agenda's participatory process, or change its title, description and vote method
/// (the agenda's coordinators).
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/process", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda")),
    request_body(content = ProcessChange, content_type = "application/json"),
    responses((status = 200, body = Process, description = "The process as saved"), ChangeProblems))]
pub async fn put_process(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<Process>, AppError> {
    apply(&s, &caller, &ProcessEditor::load(&s, &slug).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab::process(&s, Some(&caller.principal), &slug).await?.1))
}

/// A phase's dates and description, with the phase's version they start from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhaseDatesChange {
    version: i64,
    #[schema(inline)]
    #[serde(flatten)]
    fields: PhaseEdit,
}

/// Set a phase's dates and what happens in it (the agenda's coordinators).
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/process/phases/{kind}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda"),
        ("kind" = agio_domain::codes::PhaseKind, Path, description = "The phase")),
    request_body(content = PhaseDatesChange, content_type = "application/json"),
    responses((status = 200, body = Process, description = "The process with the phase as saved"), ChangeProblems))]
pub async fn put_phase(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, kind)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Process>, AppError> {
    apply(&s, &caller, &PhaseEditor::load(&s, &slug, &kind).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab::process(&s, Some(&caller.principal), &slug).await?.1))
}

/// The ideas admitted to the vote, with the process's version they start from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AdmittedChange {
    version: i64,
    /// The ideas' numbers.
    admitted: Vec<String>,
}

/// Choose the ideas admitted to the vote (the agenda's coordinators), before it opens.
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/process/admitted", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda")),
    request_body(content = AdmittedChange, content_type = "application/json"),
    responses((status = 200, body = Process, description = "The process"), ChangeProblems))]
pub async fn put_admitted(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<Process>, AppError> {
    apply(&s, &caller, &AdmittedEditor::load(&s, &slug).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab::process(&s, Some(&caller.principal), &slug).await?.1))
}
