//! `/metrics`: what an operator's Prometheus reads, in the OpenMetrics text format. Answered
//! only to a scraper that presents the configured token (`--metrics-token`); to anyone else, and
//! when no token is configured, the address does not exist (404).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use crate::kit::error::AppError;
use crate::kit::state::AppState;

/// `/metrics`.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if !state.metrics.admits(&headers) {
        return Err(AppError::NotFound);
    }
    let mut text = String::new();
    encode_registry(&mut text, state.metrics.registry()).map_err(|e| AppError::Internal(e.to_string()))?;
    encode_registry(&mut text, &read_now(&state)).map_err(|e| AppError::Internal(e.to_string()))?;
    encode_eof(&mut text).map_err(|e| AppError::Internal(e.to_string()))?;
    let content_type = HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");
    Ok(([(header::CONTENT_TYPE, content_type)], text).into_response())
}

/// What is read at the scrape: the database pool, the page cache and the data version.
fn read_now(state: &AppState) -> Registry {
    let mut now = Registry::with_prefix("agio");
    let (open, idle) = state.store.pool_connections();
    let pool = now.sub_registry_with_prefix("db");
    pool.register("connections_open", "Connections the pool holds open", ConstGauge::new(open as i64));
    pool.register("connections_idle", "Of those, connections not in use", ConstGauge::new(idle as i64));
    let cache = now.sub_registry_with_prefix("page_cache");
    let (hits, misses) = state.cache.lookups();
    cache.register("hits", "Answers and read models the cache gave", ConstCounter::new(hits));
    cache.register("misses", "Answers and read models the cache had to have made", ConstCounter::new(misses));
    let version = state.cache.version() as i64;
    now.register("data_version", "The data version this instance's pages and index are at", ConstGauge::new(version));
    now
}
