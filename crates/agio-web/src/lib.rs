//! AGIO web layer: public pages (askama, Italian first), the JSON API with its OpenAPI
//! document, static assets and operational endpoints, merged into one router.

mod about;
pub mod accounts;
mod agenda;
pub mod api;
mod app;
mod archive;
mod audit;
mod directory;
mod frameworks;
mod home;
pub mod kit;
mod lab;
mod monitoring;
mod opendata;
mod ops;
mod profile;
mod registry;

pub use app::{Application, ServeOptions};
pub use kit::state::{AppState, Clock};

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

/// Content Security Policy: everything from this origin, nothing inline.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The whole application: every feature router merged, wrapped in the cross-cutting layers.
pub fn router(state: AppState) -> Router {
    let cached = Router::new()
        .merge(home::router())
        .merge(about::router())
        .merge(agenda::router())
        .merge(registry::router())
        .merge(directory::router())
        .merge(profile::router())
        .merge(frameworks::router())
        .merge(lab::router())
        .merge(monitoring::router())
        .merge(opendata::router())
        .merge(accounts::router())
        .merge(audit::router())
        .merge(archive::router())
        .merge(api::router())
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), kit::breaker::fail_fast))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), kit::cache::serve_cached));
    let app = Router::new()
        .merge(cached)
        .merge(kit::static_files::router())
        .merge(ops::router())
        .fallback(|| async { kit::error::AppError::NotFound })
        .layer(axum::middleware::from_fn_with_state(state.clone(), kit::personal::personalize))
        .with_state(state.clone());
    let app = with_layers(app).layer(kit::observe::ObserveLayer(state.clone()));
    match state.secure_cookies {
        // Served over https: browsers are told never to try plain http again.
        true => app.layer(security_header(header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains")),
        false => app,
    }
}

/// The cross-cutting layers every response goes through (outermost last).
fn with_layers(app: Router) -> Router {
    app.layer(axum::middleware::from_fn(reject_unreadable_paths))
        .layer(axum::middleware::from_fn(personal_answers_are_not_stored))
        .layer(CatchPanicLayer::custom(|_| panic_response()))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(30)))
        .layer(axum::middleware::from_fn(kit::error::render_errors))
        .layer(CompressionLayer::new())
        .layer(security_header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(
            header::HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
}

fn security_header(name: header::HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// A panic becomes a bare 500, which `render_errors` (outside the panic boundary) renders.
fn panic_response() -> Response {
    tracing::error!("handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

/// A path whose escapes are not UTF-8 or hold control characters names nothing here: a 404,
/// before any handler (and the database) sees it.
async fn reject_unreadable_paths(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if !kit::query::decodes_to_clean_text(request.uri().path()) {
        return kit::error::AppError::NotFound.into_response();
    }
    next.run(request).await
}

/// An answer to a request that carries a session or a token is that person's: no browser or
/// proxy cache may keep it (a shared computer would show it to the next person). Answers that
/// say how they may be cached (the hashed assets) keep their own rule.
async fn personal_answers_are_not_stored(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let personal = request.headers().contains_key(header::AUTHORIZATION)
        || kit::state::cookies(request.headers()).any(|(name, _)| name == kit::auth::SESSION_COOKIE);
    let mut response = next.run(request).await;
    if personal && !response.headers().contains_key(header::CACHE_CONTROL) {
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panic_is_a_plain_500_with_the_security_headers() {
        let app = with_layers(Router::new().route("/boom", get(|| async { panic!("secret detail") as &'static str })));
        let response = app.oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_SECURITY_POLICY], CSP);
        let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert!(body.contains("<h1>Errore del server</h1>") && !body.contains("secret detail"), "{body}");
    }

    #[tokio::test]
    async fn compresses_when_asked() {
        let app = with_layers(Router::new().route("/big", get(|| async { "AGIO ".repeat(2000) })));
        let request = Request::get("/big").header("accept-encoding", "gzip").body(Body::empty()).unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.headers()[header::CONTENT_ENCODING], "gzip");
    }
}
