//! The digital-welfare profile of a territory (step 1 of the regional method, *conoscenza*):
//! its page with the score, the coverage matrix, the gaps and the comuni at risk; its CSV and
//! JSON downloads; the form that publishes it.

mod compare;
mod editing;
mod guide;
pub(crate) mod page;
pub(crate) mod regional;
mod versions;
mod zone_plan;

use axum::Router;

use crate::kit::state::AppState;

pub fn router() -> Router<AppState> {
    page::router()
        .merge(editing::router())
        .merge(regional::router())
        .merge(compare::router())
        .merge(zone_plan::router())
        .merge(guide::router())
        .merge(versions::router())
}
