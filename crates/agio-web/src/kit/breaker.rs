//! When a request finds the database unavailable (PostgreSQL restarting, the network cut), the
//! requests after it answer 503 with `Retry-After` at once, instead of each waiting the pool's
//! five seconds for a connection that will not come, and holding a client and a worker
//! meanwhile. Cached pages are still served (this layer sits inside the page cache's). One task
//! asks the database until it answers; then requests go through again.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::kit::error::AppError;
use crate::kit::state::AppState;

/// The pause between two questions to a database that did not answer.
const ASK_AGAIN_AFTER: Duration = Duration::from_millis(200);

#[derive(Default)]
pub struct DatabaseBreaker {
    /// A request found the database unavailable, and it has not answered since.
    down: AtomicBool,
    /// The task asking the database is running.
    asking: AtomicBool,
}

impl DatabaseBreaker {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }
}

/// Answers 503 at once while the database is down; notes when a request finds it down.
pub async fn fail_fast(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.breaker.is_down() {
        state.metrics.database_refused_at_once.inc();
        return AppError::Unavailable.into_response();
    }
    let response = next.run(request).await;
    let unavailable =
        response.extensions().get::<Arc<AppError>>().is_some_and(|e| matches!(**e, AppError::Unavailable));
    if unavailable {
        trip(&state);
    }
    response
}

/// Marks the database down and starts the task that asks it until it answers (one at a time):
/// a request that found it down, or the readiness probe.
/// A deadlock or a serialization failure also answers 503: the database answers the first
/// question then, and the breaker closes at once.
pub fn trip(state: &AppState) {
    state.breaker.down.store(true, Ordering::Release);
    state.metrics.database_down.set(1);
    if state.breaker.asking.swap(true, Ordering::AcqRel) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        while state.store.ping().await.is_err() {
            tokio::time::sleep(ASK_AGAIN_AFTER).await;
        }
        // In this order: a request tripping in between starts a task of its own.
        state.breaker.asking.store(false, Ordering::Release);
        state.breaker.down.store(false, Ordering::Release);
        state.metrics.database_down.set(0);
        tracing::info!("the database answers again");
    });
}
