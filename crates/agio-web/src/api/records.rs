//! The write API of records that stand on their own — new agendas and organisations, digital
//! assets, unions of comuni — and archiving (DELETE) of actions, objectives, organisations,
//! unions and digital assets. The rules are the forms' (`crate::records`, `crate::archive`).

use agio_app::Context;
use agio_domain::edit::{AssetEdit, NewAgenda, NewOrganization, Reader, UnionEdit};
use agio_domain::model::{Agenda, DigitalAsset, Organization, Territory};
use agio_domain::{AssetStatus, TokenScope};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::Json;
use utoipa::ToSchema;

use super::writes::{
    apply, creation_input, ActionPath, ChangeProblems, CreateProblems, Creation, How, JsonObject, RemoveProblems,
};
use crate::kit::auth::TokenCaller;
use crate::kit::error::AppError;
use crate::kit::state::AppState;
use agio_app::archive::Archiving;
use agio_app::editors::Editor;
use agio_app::records::{
    AssetEditor, NewAgendaEditor, NewAssetEditor, NewOrganizationEditor, NewUnionEditor, UnionEditor,
};

/// Reads a new record with the creator's rules and saves it; `lists` names the fields that
/// are lists of names.
async fn create<E: Editor>(
    s: &AppState,
    caller: &TokenCaller,
    e: &E,
    body: JsonObject,
    lists: &[&str],
) -> Result<(), AppError> {
    if caller.scope != TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    e.allowed(Some(&caller.principal))?;
    let Creation { input, problems } = creation_input(caller, body, lists)?;
    let mut reader = Reader::new(&input).with_problems(problems);
    let fields = e.read(&mut reader);
    let fields = reader.conclude(fields).map_err(AppError::Invalid)?;
    let mut w = s.store.begin_write(&caller.actor()).await?;
    e.save(&mut w, &fields, 0).await?;
    w.commit().await?;
    s.after_write().await?;
    Ok(())
}

/// The slug a creator made.
fn made(created: &std::sync::OnceLock<String>) -> Result<&str, AppError> {
    created.get().map(String::as_str).ok_or_else(|| AppError::Internal("a creation saved no record".into()))
}

/// Create an agenda, as a draft, for a territory the token's owner coordinates.
#[utoipa::path(post, path = "/api/v1/agendas", tag = "editing", security(("token" = [])),
    request_body(content = NewAgenda, content_type = "application/json"),
    responses((status = 201, body = Agenda, description = "The new agenda (a draft)"), CreateProblems))]
pub async fn create_agenda(
    State(s): State<AppState>,
    caller: TokenCaller,
    body: JsonObject,
) -> Result<(StatusCode, Json<Agenda>), AppError> {
    let e = NewAgendaEditor::load(&s, Some(&caller.principal)).await?;
    create(&s, &caller, &e, body, &[]).await?;
    let agenda = s.store.agenda(made(&e.created)?).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(agenda)))
}

/// Create an organisation (coordinators and administrators).
#[utoipa::path(post, path = "/api/v1/organizations", tag = "editing", security(("token" = [])),
    request_body(content = NewOrganization, content_type = "application/json"),
    responses((status = 201, body = Organization, description = "The new organisation"), CreateProblems))]
pub async fn create_organization(
    State(s): State<AppState>,
    caller: TokenCaller,
    body: JsonObject,
) -> Result<(StatusCode, Json<Organization>), AppError> {
    let e = NewOrganizationEditor::load(&s).await?;
    create(&s, &caller, &e, body, &[]).await?;
    let organization = s.store.organization(made(&e.created)?).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(organization)))
}

/// Create a digital asset with the comuni it covers (coordinators and administrators).
#[utoipa::path(post, path = "/api/v1/assets", tag = "editing", security(("token" = [])),
    request_body(content = AssetEdit, content_type = "application/json"),
    responses((status = 201, body = DigitalAsset, description = "The new asset"), CreateProblems))]
pub async fn create_asset(
    State(s): State<AppState>,
    caller: TokenCaller,
    body: JsonObject,
) -> Result<(StatusCode, Json<DigitalAsset>), AppError> {
    let e = NewAssetEditor::load(&s).await?;
    create(&s, &caller, &e, body, &["coverage"]).await?;
    let asset = s.store.asset(made(&e.created)?).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(asset)))
}

/// Create a union of comuni (administrators): the only territories that are not reference data.
#[utoipa::path(post, path = "/api/v1/territories", tag = "editing", security(("token" = [])),
    request_body(content = UnionEdit, content_type = "application/json"),
    responses((status = 201, body = Territory, description = "The new union"), CreateProblems))]
pub async fn create_union(
    State(s): State<AppState>,
    caller: TokenCaller,
    body: JsonObject,
) -> Result<(StatusCode, Json<Territory>), AppError> {
    let e = NewUnionEditor::load(&s).await?;
    create(&s, &caller, &e, body, &["members"]).await?;
    let union = s.store.territory(made(&e.created)?).await?.ok_or(AppError::NotFound)?;
    Ok((StatusCode::CREATED, Json(union)))
}

/// Fields of a digital asset to change, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AssetChange {
    /// The asset's `version` when it was read.
    version: i64,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    name: Option<String>,
    #[schema(nullable = false)]
    kind: Option<agio_domain::AssetKind>,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    provider: Option<String>,
    /// Markdown.
    description: Option<String>,
    /// `retired` archives it.
    #[schema(nullable = false)]
    status: Option<AssetStatus>,
    url: Option<String>,
    /// ISTAT codes (or names) of the comuni it covers; replaces the whole list.
    coverage: Option<Vec<String>>,
}

/// Fields of a union of comuni to change, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UnionChange {
    /// The union's `version` when it was read.
    version: i64,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    name: Option<String>,
    /// The slug of its district.
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    district: Option<String>,
    /// ISTAT codes (or names) of its comuni; replaces the whole list.
    members: Option<Vec<String>>,
}

/// Change a digital asset (its fields, or the comuni it covers).
#[utoipa::path(patch, path = "/api/v1/assets/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Asset slug")),
    request_body(content = AssetChange, content_type = "application/json"),
    responses((status = 200, body = DigitalAsset, description = "The asset after the change"), ChangeProblems))]
pub async fn patch_asset(
    State(s): State<AppState>,
    method: Method,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<DigitalAsset>, AppError> {
    apply(&s, &caller, &AssetEditor::load(&s, &slug).await?, body, How::of(&method)).await?;
    Ok(Json(s.store.asset(&slug).await?.ok_or(AppError::NotFound)?))
}

/// Replace a digital asset's fields: those left out are emptied (and required ones must be given).
#[utoipa::path(put, path = "/api/v1/assets/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Asset slug")),
    request_body(content = AssetChange, content_type = "application/json"),
    responses((status = 200, body = DigitalAsset, description = "The asset after the change"), ChangeProblems))]
pub async fn put_asset(
    state: State<AppState>,
    caller: TokenCaller,
    path: Path<String>,
    body: JsonObject,
) -> Result<Json<DigitalAsset>, AppError> {
    patch_asset(state, Method::PUT, caller, path, body).await
}

/// Change a union of comuni (administrators).
#[utoipa::path(patch, path = "/api/v1/territories/{code}", tag = "editing", security(("token" = [])),
    params(("code" = String, Path, description = "Union slug (only unions can be changed)")),
    request_body(content = UnionChange, content_type = "application/json"),
    responses((status = 200, body = Territory, description = "The union after the change"), ChangeProblems))]
pub async fn patch_union(
    State(s): State<AppState>,
    method: Method,
    caller: TokenCaller,
    Path(code): Path<String>,
    body: JsonObject,
) -> Result<Json<Territory>, AppError> {
    apply(&s, &caller, &UnionEditor::load(&s, &code).await?, body, How::of(&method)).await?;
    Ok(Json(s.store.territory(&code).await?.ok_or(AppError::NotFound)?))
}

/// Replace a union's fields: those left out are emptied (and required ones must be given).
#[utoipa::path(put, path = "/api/v1/territories/{code}", tag = "editing", security(("token" = [])),
    params(("code" = String, Path, description = "Union slug (only unions can be changed)")),
    request_body(content = UnionChange, content_type = "application/json"),
    responses((status = 200, body = Territory, description = "The union after the change"), ChangeProblems))]
pub async fn put_union(
    state: State<AppState>,
    caller: TokenCaller,
    path: Path<String>,
    body: JsonObject,
) -> Result<Json<Territory>, AppError> {
    patch_union(state, Method::PUT, caller, path, body).await
}

// --- DELETE archives: nothing is erased, and the forms can restore it ------------------------------

async fn archive(s: &AppState, caller: &TokenCaller, a: Archiving) -> Result<StatusCode, AppError> {
    if caller.scope != TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    a.allowed(Some(&caller.principal))?;
    a.set(s, &caller.actor(), true, "").await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Archive an action: it leaves the working draft (approved versions and the history keep it).
#[utoipa::path(delete, path = "/api/v1/agendas/{slug}/actions/{code}", tag = "editing", security(("token" = [])),
    params(ActionPath), responses((status = 204, description = "Archived"), RemoveProblems))]
pub async fn archive_action(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, code)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    archive(&s, &caller, Archiving::action(&s, &slug, &code).await?).await
}

/// Archive an objective and its actions.
#[utoipa::path(delete, path = "/api/v1/agendas/{slug}/objectives/{code}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug"), ("code" = String, Path, description = "Objective code, e.g. O1")),
    responses((status = 204, description = "Archived"), RemoveProblems))]
pub async fn archive_objective(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, code)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    archive(&s, &caller, Archiving::objective(&s, &slug, &code).await?).await
}

/// Archive an organisation (administrators): it leaves the lists and stays in the actions it took part in.
#[utoipa::path(delete, path = "/api/v1/organizations/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Organisation slug")),
    responses((status = 204, description = "Archived"), RemoveProblems))]
pub async fn archive_organization(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    archive(&s, &caller, Archiving::organization(&s, &slug).await?).await
}

/// Archive a union of comuni (administrators).
#[utoipa::path(delete, path = "/api/v1/territories/{code}", tag = "editing", security(("token" = [])),
    params(("code" = String, Path, description = "Union slug (only unions can be archived)")),
    responses((status = 204, description = "Archived"), RemoveProblems))]
pub async fn archive_union(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(code): Path<String>,
) -> Result<StatusCode, AppError> {
    archive(&s, &caller, Archiving::union(&s, &code).await?).await
}

/// Retire a digital asset (status `retired`): it stays linked to the actions that used it.
#[utoipa::path(delete, path = "/api/v1/assets/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Asset slug")),
    responses((status = 204, description = "Retired"), RemoveProblems))]
pub async fn retire_asset(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
) -> Result<StatusCode, AppError> {
    let e = AssetEditor::load(&s, &slug).await?;
    // Retiring a retired asset leaves it as it is: a DELETE may be repeated.
    if e.stored.fields.status == AssetStatus::Retired {
        if caller.scope != TokenScope::Write {
            return Err(AppError::Forbidden);
        }
        e.allowed(Some(&caller.principal))?;
        return Ok(StatusCode::NO_CONTENT);
    }
    let mut body = serde_json::Map::new();
    body.insert("version".into(), e.stored.version.into());
    body.insert("status".into(), AssetStatus::Retired.code().into());
    apply(&s, &caller, &e, JsonObject(body, Vec::new()), How::Merge).await?;
    Ok(StatusCode::NO_CONTENT)
}
