//! The digital-welfare profiles in the API: every district's published profile in figures, one
//! profile whole (a draft only with the token of someone who plans for the district), and the
//! change of its status and distance. The figures are the pages' (`crate::profile`).

use agio_app::editors::ProfileEditor;
use agio_app::profile::{ProfileDocument, ProfileSummary};
use axum::extract::{Path, State};
use axum::http::Method;
use axum::Json;
use utoipa::ToSchema;

use super::writes::{apply, ChangeProblems, How, JsonObject};
use crate::kit::auth::TokenCaller;
use crate::kit::error::{AppError, Problem};
use crate::kit::state::AppState;
use crate::profile::page::{profile_for, published};

/// Every district's published digital-welfare profile, in figures (one per district at most:
/// not paginated).
#[utoipa::path(get, path = "/api/v1/profiles", tag = "profiles",
    responses((status = 200, body = Vec<ProfileSummary>)))]
pub async fn list_profiles(State(s): State<AppState>) -> Result<Json<Vec<ProfileSummary>>, AppError> {
    Ok(Json(published(&s).await?.iter().map(|p| p.summary()).collect()))
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
    Ok(Json(profile_for(&s, who, &slug).await?.document()))
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
    Ok(Json(profile_for(&s, Some(&caller.principal), &slug).await?.document()))
}
