//! What every request leaves for the operators: its id, in the `X-Request-Id` header of its
//! answer and on every log line written while it is served (so that one request can be followed
//! through the proxy's log and AGIO's, across instances); and its count and time in `/metrics`.
//! Being outermost, it also tells the client when the connection ends with the answer
//! (`kit::unread_body`).
//!
//! One tower service rather than middleware functions: an axum `from_fn` layer clones the whole
//! stack below it for every request, and two of them outermost cost a cached page a tenth of its
//! throughput.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use tracing::Instrument;

use crate::kit::state::AppState;
use crate::kit::unread_body;

pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id taken from the proxy in front.
const LONGEST: usize = 64;

/// Wraps every route (`Router::layer`): the route's template is known there.
#[derive(Clone)]
pub struct ObserveLayer(pub AppState);

impl<S> tower::Layer<S> for ObserveLayer {
    type Service = Observe<S>;
    fn layer(&self, inner: S) -> Observe<S> {
        Observe { inner, state: self.0.clone() }
    }
}

#[derive(Clone)]
pub struct Observe<S> {
    inner: S,
    state: AppState,
}

impl<S> tower::Service<Request> for Observe<S>
where
    S: tower::Service<Request, Response = Response> + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let started = Instant::now();
        // Keeps the id the proxy in front gave (nginx's `$request_id`) when it is a plain token
        // that can go in a log line as it is; otherwise gives a new one.
        let id = match request.headers().get(&X_REQUEST_ID) {
            Some(given) if is_plain_token(given.as_bytes()) => given.clone(),
            _ => new_id(),
        };
        request.headers_mut().insert(X_REQUEST_ID, id.clone());
        let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_string();
        let method = request.method().clone();
        // The query string is left out of the span: it may hold a link's token.
        let span = tracing::info_span!(
            "request",
            id = id.to_str().unwrap_or_default(),
            method = method.as_str(),
            path = request.uri().path()
        );
        let (request, body) = unread_body::watch(request);
        let answer = self.inner.call(request);
        let state = self.state.clone();
        Box::pin(
            async move {
                let mut response = answer.await?;
                let status = response.status().as_u16();
                state.metrics.record(route, &method, status, started.elapsed());
                tracing::debug!(status, elapsed_ms = started.elapsed().as_secs_f64() * 1000.0, "answered");
                response.headers_mut().insert(X_REQUEST_ID, id);
                body.close_if_unread(&mut response);
                Ok(response)
            }
            .instrument(span),
        )
    }
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
