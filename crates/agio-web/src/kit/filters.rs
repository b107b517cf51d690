//! Filters shared by the list pages and the API: the same parameters, validated the same way.

use agio_store::{ActionFilter, AgendaFilter, AssetFilter, OrganizationFilter, Store, TerritoryFilter};

use crate::kit::error::{AppError, ParamProblem};
use crate::kit::query::Params;
use agio_app::Vocabularies;

/// A territory parameter must name an existing territory (by code or slug).
async fn territory(params: &Params, name: &str, store: &Store) -> Result<Option<String>, AppError> {
    existing(params, name, |k| async move { store.territory(&k).await }).await
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

/// A parameter naming a record by slug must name one that exists.
async fn existing<F, Fut, T>(params: &Params, name: &str, find: F) -> Result<Option<String>, AppError>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = agio_store::Result<Option<T>>>,
{
    let Some(key) = params.key(name)? else { return Ok(None) };
    match find(key.clone()).await? {
        Some(_) => Ok(Some(key)),
        None => Err(AppError::BadParam { name: name.to_string(), problem: ParamProblem::NoSuch { value: key } }),
    }
}

pub async fn action_filter(params: &Params, v: &Vocabularies, store: &Store) -> Result<ActionFilter, AppError> {
    Ok(ActionFilter {
        agenda: existing(params, "agenda", |k| async move { store.agenda(&k).await }).await?,
        objective: params.key("objective")?,
        status: params.code("status")?,
        target_group: params.term("target_group", &v.target_group)?,
        life_stage: params.term("life_stage", &v.life_stage)?,
        theme: params.term("theme", &v.theme)?,
        organization: existing(params, "organization", |k| async move { store.organization(&k).await }).await?,
        asset: existing(params, "asset", |k| async move { store.asset(&k).await }).await?,
        q: params.text("q")?,
    })
}

/// The `agenda` parameter of the objective list.
pub async fn agenda_param(params: &Params, store: &Store) -> Result<Option<String>, AppError> {
    existing(params, "agenda", |k| async move { store.agenda(&k).await }).await
}

pub async fn organization_filter(
    params: &Params,
    v: &Vocabularies,
    store: &Store,
) -> Result<OrganizationFilter, AppError> {
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
