//! The frameworks in the API: each with its items and, for each item, the agendas that serve
//! it and the districts without; the regional administrator's changes; the items an objective
//! serves (`agio_app::frameworks`).

use agio_app::frameworks::{report, FrameworkEditor, FrameworkItemEditor, FrameworkReport, TargetsEditor};
use agio_domain::edit::TargetsEdit;
use agio_domain::model::Framework;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use utoipa::ToSchema;

use super::writes::{apply, as_new, ChangeProblems, CreateProblems, How, JsonObject};
use crate::kit::auth::TokenCaller;
use crate::kit::error::AppError;
use crate::kit::state::AppState;

/// The Agenda Digitale dell'Emilia-Romagna, the PNRR and the UN SDGs: each item with the public
/// agendas whose objectives serve it and the districts that have nothing for it.
#[utoipa::path(get, path = "/api/v1/frameworks", tag = "profiles",
    responses((status = 200, body = Vec<FrameworkReport>)))]
pub async fn list_frameworks(State(s): State<AppState>) -> Result<Json<Vec<FrameworkReport>>, AppError> {
    Ok(Json(report(&s).await?))
}

async fn framework(s: &AppState, id: &str) -> Result<Framework, AppError> {
    s.store.frameworks().await?.into_iter().find(|f| f.id == id).ok_or(AppError::NotFound)
}

/// A framework's fields to change (the regional administrator).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FrameworkChange {
    version: i64,
    name: Option<String>,
    edition: Option<String>,
    source_url: Option<String>,
}

/// Change a framework's name, edition or source (the regional administrator).
#[utoipa::path(patch, path = "/api/v1/frameworks/{id}", tag = "editing", security(("token" = [])),
    params(("id" = String, Path, description = "`ader`, `pnrr` or `sdg`")),
    request_body(content = FrameworkChange, content_type = "application/json"),
    responses((status = 200, body = Framework, description = "The framework after the change"), ChangeProblems))]
pub async fn patch_framework(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<Json<Framework>, AppError> {
    apply(&s, &caller, &FrameworkEditor::load(&s, &id).await?, body, How::Merge).await?;
    Ok(Json(framework(&s, &id).await?))
}

/// A framework item's fields (every one needed to add it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct FrameworkItemChange {
    /// The item's version when it was read (left out when adding one).
    version: Option<i64>,
    /// Unique in the framework: letters, digits, `.` and `-`.
    code: Option<String>,
    /// The code of the item it belongs to, or null.
    parent_code: Option<String>,
    title: Option<String>,
}

/// Add an item to a framework (the regional administrator).
#[utoipa::path(post, path = "/api/v1/frameworks/{id}/items", tag = "editing", security(("token" = [])),
    params(("id" = String, Path, description = "`ader`, `pnrr` or `sdg`")),
    request_body(content = FrameworkItemChange, content_type = "application/json"),
    responses((status = 201, body = Framework, description = "The framework with its new item"), CreateProblems))]
pub async fn add_framework_item(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(id): Path<String>,
    body: JsonObject,
) -> Result<(StatusCode, Json<Framework>), AppError> {
    apply(&s, &caller, &FrameworkItemEditor::load(&s, &id, None).await?, as_new(body), How::Replace).await?;
    Ok((StatusCode::CREATED, Json(framework(&s, &id).await?)))
}

/// Change an item of a framework (the regional administrator).
#[utoipa::path(patch, path = "/api/v1/frameworks/{id}/items/{item}", tag = "editing", security(("token" = [])),
    params(("id" = String, Path, description = "`ader`, `pnrr` or `sdg`"), ("item" = String, Path, description = "The item's id")),
    request_body(content = FrameworkItemChange, content_type = "application/json"),
    responses((status = 200, body = Framework, description = "The framework after the change"), ChangeProblems))]
pub async fn patch_framework_item(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((id, item)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Framework>, AppError> {
    apply(&s, &caller, &FrameworkItemEditor::load(&s, &id, Some(&item)).await?, body, How::Merge).await?;
    Ok(Json(framework(&s, &id).await?))
}

/// The framework items an objective serves, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TargetsChange {
    /// The objective's `version` when it was read.
    version: i64,
    /// Keys `{framework}:{code}` (`sdg:10.2`, `pnrr:M1C1-I1.7`).
    targets: Vec<String>,
}

/// Name the framework items an objective serves (its agenda's coordinators).
#[utoipa::path(patch, path = "/api/v1/agendas/{slug}/objectives/{code}/targets", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug"), ("code" = String, Path, description = "Objective code, e.g. O1")),
    request_body(content = TargetsChange, content_type = "application/json"),
    responses((status = 200, body = TargetsEdit, description = "The items it now serves"), ChangeProblems))]
pub async fn patch_objective_targets(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, code)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<TargetsEdit>, AppError> {
    apply(&s, &caller, &TargetsEditor::load(&s, &slug, &code).await?, body, How::Merge).await?;
    Ok(Json(TargetsEditor::load(&s, &slug, &code).await?.stored.fields))
}
