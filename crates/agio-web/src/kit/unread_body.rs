//! A request answered before its body is read (a write without a token, a form without its CSRF
//! token, an upload over the limit) leaves the rest of the body on the connection, and hyper
//! closes the connection after the answer. The answer says so with `Connection: close`: a
//! client that reused the connection would write its next request into a closing socket, and
//! a POST that fails there is not retried.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use hyper::body::{Body as HttpBody, Frame, SizeHint};

/// Middleware: `Connection: close` on the answer to a request whose body was not read to its end.
/// The innermost layer, so that it clones no stack at each request; `render_errors`, which
/// renders the answer again, keeps the header.
pub async fn close_after_unread_body(request: Request, next: Next) -> Response {
    if !carries_body(&request) {
        return next.run(request).await;
    }
    let finished = Arc::new(AtomicBool::new(false));
    let watched = Arc::clone(&finished);
    let mut response = next.run(request.map(|inner| Body::new(WatchedBody { inner, finished: watched }))).await;
    if !finished.load(Ordering::Acquire) {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

fn carries_body(request: &Request) -> bool {
    let headers = request.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|length| length.to_str().ok()?.parse::<u64>().ok())
            .is_some_and(|length| length > 0)
}

/// The request body, telling `finished` once its last byte has been read.
struct WatchedBody {
    inner: Body,
    finished: Arc<AtomicBool>,
}

impl HttpBody for WatchedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.finished.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
