//! The Community Lab in the API: an agenda's process with its phases and figures, its ideas
//! (filtered and sorted as on the page) and each idea whole; the coordinators' answer to an idea
//! and the active phase (`agio_app::lab`).

use agio_app::lab::{ActivePhaseEditor, AnswerEditor, Choices};
use agio_domain::lab::{Idea, IdeaSummary, Process, ProcessDocument, ProcessFigures, VoteResults};
use agio_domain::Page;
use axum::extract::{Path, State};
use axum::Json;
use utoipa::ToSchema;

use super::writes::{apply, ChangeProblems, How, JsonObject};
use crate::kit::auth::TokenCaller;
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

/// The ideas of an agenda's process, a page at a time.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/process/ideas", tag = "lab",
    params(
        ("slug" = String, Path, description = "Slug of the agenda"),
        ("q" = Option<String>, Query, description = "Words in the title or the text"),
        ("gap" = Option<String>, Query, description = "A gap of the district's profile, by key"),
        ("comune" = Option<String>, Query, description = "ISTAT code of a comune"),
        ("target_group" = Option<String>, Query, description = "A target group's code"),
        ("answer" = Option<String>, Query, description = "`pending`, `accepted`, `merged` or `rejected`"),
        ("sort" = Option<String>, Query, description = "`supported` (default), `recent` or `commented`"),
        ("page" = Option<i64>, Query, description = "From 1"),
        ("per_page" = Option<i64>, Query, description = "From 1 to 100"),
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
    Path((slug, number)): Path<(String, String)>,
) -> Result<Json<Idea>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(agio_app::lab::idea(&s, who, &slug, crate::lab::number(&number)?).await?.2))
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
    /// `accepted`, `merged` or `rejected`.
    answer: String,
    /// Why (required when not accepted).
    answer_note: Option<String>,
    /// The action that carries an accepted idea, by code.
    action_code: Option<String>,
    /// The idea a merged one joins, by number.
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
    Path((slug, number)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Idea>, AppError> {
    let who = Some(&caller.principal);
    let number = crate::lab::number(&number)?;
    apply(&s, &caller, &AnswerEditor::load(&s, who, &slug, number).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab::idea(&s, who, &slug, number).await?.2))
}

/// The phase to make active.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PhaseChange {
    /// The process's version when it was read.
    version: i64,
    /// `information`, `ideas`, `working_day`, `prioritisation`, `feedback` or `pacts`.
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
