//! The directory of welfare services (HSDS): search that narrows, a service's page and print
//! sheet, its editing, and the import of a whole file.

mod editing;
mod service_import;
mod services;

use axum::Router;

use crate::kit::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(services::router()).merge(service_import::router()).merge(editing::router())
}
