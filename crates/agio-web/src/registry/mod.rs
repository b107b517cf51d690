//! The registry the agendas refer to: organisations, digital assets, territories (districts,
//! unions of comuni, comuni) with the regional map, and the forms that create and edit them.

mod assets;
pub(crate) mod map;
mod organizations;
pub(crate) mod records;
mod territories;

use axum::Router;

use crate::kit::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(territories::router())
        .merge(organizations::router())
        .merge(assets::router())
        .merge(records::router())
}
