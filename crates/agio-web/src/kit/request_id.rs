//! Every request's id: in the `X-Request-Id` header of its answer and on every log line written
//! while it is served, so that an operator can follow one request through the proxy's log and
//! AGIO's, across instances.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id taken from the proxy in front.
const LONGEST: usize = 64;

/// Keeps the id that the proxy in front gave (nginx's `$request_id`), when it is a plain token
/// that can go in a log line as it is; otherwise gives a new one.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = match request.headers().get(&X_REQUEST_ID) {
        Some(given) if is_plain_token(given.as_bytes()) => given.clone(),
        _ => new_id(),
    };
    request.headers_mut().insert(X_REQUEST_ID, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(X_REQUEST_ID, id);
    response
}

/// The span of a request: its id, method and path (the query string is left out: it may hold a
/// link's token). Every event logged while it is served is inside it.
pub fn span(request: &Request) -> tracing::Span {
    let id = request.headers().get(&X_REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default();
    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
}

fn is_plain_token(id: &[u8]) -> bool {
    (1..=LONGEST).contains(&id.len()) && id.iter().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(b))
}

/// This process's random prefix and a counter: unique across instances, and cheaper than a
/// random number a request.
fn new_id() -> HeaderValue {
    static PREFIX: LazyLock<String> = LazyLock::new(|| agio_domain::credentials::new_token()[..12].to_string());
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = format!("{}-{:x}", *PREFIX, NEXT.fetch_add(1, Ordering::Relaxed));
    HeaderValue::from_str(&id).expect("hex digits and a dash")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_tokens_are_kept() {
        for kept in ["abc", "0f3a-12", "nginx_request.id", &"a".repeat(64)] {
            assert!(is_plain_token(kept.as_bytes()), "{kept}");
        }
        for refused in ["", "a b", "a\nb", "a\"b", "{}", "é", &"a".repeat(65), "x;y", "a/b"] {
            assert!(!is_plain_token(refused.as_bytes()), "{refused:?}");
        }
        assert_ne!(new_id(), new_id());
    }
}
