//! When a request finds the database out of reach (PostgreSQL restarting, the network cut), the
//! requests after it answer 503 with `Retry-After` at once, instead of each waiting the pool's
//! five seconds for a connection that will not come, and holding a client and a worker
//! meanwhile. Cached pages are still served (this layer sits inside the page cache's).
//!
//! A full pool times out like a database that is down: before the breaker opens, a task opens a
//! connection of its own, which a full pool does not delay. Down, the same task tries again
//! every 200 ms; when a connection opens, requests go through again. A deadlock or a
//! serialization failure is a plain 503 and does not open it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::kit::error::AppError;
use crate::kit::state::AppState;

/// The pause between two tries to reach a database that was down.
const TRY_AGAIN_AFTER: Duration = Duration::from_millis(200);

#[derive(Default)]
pub struct DatabaseBreaker {
    /// The database was found out of reach, and no connection has opened since.
    down: AtomicBool,
    /// The task checking the database is running.
    checking: AtomicBool,
}

impl DatabaseBreaker {
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::Acquire)
    }
}

/// Answers 503 at once while the database is down; has it checked when a request finds it out
/// of reach.
pub async fn fail_fast(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if state.breaker.is_down() {
        state.metrics.database_refused_at_once.inc();
        return AppError::Unreachable.into_response();
    }
    let response = next.run(request).await;
    if response.extensions().get::<Arc<AppError>>().is_some_and(|e| matches!(**e, AppError::Unreachable)) {
        check(&state);
    }
    response
}

/// Starts the task that checks the database (one at a time): down while no connection of its
/// own opens, up again once one does. Called when a request or the readiness probe found the
/// database out of reach.
pub fn check(state: &AppState) {
    if state.breaker.checking.swap(true, Ordering::AcqRel) {
        return;
    }
    let state = state.clone();
    tokio::spawn(async move {
        if !state.store.reachable().await {
            state.breaker.down.store(true, Ordering::Release);
            state.metrics.database_down.set(1);
            tracing::warn!("the database is out of reach: requests are answered 503 at once until it is back");
            while !state.store.reachable().await && !state.store.is_closed() {
                tokio::time::sleep(TRY_AGAIN_AFTER).await;
            }
            tracing::info!("the database answers again");
        }
        // In this order: a task started in between may mark it down again, and that stays.
        state.breaker.down.store(false, Ordering::Release);
        state.metrics.database_down.set(0);
        state.breaker.checking.store(false, Ordering::Release);
    });
}
