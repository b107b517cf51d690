//! AGIO web layer: public pages (askama, Italian first), the JSON API with its OpenAPI
//! document, static assets and operational endpoints, merged into one router.

pub mod api;
mod app;
pub mod assets;
pub mod cache;
pub mod error;
mod filters;
pub mod i18n;
mod map;
mod markdown;
mod ops;
mod pages;
pub mod query;
mod web;

pub use app::{Application, ServeOptions};
pub use web::AppState;

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Content Security Policy: everything from this origin, nothing inline.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole application: every feature router merged, wrapped in the cross-cutting layers.
pub fn router(state: AppState) -> Router {
    let cached = Router::new()
        .merge(pages::router())
        .merge(api::router())
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), cache::serve_cached));
    Router::new()
        .merge(cached)
        .merge(assets::router())
        .merge(ops::router())
        .fallback(|| async { error::AppError::NotFound })
        .with_state(state)
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(CompressionLayer::new())
        .layer(security_header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"))
        .layer(TraceLayer::new_for_http())
}

fn security_header(name: header::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// A panic becomes a plain 500 (the error middleware is inside the panic boundary).
fn panic_response() -> Response {
    tracing::error!("handler panicked");
    let mut r = (StatusCode::INTERNAL_SERVER_ERROR, "Errore interno del server / Internal server error").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    r
}
