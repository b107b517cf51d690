//! API handlers. Each `#[utoipa::path]` is the documentation of its route.

use agio_domain::model::{
    Action, ActionSummary, Agenda, DigitalAsset, Objective, Organization, Territory, TerritoryRef, VocabularyTerm,
};
use agio_domain::{Page, Vocabulary};
use agio_store::AgendaSnapshot;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::kit::auth::TokenCaller;
use crate::kit::error::{AppError, Problem};
use crate::kit::filters;
use crate::kit::query::Params;
use crate::kit::state::AppState;

type ApiResult<T> = Result<Json<T>, AppError>;

/// Paging parameters of every list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // read through `Params`; this struct documents them
pub struct Paging {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct TerritoryQuery {
    /// `region`, `district`, `union` or `comune`.
    #[param(value_type = Option<agio_domain::TerritoryKind>, inline)]
    kind: Option<String>,
    /// Code or slug of the parent territory (a district, to list its comuni).
    parent: Option<String>,
    /// Words in the name.
    q: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AgendaQuery {
    /// Code or slug of a territory: agendas of that territory, of the territories inside it
    /// (a district's comuni) and of the territory that contains it (a comune's district).
    territory: Option<String>,
    /// `draft`, `consultation`, `approved` or `archived`.
    #[param(value_type = Option<agio_domain::AgendaStatus>, inline)]
    status: Option<String>,
    /// A `target_group` vocabulary code: agendas with at least one action for it.
    target_group: Option<String>,
    /// A `life_stage` vocabulary code.
    life_stage: Option<String>,
    /// A `theme` vocabulary code.
    theme: Option<String>,
    /// Words in the title, vision or territory name.
    q: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ObjectiveQuery {
    /// Slug of the agenda (it must exist).
    agenda: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ActionQuery {
    /// Slug of the agenda.
    agenda: Option<String>,
    /// Code of the objective (e.g. `O1`).
    objective: Option<String>,
    /// `proposed`, `planned`, `in_progress`, `completed`, `suspended` or `cancelled`.
    #[param(value_type = Option<agio_domain::ActionStatus>, inline)]
    status: Option<String>,
    target_group: Option<String>,
    life_stage: Option<String>,
    theme: Option<String>,
    /// Slug of an organisation leading or joining the action (it must exist).
    organization: Option<String>,
    /// Slug of a digital asset the action reuses (it must exist).
    asset: Option<String>,
    /// Words in the title or description.
    q: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct OrganizationQuery {
    /// An `organization_type` vocabulary code.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    org_type: Option<String>,
    /// Code or slug of the territory where it is based, or of its district.
    territory: Option<String>,
    q: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct AssetQuery {
    /// `network`, `datacenter`, `service_platform` or `database`.
    #[param(value_type = Option<agio_domain::AssetKind>, inline)]
    kind: Option<String>,
    /// `active`, `in_development`, `planned` or `retired`.
    #[param(value_type = Option<agio_domain::AssetStatus>, inline)]
    status: Option<String>,
    /// ISTAT code or slug of a comune the asset covers.
    comune: Option<String>,
    q: Option<String>,
}

/// A digital asset with the comuni it covers.
#[derive(Serialize, ToSchema)]
pub struct DigitalAssetDetail {
    #[serde(flatten)]
    pub asset: DigitalAsset,
    pub coverage: Vec<TerritoryRef>,
}

/// List territories: the region, the 38 health-social districts, unions of comuni and the 330 comuni.
#[utoipa::path(get, path = "/api/v1/territories", tag = "territories", params(TerritoryQuery, Paging),
    responses((status = 200, body = Page<Territory>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_territories(State(s): State<AppState>, params: Params) -> ApiResult<Page<Territory>> {
    let filter = filters::territory_filter(&params, &s.store).await?;
    Ok(Json(s.store.list_territories(&filter, params.page()?).await?))
}

/// One territory, with its population, number of comuni and agendas.
#[utoipa::path(get, path = "/api/v1/territories/{code}", tag = "territories",
    params(("code" = String, Path, description = "ISTAT code of a comune, district code, `er`, or a slug")),
    responses((status = 200, body = Territory), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_territory(State(s): State<AppState>, Path(code): Path<String>) -> ApiResult<Territory> {
    Ok(Json(s.store.territory(&code).await?.ok_or(AppError::NotFound)?))
}

/// List Agende Digitali Sociali, filtered like the /agende page.
#[utoipa::path(get, path = "/api/v1/agendas", tag = "agendas", params(AgendaQuery, Paging),
    responses((status = 200, body = Page<Agenda>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_agendas(State(s): State<AppState>, params: Params) -> ApiResult<Page<Agenda>> {
    let filter = filters::agenda_filter(&params, &s.vocabularies, &s.store).await?;
    Ok(Json(s.store.list_agendas(&filter, params.page()?).await?))
}

/// One agenda as the public reads it: its latest approved version, if it has one (with the
/// token of someone who writes the agenda: the working draft). Vision, context, period, status
/// and counts.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}", tag = "agendas",
    params(("slug" = String, Path, description = "Slug of the agenda")),
    responses((status = 200, body = Agenda), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_agenda(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
) -> ApiResult<Agenda> {
    let live = readable(&s, &slug, caller.as_ref()).await?;
    Ok(Json(match approved_version(&s, &live, caller.as_ref()).await? {
        Some(snapshot) => snapshot.detail.agenda,
        None => live,
    }))
}

/// List the shared objectives of the agendas.
#[utoipa::path(get, path = "/api/v1/objectives", tag = "agendas", params(ObjectiveQuery, Paging),
    responses((status = 200, body = Page<Objective>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_objectives(State(s): State<AppState>, params: Params) -> ApiResult<Page<Objective>> {
    let agenda = filters::agenda_param(&params, &s.store).await?;
    Ok(Json(s.store.list_objectives(agenda.as_deref(), params.page()?).await?))
}

/// One objective of an agenda.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/objectives/{code}", tag = "agendas",
    params(("slug" = String, Path, description = "Slug of the agenda"), ("code" = String, Path, description = "Code of the objective")),
    responses((status = 200, body = Objective), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_objective(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path((slug, code)): Path<(String, String)>,
) -> ApiResult<Objective> {
    readable(&s, &slug, caller.as_ref()).await?;
    Ok(Json(s.store.objective(&slug, &code).await?.ok_or(AppError::NotFound)?))
}

/// List actions (summaries), filtered by agenda, objective, status, target group, life stage, theme, organisation or asset.
#[utoipa::path(get, path = "/api/v1/actions", tag = "agendas", params(ActionQuery, Paging),
    responses((status = 200, body = Page<ActionSummary>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_actions(State(s): State<AppState>, params: Params) -> ApiResult<Page<ActionSummary>> {
    let filter = filters::action_filter(&params, &s.vocabularies, &s.store).await?;
    Ok(Json(s.store.list_actions(&filter, params.page()?).await?))
}

/// The whole action, as in the agenda's latest approved version if it has one (with the token of
/// someone who writes the agenda: the working draft): partners, target groups, budget lines,
/// assets reused, expected results with their indicators.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/actions/{code}", tag = "agendas",
    params(("slug" = String, Path, description = "Slug of the agenda"), ("code" = String, Path, description = "Code of the action")),
    responses((status = 200, body = Action), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_action(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path((slug, code)): Path<(String, String)>,
) -> ApiResult<Action> {
    let agenda = readable(&s, &slug, caller.as_ref()).await?;
    Ok(Json(match approved_version(&s, &agenda, caller.as_ref()).await? {
        Some(snapshot) => snapshot.actions.into_iter().find(|a| a.summary.code == code).ok_or(AppError::NotFound)?,
        None => s.store.action(&slug, &code).await?.ok_or(AppError::NotFound)?,
    }))
}

/// List organisations (soggetti).
#[utoipa::path(get, path = "/api/v1/organizations", tag = "organizations", params(OrganizationQuery, Paging),
    responses((status = 200, body = Page<Organization>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_organizations(State(s): State<AppState>, params: Params) -> ApiResult<Page<Organization>> {
    let filter = filters::organization_filter(&params, &s.vocabularies, &s.store).await?;
    Ok(Json(s.store.list_organizations(&filter, params.page()?).await?))
}

/// One organisation.
#[utoipa::path(get, path = "/api/v1/organizations/{slug}", tag = "organizations",
    params(("slug" = String, Path, description = "Slug of the organisation")),
    responses((status = 200, body = Organization), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_organization(State(s): State<AppState>, Path(slug): Path<String>) -> ApiResult<Organization> {
    Ok(Json(s.store.organization(&slug).await?.ok_or(AppError::NotFound)?))
}

/// List the catalogue of digital assets.
#[utoipa::path(get, path = "/api/v1/assets", tag = "assets", params(AssetQuery, Paging),
    responses((status = 200, body = Page<DigitalAsset>), (status = 400, body = Problem, content_type = "application/problem+json")))]
pub async fn list_assets(State(s): State<AppState>, params: Params) -> ApiResult<Page<DigitalAsset>> {
    let filter = filters::asset_filter(&params, &s.store).await?;
    Ok(Json(s.store.list_assets(&filter, params.page()?).await?))
}

/// One digital asset with the comuni it covers.
#[utoipa::path(get, path = "/api/v1/assets/{slug}", tag = "assets",
    params(("slug" = String, Path, description = "Slug of the digital asset")),
    responses((status = 200, body = DigitalAssetDetail), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_asset(State(s): State<AppState>, Path(slug): Path<String>) -> ApiResult<DigitalAssetDetail> {
    let d = s.store.asset_detail(&slug).await?.ok_or(AppError::NotFound)?;
    Ok(Json(DigitalAssetDetail { asset: d.asset, coverage: d.comuni }))
}

/// Every controlled vocabulary term, with Italian and English labels (short fixed lists, returned whole, not paginated).
#[utoipa::path(get, path = "/api/v1/vocabularies", tag = "vocabularies",
    responses((status = 200, body = Vec<VocabularyTerm>)))]
pub async fn list_vocabularies(State(s): State<AppState>) -> ApiResult<Vec<VocabularyTerm>> {
    Ok(Json(s.store.vocabulary_terms(None).await?))
}

/// The terms of one controlled vocabulary.
#[utoipa::path(get, path = "/api/v1/vocabularies/{vocabulary}", tag = "vocabularies",
    params(("vocabulary" = String, Path, description = "`target_group`, `life_stage`, `theme`, `funding_source` or `organization_type`")),
    responses((status = 200, body = Vec<VocabularyTerm>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_vocabulary(
    State(s): State<AppState>,
    Path(vocabulary): Path<String>,
) -> ApiResult<Vec<VocabularyTerm>> {
    let vocabulary: Vocabulary = vocabulary.parse().map_err(|_| AppError::NotFound)?;
    Ok(Json(s.store.vocabulary_terms(Some(vocabulary)).await?))
}

/// An agenda the public may read: drafts answer 404, as if they did not exist.
/// The agenda at `slug` as the caller may read it: a published one for everyone, a draft for
/// the token of someone who writes it; for anyone else a draft answers 404, like nothing.
async fn readable(s: &AppState, slug: &str, caller: Option<&TokenCaller>) -> Result<Agenda, AppError> {
    let agenda = s.store.agenda(slug).await?.ok_or(AppError::NotFound)?;
    if agenda.status == agio_domain::AgendaStatus::Draft && !writes(s, &agenda, caller).await? {
        return Err(AppError::NotFound);
    }
    Ok(agenda)
}

/// Whether the caller's token belongs to someone who writes the agenda (who reads its draft).
async fn writes(s: &AppState, agenda: &Agenda, caller: Option<&TokenCaller>) -> Result<bool, AppError> {
    let Some(caller) = caller else { return Ok(false) };
    let facts = s.store.agenda_facts(&agenda.slug).await?.ok_or(AppError::NotFound)?;
    let private = agio_domain::access::AgendaFacts { public: false, ..facts };
    let target = agio_domain::access::Target::Agenda(&private);
    let decision =
        agio_domain::access::decide(Some(&caller.principal), agio_domain::access::Operation::ReadDraft, &target);
    Ok(decision == agio_domain::access::Decision::Allow)
}

/// The latest approved version, which the public reads; None when there is none, or when the
/// caller writes the agenda (they read the working draft).
async fn approved_version(
    s: &AppState,
    agenda: &Agenda,
    caller: Option<&TokenCaller>,
) -> Result<Option<AgendaSnapshot>, AppError> {
    if writes(s, agenda, caller).await? {
        return Ok(None);
    }
    Ok(s.store.agenda_version(&agenda.id, None).await?.map(|(_, snapshot)| snapshot))
}
