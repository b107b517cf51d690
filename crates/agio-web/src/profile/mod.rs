//! The digital-welfare profile of a territory (step 1 of the regional method, *conoscenza*):
//! its page with the score, the coverage matrix, the gaps and the comuni at risk; its CSV and
//! JSON downloads; the form that publishes it.

mod editing;
mod page;

use axum::Router;

use crate::kit::state::AppState;

pub fn router() -> Router<AppState> {
    page::router().merge(editing::router())
}
