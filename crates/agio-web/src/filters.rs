//! Filters shared by the list pages and the API: the same parameters, validated the same way.

use agio_store::{ActionFilter, AgendaFilter, AssetFilter, OrganizationFilter, Store, TerritoryFilter};

use crate::error::{AppError, ParamProblem};
use crate::query::Params;
use crate::web::Vocabularies;

/// A territory parameter must name an existing territory (by code or slug).
async fn territory(params: &Params, name: &str, store: &Store) -> Result<Option<String>, AppError> {
    let Some(key) = params.key(name)? else { return Ok(None) };
    match store.territory(&key).await? {
        Some(_) => Ok(Some(key)),
        None => Err(AppError::BadParam { name: name.to_string(), problem: ParamProblem::NoSuch { value: key } }),
    }
}

pub async fn agenda_filter(params: &Params, v: &Vocabularies, store: &Store) -> Result<AgendaFilter, AppError> {
    Ok(AgendaFilter {
        territory: territory(params, "territory", store).await?,
        status: params.code("status")?,
        target_group: params.term("target_group", &v.target_group)?,
        life_stage: params.term("life_stage", &v.life_stage)?,
        theme: params.term("theme", &v.theme)?,
        q: params.text("q")?,
    })
}

pub fn action_filter(params: &Params, v: &Vocabularies) -> Result<ActionFilter, AppError> {
    Ok(ActionFilter {
        agenda: params.key("agenda")?,
        objective: params.key("objective")?,
        status: params.code("status")?,
        target_group: params.term("target_group", &v.target_group)?,
        life_stage: params.term("life_stage", &v.life_stage)?,
        theme: params.term("theme", &v.theme)?,
        organization: params.key("organization")?,
        asset: params.key("asset")?,
        q: params.text("q")?,
    })
}

pub async fn organization_filter(params: &Params, v: &Vocabularies, store: &Store) -> Result<OrganizationFilter, AppError> {
    Ok(OrganizationFilter {
        org_type: params.term("type", &v.organization_type)?,
        territory: territory(params, "territory", store).await?,
        q: params.text("q")?,
    })
}

pub async fn asset_filter(params: &Params, store: &Store) -> Result<AssetFilter, AppError> {
    Ok(AssetFilter {
        kind: params.code("kind")?,
        status: params.code("status")?,
        comune: territory(params, "comune", store).await?,
        q: params.text("q")?,
    })
}

pub async fn territory_filter(params: &Params, store: &Store) -> Result<TerritoryFilter, AppError> {
    Ok(TerritoryFilter {
        kind: params.code("kind")?,
        parent: territory(params, "parent", store).await?,
        q: params.text("q")?,
    })
}
