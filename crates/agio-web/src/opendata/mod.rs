//! Open data (`/dati`): the page that describes every dataset and column, each dataset as CSV
//! and JSON at a stable address (`/dati/{dataset}.csv`, `.json`), and the DCAT-AP_IT catalogue
//! (`/dati/catalogo`, by content negotiation or `.ttl`, `.jsonld`, `.rdf`). All under CC BY 4.0;
//! what they hold is `agio_app::opendata`'s.

mod catalogue;
mod page;

use axum::Router;

use crate::kit::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(page::router()).merge(catalogue::router())
}
