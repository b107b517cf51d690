//! The digital-welfare profiles in the API: every district's published profile in figures, one
//! profile whole (a draft only with the token of someone who plans for the district); the
//! change of its status and distance, its internal services, databases and Piano di Zona; and
//! the gaps an agenda's objectives and actions address. The figures are the pages' (`crate::profile`).

use agio_app::editors::{DatabaseEditor, InternalServiceEditor, ProfileEditor, ProfileOf};
use agio_app::gaps::{ActionGapsEditor, ObjectiveGapsEditor};
use agio_app::profile::{ProfileDocument, ProfileSummary};
use agio_domain::edit::{FieldError, GapsEdit};
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::Json;
use utoipa::ToSchema;

use super::writes::{apply, as_new, ChangeProblems, CreateProblems, How, JsonObject};
use crate::kit::auth::TokenCaller;
use crate::kit::error::{AppError, Problem};
use crate::kit::query::Params;
use crate::kit::state::AppState;
use crate::profile::page::{profile_for, published};

/// Every district's published digital-welfare profile, in figures (one per district at most:
/// not paginated).
#[utoipa::path(get, path = "/api/v1/profiles", tag = "profiles",
    responses((status = 200, body = Vec<ProfileSummary>)))]
pub async fn list_profiles(State(s): State<AppState>) -> Result<Json<Vec<ProfileSummary>>, AppError> {
    Ok(Json(published(&s).await?))
}

/// A district's digital-welfare profile: its score and components, the coverage matrix, the
/// gaps, the comuni at risk and every service with its digital level. A draft answers 404
/// unless the token's owner plans for the district.
#[utoipa::path(get, path = "/api/v1/profiles/{slug}", tag = "profiles",
    params(("slug" = String, Path, description = "Slug of the district")),
    responses((status = 200, body = ProfileDocument), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_profile(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
) -> Result<Json<ProfileDocument>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(profile_for(&s, who, &slug).await?.doc))
}

/// The fields of a profile to change, and the version the change starts from (0 starts it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProfileChange {
    /// The profile's version when it was read; 0 for a district that has none yet.
    version: i64,
    /// `draft` or `published`.
    status: Option<agio_domain::ProfileStatus>,
    /// Kilometres (1–50) beyond which a comune counts as far from digital facilitation.
    facilitation_km: Option<f64>,
}

/// Start, publish or withdraw a district's profile, or change its distance.
#[utoipa::path(patch, path = "/api/v1/profiles/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the district")),
    request_body(content = ProfileChange, content_type = "application/json"),
    responses((status = 200, body = ProfileDocument, description = "The profile after the change"), ChangeProblems))]
pub async fn patch_profile(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<ProfileDocument>, AppError> {
    apply(&s, &caller, &ProfileEditor::load(&s, &slug).await?, body, How::of(&Method::PATCH)).await?;
    Ok(Json(profile_for(&s, Some(&caller.principal), &slug).await?.doc))
}

/// The fields of an internal service of a profile (every one needed to add it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct InternalServiceChange {
    /// The service's version when it was read (left out when adding one).
    version: Option<i64>,
    name: Option<String>,
    /// Markdown.
    description: Option<String>,
    /// 0–4, the scale on the profile page.
    digital_level: Option<i64>,
    target_groups: Option<Vec<String>>,
    life_stages: Option<Vec<String>>,
    needs: Option<Vec<String>>,
    channels: Option<Vec<agio_domain::ServiceChannel>>,
    platforms: Option<Vec<agio_domain::NationalPlatform>>,
}

/// The fields of an essential database of a profile (every one needed to add it).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct DatabaseChange {
    /// The database's version when it was read (left out when adding one).
    version: Option<i64>,
    name: Option<String>,
    holder: Option<String>,
    contents: Option<String>,
    personal_data: Option<bool>,
    /// Special categories of personal data (GDPR art. 9); only with personal data.
    special_categories: Option<bool>,
    legal_basis: Option<String>,
    format: Option<String>,
    update_frequency: Option<String>,
    access: Option<agio_domain::DatabaseAccess>,
    /// The services that use it, one per line.
    used_by: Option<String>,
}

/// Add an internal service (one the public directory does not list) to a district's profile.
#[utoipa::path(post, path = "/api/v1/profiles/{slug}/internal-services", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the district")),
    request_body(content = InternalServiceChange, content_type = "application/json"),
    responses((status = 201, body = ProfileDocument, description = "The profile with the new service"), CreateProblems))]
pub async fn add_internal_service(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<(StatusCode, Json<ProfileDocument>), AppError> {
    apply(&s, &caller, &InternalServiceEditor::load(&s, &slug, None).await?, as_new(body), How::Replace).await?;
    Ok((StatusCode::CREATED, Json(profile_for(&s, Some(&caller.principal), &slug).await?.doc)))
}

/// Change an internal service of a district's profile: the fields given, the others kept.
#[utoipa::path(patch, path = "/api/v1/profiles/{slug}/internal-services/{id}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the district"), ("id" = String, Path, description = "The service's id (`internal_id`)")),
    request_body(content = InternalServiceChange, content_type = "application/json"),
    responses((status = 200, body = ProfileDocument, description = "The profile after the change"), ChangeProblems))]
pub async fn patch_internal_service(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, id)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<ProfileDocument>, AppError> {
    apply(&s, &caller, &InternalServiceEditor::load(&s, &slug, Some(&id)).await?, body, How::Merge).await?;
    Ok(Json(profile_for(&s, Some(&caller.principal), &slug).await?.doc))
}

/// Add an essential database to a district's profile.
#[utoipa::path(post, path = "/api/v1/profiles/{slug}/databases", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the district")),
    request_body(content = DatabaseChange, content_type = "application/json"),
    responses((status = 201, body = ProfileDocument, description = "The profile with the new database"), CreateProblems))]
pub async fn add_database(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<(StatusCode, Json<ProfileDocument>), AppError> {
    apply(&s, &caller, &DatabaseEditor::load(&s, &slug, None).await?, as_new(body), How::Replace).await?;
    Ok((StatusCode::CREATED, Json(profile_for(&s, Some(&caller.principal), &slug).await?.doc)))
}

/// Change an essential database of a district's profile: the fields given, the others kept.
#[utoipa::path(patch, path = "/api/v1/profiles/{slug}/databases/{id}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the district"), ("id" = String, Path, description = "The database's id")),
    request_body(content = DatabaseChange, content_type = "application/json"),
    responses((status = 200, body = ProfileDocument, description = "The profile after the change"), ChangeProblems))]
pub async fn patch_database(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, id)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<ProfileDocument>, AppError> {
    apply(&s, &caller, &DatabaseEditor::load(&s, &slug, Some(&id)).await?, body, How::Merge).await?;
    Ok(Json(profile_for(&s, Some(&caller.principal), &slug).await?.doc))
}

/// The plan's title and period, beside the CSV file of its sheets.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanFields {
    /// The plan's title (its pattern: `readings`).
    title: String,
    /// The plan's first year.
    period_start: String,
    /// Its last year.
    period_end: String,
}

/// Replace a district's Piano di Zona: its title and period in the query, its intervention
/// sheets as the CSV template of the profile's import page in the body (UTF-8, `;` or `,`).
/// All or nothing: every problem is named, a file's by row and column.
#[utoipa::path(put, path = "/api/v1/profiles/{slug}/zone-plan", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the district"), PlanFields),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ProfileDocument, description = "The profile with its new plan"), CreateProblems))]
pub async fn put_zone_plan(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    params: Params,
    file: axum::body::Bytes,
) -> Result<Json<ProfileDocument>, AppError> {
    if caller.scope != agio_domain::TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    let of = ProfileOf::load(&s, &slug).await?;
    of.allowed(Some(&caller.principal))?;
    let given = |name: &str| params.get(name).unwrap_or_default().to_string();
    let fields =
        PlanFields { title: given("title"), period_start: given("period_start"), period_end: given("period_end") };
    let input = |name: &str| {
        let value = match name {
            "title" => &fields.title,
            "period_start" => &fields.period_start,
            "period_end" => &fields.period_end,
            _ => return None,
        };
        Some(value.clone()).filter(|v| !v.trim().is_empty())
    };
    if let Err(refused) = agio_app::zone_plan::replace(&s, &caller.actor(), &of, &input, &file).await? {
        let rows = refused.rows.into_iter().map(|p| FieldError {
            field: match (p.row, p.column) {
                (Some(row), Some(column)) => format!("file: row {row}, column {column}"),
                (Some(row), None) => format!("file: row {row}"),
                (None, Some(column)) => format!("file: column {column}"),
                (None, None) => "file".to_string(),
            },
            problem: p.problem,
        });
        return Err(AppError::Invalid(refused.fields.into_iter().chain(rows).collect()));
    }
    Ok(Json(profile_for(&s, Some(&caller.principal), &slug).await?.doc))
}

/// Name the gaps of the district's profile that an objective addresses (keys from the profile's `gaps`).
#[utoipa::path(patch, path = "/api/v1/agendas/{slug}/objectives/{code}/gaps", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug"), ("code" = String, Path, description = "Objective code, e.g. O1")),
    request_body(content = GapsChange, content_type = "application/json"),
    responses((status = 200, body = GapsEdit, description = "The gaps it now addresses"), ChangeProblems))]
pub async fn patch_objective_gaps(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, code)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<GapsEdit>, AppError> {
    apply(&s, &caller, &ObjectiveGapsEditor::load(&s, &slug, &code).await?, body, How::Merge).await?;
    Ok(Json(ObjectiveGapsEditor::load(&s, &slug, &code).await?.stored.fields))
}

/// Name the gaps of the district's profile that an action addresses (keys from the profile's `gaps`).
#[utoipa::path(patch, path = "/api/v1/agendas/{slug}/actions/{code}/gaps", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug"), ("code" = String, Path, description = "Action code, e.g. A01")),
    request_body(content = GapsChange, content_type = "application/json"),
    responses((status = 200, body = GapsEdit, description = "The gaps it now addresses"), ChangeProblems))]
pub async fn patch_action_gaps(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, code)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<GapsEdit>, AppError> {
    apply(&s, &caller, &ActionGapsEditor::load(&s, &slug, &code).await?, body, How::Merge).await?;
    Ok(Json(ActionGapsEditor::load(&s, &slug, &code).await?.stored.fields))
}

/// The gaps an objective or action addresses, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct GapsChange {
    /// The objective's or action's `version` when it was read.
    version: i64,
    /// Keys of the profile's gaps (`need:…`, `service:…`, `internal:…`, `database:…`, `comune:…`).
    gaps: Vec<String>,
}
