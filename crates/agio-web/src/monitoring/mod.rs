//! Monitoring (step 3 of the method): an agenda's progress page (`/agende/{slug}/monitoraggio`),
//! each indicator's history (`/agende/{slug}/indicatori/{id}`), the referents' form for a
//! period's value and the coordinators' approval, return and judgement of an action's standing.
//! The rules are `agio_app::monitoring` and `agio_domain::monitoring`; see `docs/monitoring.md`.

mod agenda;
mod charts;
mod delivery;
mod editing;
mod evidence;
mod indicator;
mod region;
mod sheet;

use agio_domain::monitoring::format_decimal;
use axum::Router;
use rust_decimal::Decimal;

use crate::kit::i18n::Lang;
use crate::kit::state::AppState;

/// A value for people, in the page's language.
pub(crate) fn shown(lang: Lang, value: Decimal) -> String {
    format_decimal(value, lang == Lang::It)
}

/// A progress percentage for people ("42,5%"), or a dash.
pub(crate) fn percent(lang: Lang, value: Option<Decimal>) -> String {
    value.map(|v| format!("{}%", shown(lang, v))).unwrap_or_else(|| "—".to_string())
}

/// The address of an indicator's page.
pub(crate) fn indicator_href(slug: &str, indicator_id: &str) -> String {
    format!("/agende/{slug}/indicatori/{indicator_id}")
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(agenda::router())
        .merge(indicator::router())
        .merge(delivery::router())
        .merge(editing::router())
        .merge(evidence::router())
        .merge(region::router())
        .merge(sheet::router())
}
