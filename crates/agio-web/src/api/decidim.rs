//! An agenda's process on Decidim in the API: what its imports read, its source (the agenda's
//! coordinators name it) and an import on demand (`agio_app::lab_decidim`).

use agio_app::lab_decidim::DecidimSourceEditor;
use agio_domain::decidim::{DecidimImport, DecidimSource, SyncReport};
use axum::extract::{Path, State};
use axum::Json;
use utoipa::ToSchema;

use super::writes::{apply, ChangeProblems, CreateProblems, How, JsonObject};
use crate::kit::auth::TokenCaller;
use crate::kit::error::{AppError, Problem};
use crate::kit::state::AppState;

/// What the agenda's imports from Decidim read: the source, the process's phases, proposals,
/// meetings and accountability results, each with its address on the instance. 404 when the
/// agenda has no Decidim source or is not visible.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/decidim", tag = "lab",
    params(("slug" = String, Path, description = "Slug of the agenda")),
    responses((status = 200, body = DecidimImport), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_import(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
) -> Result<Json<DecidimImport>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(agio_app::lab_decidim::import_of(&s, who, &slug).await?.1))
}

/// The Decidim source to set.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct SourceChange {
    /// The source's version when it was read (0 when the agenda has none yet).
    version: i64,
    /// The instance's address; its host must be one the platform may read from.
    instance_url: String,
    /// The process's identifier, as in `…/processes/{slug}`.
    process_slug: String,
}

/// Name the Decidim instance and process of the agenda's consultation (the agenda's
/// coordinators). Pointing it elsewhere drops what was read from the old process.
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/decidim", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda")),
    request_body(content = SourceChange, content_type = "application/json"),
    responses((status = 200, body = DecidimSource, description = "The source"), ChangeProblems))]
pub async fn put_source(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<DecidimSource>, AppError> {
    apply(&s, &caller, &DecidimSourceEditor::load(&s, &slug, &s.decidim_hosts).await?, body, How::Replace).await?;
    Ok(Json(agio_app::lab_decidim::import_of(&s, Some(&caller.principal), &slug).await?.1.source))
}

/// Import the process from its instance now (the agenda's coordinators): new items are added,
/// items whose time on Decidim moved are updated, the rest is left alone; all or nothing.
/// 502 when the instance fails (what was imported before stays).
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/decidim/import", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda")),
    responses(
        (status = 200, body = SyncReport, description = "What the import changed"),
        (status = 502, body = Problem, content_type = "application/problem+json", description = "The instance failed: the detail says how"),
        CreateProblems))]
pub async fn post_import(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
) -> Result<Json<SyncReport>, AppError> {
    if caller.scope != agio_domain::TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    match crate::lab::decidim::import(&s, Some(&caller.principal), &caller.actor(), &slug).await? {
        Ok(report) => Ok(Json(report)),
        Err((code, detail)) => Err(AppError::Upstream { code, detail }),
    }
}
