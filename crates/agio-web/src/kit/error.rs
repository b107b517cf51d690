//! One error type for every handler. A handler returns it; `render_errors` (a middleware)
//! turns it into an Italian/English HTML page for pages, or RFC 9457 problem+json for the API.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::kit::i18n::Lang;

/// What is wrong with one query parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamProblem {
    NotOneOf {
        value: String,
        allowed: Vec<String>,
    },
    NotAWholeNumber {
        value: String,
    },
    OutOfRange {
        value: String,
        min: i64,
        max: i64,
    },
    TooLong {
        max: usize,
    },
    /// Control characters (NUL, line breaks, …) where only text is expected.
    ControlCharacters,
    /// A well-formed key that names nothing (e.g. an unknown territory code).
    NoSuch {
        value: String,
    },
    /// Not a code or a slug: more than 100 characters, or others than letters, digits, `-`, `_`.
    NotAKey {
        value: String,
    },
    /// Missing, while another parameter that needs it is given.
    NeededWith {
        other: String,
    },
    Unreadable,
    /// Not a `YYYY-MM-DD` date.
    NotAUuid {
        value: String,
    },
    NotADate {
        value: String,
    },
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("invalid query parameter {name}")]
    BadParam { name: String, problem: ParamProblem },
    #[error("method not allowed")]
    MethodNotAllowed,
    /// Signed in (or not) but not allowed to do this.
    #[error("forbidden")]
    Forbidden,
    /// A form without a valid anti-forgery token.
    #[error("invalid or missing form token")]
    BadCsrf,
    /// The API needs a personal access token.
    #[error("authentication required")]
    Unauthenticated,
    /// Too many failed sign-ins, for the account or from the address.
    #[error("too many attempts")]
    TooManyAttempts { wait: time::Duration },
    /// API: fields of a body that break the rules (422), every one listed.
    #[error("invalid fields")]
    Invalid(Vec<agio_domain::edit::FieldError>),
    /// API: the change names an older version than the stored one (409); nothing was saved.
    #[error("stale version")]
    Stale { current: serde_json::Value, version: i64 },
    /// A request body over the size the address accepts.
    #[error("body larger than {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    /// A request body that cannot be read as a form or as JSON.
    #[error("unreadable body: {0}")]
    UnreadableBody(String),
    /// The change clashes with what is stored (a concurrent request got there first); nothing
    /// was saved.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Refused by the Community Lab's rules (its phase, a limit); nothing was saved.
    #[error("refused: {0:?}")]
    Refused(agio_domain::lab::Refusal),
    #[error("service unavailable")]
    Unavailable,
    /// Unavailable because the database may be down: the breaker checks (`kit::breaker`).
    #[error("database out of reach")]
    Unreachable,
    /// Another system this request reads from failed (a Decidim instance): its code and what it
    /// names, worded for people by `lab::decidim::failure_text`.
    #[error("the instance failed: {code}: {detail}")]
    Upstream { code: String, detail: String },
    #[error("internal error: {0}")]
    Internal(String),
}

/// A broken rule of the database is the client's conflict (409), never a 500 (the mapping is
/// the application layer's).
/// Whether every problem of a refused body is a clash with the present state (409), not a
/// value wrong in itself (422); a body with no problem named is not one.
fn clash(errors: &[agio_domain::edit::FieldError]) -> bool {
    !errors.is_empty() && errors.iter().all(|e| e.problem.is_conflict())
}

impl From<agio_store::StoreError> for AppError {
    fn from(e: agio_store::StoreError) -> Self {
        agio_app::Error::from(e).into()
    }
}

impl From<agio_app::Error> for AppError {
    fn from(e: agio_app::Error) -> Self {
        match e {
            agio_app::Error::NotFound => AppError::NotFound,
            agio_app::Error::Forbidden => AppError::Forbidden,
            agio_app::Error::Conflict(what) => AppError::Conflict(what),
            agio_app::Error::Refused(why) => AppError::Refused(why),
            agio_app::Error::Unavailable(what) => {
                tracing::warn!(%what, "the database is unavailable");
                AppError::Unavailable
            }
            agio_app::Error::Unreachable(what) => {
                tracing::warn!(%what, "the database may be out of reach");
                AppError::Unreachable
            }
            agio_app::Error::Internal(what) => AppError::Internal(what),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("template: {e}"))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            // A filter naming nothing answers like an address naming nothing.
            // (So does a distance from a postcode not given: it is from nothing.)
            AppError::BadParam { problem: ParamProblem::NoSuch { .. } | ParamProblem::NeededWith { .. }, .. } => {
                StatusCode::NOT_FOUND
            }
            AppError::BadParam { .. } => StatusCode::BAD_REQUEST,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Forbidden | AppError::BadCsrf => StatusCode::FORBIDDEN,
            AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::UnreadableBody(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            // A clash with the present state, as a stale save is; a value wrong in itself, 422.
            AppError::Invalid(errors) if clash(errors) => StatusCode::CONFLICT,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Stale { .. } | AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Refused(agio_domain::lab::Refusal::TooManyIdeas) => StatusCode::TOO_MANY_REQUESTS,
            AppError::Refused(_) => StatusCode::CONFLICT,
            AppError::Unavailable | AppError::Unreachable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Upstream { .. } => StatusCode::BAD_GATEWAY,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What is wrong with a bad parameter, in the UI language.
    fn reason(problem: &ParamProblem, lang: Lang) -> String {
        let c = lang.catalogue();
        match problem {
            ParamProblem::NotOneOf { value, allowed } => {
                c.fmt("error.param.not_one_of", &[("value", value), ("allowed", &allowed.join(", "))])
            }
            ParamProblem::NotAWholeNumber { value } => c.fmt("error.param.not_a_number", &[("value", value)]),
            ParamProblem::OutOfRange { value, min, max } => c.fmt(
                "error.param.out_of_range",
                &[("value", value), ("min", &min.to_string()), ("max", &max.to_string())],
            ),
            ParamProblem::TooLong { max } => c.fmt("error.param.too_long", &[("max", &max.to_string())]),
            ParamProblem::ControlCharacters => c.t("error.param.control").to_string(),
            ParamProblem::NoSuch { value } => c.fmt("error.param.no_such", &[("value", value)]),
            ParamProblem::Unreadable => c.t("error.param.unreadable").to_string(),
            ParamProblem::NotADate { value } => c.fmt("error.param.not_a_date", &[("value", value)]),
            ParamProblem::NotAUuid { value } => c.fmt("error.param.not_a_uuid", &[("value", value)]),
            ParamProblem::NotAKey { value } => c.fmt("error.param.not_a_key", &[("value", value)]),
            ParamProblem::NeededWith { other } => c.fmt("error.param.needed_with", &[("other", other)]),
        }
    }

    /// A sentence for people, in the UI language (internals are never shown).
    pub fn message(&self, lang: Lang) -> String {
        let c = lang.catalogue();
        match self {
            AppError::NotFound => c.t("error.not_found.text").to_string(),
            AppError::MethodNotAllowed => c.t("error.method.text").to_string(),
            AppError::Forbidden => c.t("error.forbidden.text").to_string(),
            AppError::BadCsrf => c.t("error.csrf.text").to_string(),
            AppError::Unauthenticated => c.t("error.unauthenticated.text").to_string(),
            AppError::TooManyAttempts { wait } => {
                c.fmt("error.too_many.text", &[("wait", &crate::kit::i18n::wait(lang, *wait))])
            }
            AppError::UnreadableBody(_) => c.t("error.unreadable_body.text").to_string(),
            AppError::TooLarge { max_bytes } => {
                c.fmt("error.too_large.text", &[("max", &format!("{} MB", max_bytes / (1024 * 1024)))])
            }
            AppError::Invalid(errors) if clash(errors) => c.t("error.clash.text").to_string(),
            AppError::Invalid(_) => c.t("error.invalid.text").to_string(),
            AppError::Stale { .. } => c.t("field.stale").to_string(),
            AppError::Conflict(_) => c.t("error.conflict.text").to_string(),
            AppError::Refused(why) => c.t(&format!("lab.refused.{}", why.code())).to_string(),
            AppError::Unavailable | AppError::Unreachable => c.t("error.unavailable.text").to_string(),
            AppError::Upstream { code, detail } => crate::lab::decidim::failure_text(c, code, detail),
            AppError::Internal(_) => c.t("error.internal.text").to_string(),
            AppError::BadParam { name, problem } => {
                c.fmt("error.param", &[("name", name), ("reason", &Self::reason(problem, lang))])
            }
        }
    }

    /// The error a bare status from the framework or a layer stands for (405, timeout, panic).
    fn from_status(status: StatusCode) -> Option<AppError> {
        match status {
            StatusCode::NOT_FOUND => Some(AppError::NotFound),
            StatusCode::METHOD_NOT_ALLOWED => Some(AppError::MethodNotAllowed),
            StatusCode::SERVICE_UNAVAILABLE | StatusCode::REQUEST_TIMEOUT => Some(AppError::Unavailable),
            StatusCode::INTERNAL_SERVER_ERROR => Some(AppError::Internal("unhandled".into())),
            _ => None,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        match &self {
            AppError::Internal(detail) => tracing::error!(%detail, "request failed"),
            AppError::Conflict(detail) => tracing::info!(%detail, "a write clashed with stored data"),
            _ => {}
        }
        let mut response = self.status().into_response();
        response.extensions_mut().insert(Arc::new(self));
        response
    }
}

/// RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub instance: String,
    /// For 400 answers: which parameters were wrong and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invalid_params: Vec<InvalidParam>,
    /// For 409 answers: the stored values, which the change would have overwritten (the fields
    /// of the record that was changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub current: Option<serde_json::Value>,
    /// For 409 answers: the version to send with a change that overwrites `current`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidParam {
    pub name: String,
    pub reason: String,
}

fn problem(error: &AppError, path: &str) -> Problem {
    let status = error.status();
    let invalid_params = match error {
        AppError::BadParam { name, problem } => {
            vec![InvalidParam { name: name.clone(), reason: AppError::reason(problem, Lang::En) }]
        }
        AppError::Invalid(errors) => errors
            .iter()
            .map(|e| InvalidParam {
                name: e.field.clone(),
                reason: crate::kit::forms::problem_text(&e.problem, Lang::En.catalogue()),
            })
            .collect(),
        _ => vec![],
    };
    let (current, current_version) = match error {
        AppError::Stale { current, version } => (Some(current.clone()), Some(*version)),
        _ => (None, None),
    };
    Problem {
        kind: "about:blank".to_string(),
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        detail: match error {
            AppError::NotFound => "Nothing is published at this address.".to_string(),
            _ => error.message(Lang::En),
        },
        instance: path.to_string(),
        invalid_params,
        current,
        current_version,
    }
}

/// When to try again after a 503: the database restarting, a request that timed out.
pub const RETRY_AFTER_SECONDS: &str = "5";

/// Renders errors for the surface that asked: those raised by handlers (and the 404 fallback),
/// and the bare statuses of the framework and the layers inside this one (405, timeout, panic).
pub async fn render_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_string();
    let lang = crate::kit::state::lang_of(request.headers());
    let response = next.run(request).await;
    let error = match response.extensions().get::<Arc<AppError>>() {
        Some(error) => error.clone(),
        None if !response.headers().contains_key(header::CONTENT_TYPE) => {
            match AppError::from_status(response.status()) {
                Some(error) => Arc::new(error),
                None => return response,
            }
        }
        None => return response,
    };
    let status = error.status();
    let mut rendered = if path.starts_with("/api/") || path.starts_with("/hsds/") {
        let body = serde_json::to_string(&problem(&error, &path)).unwrap_or_default();
        let mut r = (status, body).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        r
    } else {
        match crate::kit::layout::error_page(lang, &error, &path) {
            Ok(html) => (status, html).into_response(),
            Err(_) => (status, error.message(lang)).into_response(),
        }
    };
    if let Some(allow) = response.headers().get(header::ALLOW) {
        rendered.headers_mut().insert(header::ALLOW, allow.clone());
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        rendered.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
    }
    if status == StatusCode::UNAUTHORIZED {
        rendered.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"agio\""));
    }
    rendered
}
