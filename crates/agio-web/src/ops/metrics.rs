//! `/metrics`: what an operator's Prometheus reads, in the OpenMetrics text format. Answered
//! only to a scraper that presents the configured token (`--metrics-token`); to anyone else, and
//! when no token is configured, the address does not exist (404).

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use agio_domain::credentials::token_hash;

use crate::kit::error::AppError;
use crate::kit::state::AppState;

/// Upper bounds of the latency buckets, in seconds: a cached page answers in a millisecond, a
/// regional dashboard in a tenth of a second, an import in seconds.
const LATENCY_BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Answered {
    /// The route's template (`/agende/{slug}`), never the address asked: the number of series
    /// stays that of the routes whatever is asked. `unmatched` for what no route takes.
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

type LatencyFamily = Family<Route, Histogram, fn() -> Histogram>;

/// The counters kept as requests are answered; the rest is read at each scrape.
pub struct Metrics {
    /// SHA-256 of the scrapers' token; None: `/metrics` is not served.
    token_hash: Option<String>,
    registry: Registry,
    requests: Family<Answered, Counter>,
    latency: LatencyFamily,
}

impl Metrics {
    pub fn new(token: Option<&str>) -> Metrics {
        let requests = Family::<Answered, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        let mut registry = Registry::with_prefix("agio");
        registry.register("http_requests", "Requests answered, by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer a request, by route", latency.clone());
        Metrics { token_hash: token.filter(|t| !t.is_empty()).map(token_hash), registry, requests, latency }
    }

    /// Whether the request carries the scrapers' token (compared as hashes: no timing to learn
    /// it from).
    fn admits(&self, headers: &HeaderMap) -> bool {
        let given =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        match (&self.token_hash, given) {
            (Some(expected), Some(given)) => token_hash(given) == *expected,
            _ => false,
        }
    }
}

/// Counts each answer and its time, by the route that took it.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
    let method = request.method().as_str().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let m = &state.metrics;
    m.latency.get_or_create(&Route { route: route.clone() }).observe(started.elapsed().as_secs_f64());
    m.requests.get_or_create(&Answered { route, method, status: response.status().as_u16() }).inc();
    response
}

/// `/metrics`.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if !state.metrics.admits(&headers) {
        return Err(AppError::NotFound);
    }
    let mut text = String::new();
    encode_registry(&mut text, &state.metrics.registry).map_err(|e| AppError::Internal(e.to_string()))?;
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
