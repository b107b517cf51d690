//! A request answered before its body is read to its end (a write without a token, a form
//! without its CSRF token, an upload over the limit, a timeout) leaves the rest of the body on
//! the connection, and hyper closes the connection after the answer unless it already holds the
//! whole body. The answer says so with `Connection: close`: a client that reused the connection
//! would write its next request into a closing socket, and a POST that fails there is not
//! retried. `kit::observe`, the outermost service, calls it for every request.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::response::Response;
use hyper::body::{Body as HttpBody, Frame, SizeHint};

/// Whether a request's body has been read to its end (nothing to watch without a body).
pub struct BodyWatch(Option<Arc<AtomicBool>>);

/// The request with its body watched.
pub fn watch(request: Request) -> (Request, BodyWatch) {
    if !carries_body(&request) {
        return (request, BodyWatch(None));
    }
    let finished = Arc::new(AtomicBool::new(false));
    let watched = Arc::clone(&finished);
    (request.map(|inner| Body::new(WatchedBody { inner, finished: watched })), BodyWatch(Some(finished)))
}

impl BodyWatch {
    /// `Connection: close` on the answer when the body was left unread.
    pub fn close_if_unread(&self, response: &mut Response) {
        if self.0.as_ref().is_some_and(|finished| !finished.load(Ordering::Acquire)) {
            response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
    }
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
