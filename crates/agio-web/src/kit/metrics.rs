//! The counters `/metrics` shows (`ops::metrics`), kept as requests are answered
//! (`kit::observe`): requests by route template, method and status, and their latency by route.

use std::time::Duration;

use agio_domain::credentials::token_hash;
use axum::http::{header, HeaderMap, Method};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

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

pub struct Metrics {
    /// SHA-256 of the scrapers' token; None: `/metrics` is not served.
    token_hash: Option<String>,
    registry: Registry,
    requests: Family<Answered, Counter>,
    latency: LatencyFamily,
    /// Requests answered 503 without waiting, the database being down (`kit::breaker`).
    pub database_refused_at_once: Counter,
    /// 1 while a request found the database down and it has not answered since.
    pub database_down: Gauge,
}

impl Metrics {
    pub fn new(token: Option<&str>) -> Metrics {
        let requests = Family::<Answered, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
        let mut registry = Registry::with_prefix("agio");
        registry.register("http_requests", "Requests answered, by route, method and status", requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer a request, by route", latency.clone());
        let database_refused_at_once = Counter::default();
        registry.register(
            "database_refused_at_once",
            "Requests answered 503 at once, without waiting, while the database was down",
            database_refused_at_once.clone(),
        );
        let database_down = Gauge::default();
        registry.register("database_down", "1 while the database is down for this instance", database_down.clone());
        Metrics {
            token_hash: token.filter(|t| !t.is_empty()).map(token_hash),
            registry,
            requests,
            latency,
            database_refused_at_once,
            database_down,
        }
    }

    /// One answer: its route's template, method, status and time. A method outside HTTP's own
    /// is counted as `other`: any name is accepted on the wire, and each would be a new series.
    pub fn record(&self, route: String, method: &Method, status: u16, elapsed: Duration) {
        let route = Route { route };
        self.latency.get_or_create(&route).observe(elapsed.as_secs_f64());
        let known =
            [Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS];
        let method = if known.contains(method) { method.as_str() } else { "other" };
        self.requests.get_or_create(&Answered { route: route.route, method: method.to_string(), status }).inc();
    }

    /// Whether the request carries the scrapers' token (compared as hashes: no timing to learn
    /// it from).
    pub fn admits(&self, headers: &HeaderMap) -> bool {
        let given =
            headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
        match (&self.token_hash, given) {
            (Some(expected), Some(given)) => token_hash(given) == *expected,
            _ => false,
        }
    }

    /// The counters kept as requests are answered.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}
