//! Operational endpoints: liveness, readiness, metrics, and the language switch.

pub mod metrics;

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::query::Params;
use crate::kit::state::AppState;

/// The process is up.
async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    // Known down: answered at once, as a probe with a short timeout wants (`kit::breaker`).
    let reached = match state.breaker.is_down() {
        true => Err("found down by an earlier request".to_string()),
        false => state.store.ping().await.map_err(|e| e.to_string()),
    };
    match reached {
        Ok(()) => Json(json!({ "status": "ready", "database": "ok" })).into_response(),
        Err(e) => {
            crate::kit::breaker::check(&state);
            tracing::warn!(error = %e, "database not reachable");
            let retry = [(header::RETRY_AFTER, HeaderValue::from_static(crate::kit::error::RETRY_AFTER_SECONDS))];
            (StatusCode::SERVICE_UNAVAILABLE, retry, Json(json!({ "status": "not ready", "database": "unreachable" })))
                .into_response()
        }
    }
}

/// `/lingua/{it|en}?next=/path`: remembers the UI language and goes back to the page.
async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let next = crate::kit::redirect::local_path_or(params.get("next"), "/");
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!("lang={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}", lang.code());
    let mut response = Redirect::to(&next).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|e| AppError::Internal(e.to_string()))?);
    Ok(response)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics::metrics))
        .route("/lingua/{code}", get(switch_language))
}
