//! The frameworks agendas serve (ADER, PNRR, SDGs): `/quadri`, each item with the agendas that
//! serve it and the districts with nothing for it; the regional administrator's forms for the
//! frameworks and their items; the framework items an objective serves.

mod editing;
mod page;

use axum::Router;

use crate::kit::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(page::router()).merge(editing::router())
}
