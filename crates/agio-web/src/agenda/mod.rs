//! Agendas: the public list and pages of agendas and actions, editing and creating them, an
//! action's lists (partners, budget, results, indicators, assets) and approved versions.

pub(crate) mod agendas;
mod creating;
pub(crate) mod editing;
mod gaps;
pub(crate) mod parts;
mod versions;

use axum::Router;

use crate::kit::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(agendas::router())
        .merge(editing::router())
        .merge(gaps::router())
        .merge(creating::router())
        .merge(parts::router())
        .merge(versions::router())
}
