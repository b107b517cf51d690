//! PostgreSQL going away under a running instance (a restart, the network): pages and the API
//! answer 503 with `Retry-After`, never a 500; readiness fails and liveness does not; once the
//! server is back, the instance serves again by itself. Once a request has found the database
//! down, the next ones answer 503 at once rather than each waiting for the pool's timeout
//! (`kit::breaker`). The instance reaches PostgreSQL through
//! a TCP relay that the test stops and starts again on the same port, as a restart looks to it.

use std::sync::{Arc, Mutex};

use crate::support::{TestApp, GUASTALLA};
use agio_store::{Backend, Store};
use agio_testkit::{fresh_url, Seed};
use agio_web::AppState;
use axum::http::StatusCode;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Relays 127.0.0.1:`port` to `upstream`; stopping it refuses new connections and cuts the open
/// ones, as a server going down does.
struct Relay {
    accept: JoinHandle<()>,
    open: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Relay {
    async fn start(listener: TcpListener, upstream: String) -> Relay {
        let open: Arc<Mutex<Vec<JoinHandle<()>>>> = Arc::default();
        let tasks = open.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let upstream = upstream.clone();
                tasks.lock().unwrap().push(tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                }));
            }
        });
        Relay { accept, open }
    }

    fn stop(self) {
        self.accept.abort();
        for task in self.open.lock().unwrap().drain(..) {
            task.abort();
        }
    }
}

#[tokio::test]
async fn postgres_going_away_is_a_503_to_retry_and_the_instance_comes_back_by_itself() {
    let direct = url::Url::parse(&fresh_url(Backend::Postgres, Seed::Demo).await).unwrap();
    let upstream = format!("{}:{}", direct.host_str().unwrap(), direct.port().unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let relay = Relay::start(listener, upstream.clone()).await;
    let mut relayed = direct.clone();
    relayed.set_port(Some(port)).unwrap();
    let store = Store::connect(relayed.as_str()).await.unwrap();
    // Every cache off: each request reads the database.
    let state = AppState::new(store, "http://127.0.0.1:8080").await.unwrap().without_caches().unwrap();
    let app = TestApp::of(state);
    let state = app.state.clone();
    let agenda = format!("/agende/{GUASTALLA}");
    assert_eq!(app.get(&agenda).await.status, StatusCode::OK);

    relay.stop();
    let page = app.get(&agenda).await;
    page.answer_with(StatusCode::SERVICE_UNAVAILABLE, &["Servizio non disponibile"]);
    assert_eq!(page.header("retry-after"), "5");
    // It has the breaker check: no connection opens, so the database is down.
    until(|| state.breaker.is_down()).await;
    assert_eq!(state.metrics.database_refused_at_once.get(), 0);
    let api = app.get("/api/v1/agendas").await;
    assert_eq!(state.metrics.database_refused_at_once.get(), 1, "the next request did not wait for the pool");
    assert_eq!((api.status, api.header("content-type")), (StatusCode::SERVICE_UNAVAILABLE, "application/problem+json"));
    assert_eq!(api.header("retry-after"), "5");
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status, ready.header("retry-after")), (StatusCode::SERVICE_UNAVAILABLE, "5"));
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK, "the process itself is alive");

    // The server is back on the same address: the next requests are served, nothing restarted.
    let relay = Relay::start(TcpListener::bind(("127.0.0.1", port)).await.unwrap(), upstream).await;
    // The breaker's task finds the database again by itself.
    until(|| !state.breaker.is_down()).await;
    assert_eq!(app.get(&agenda).await.status, StatusCode::OK);
    assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    relay.stop();
}

/// Waits until `condition` holds, checking every 10 ms, for 10 s at most.
async fn until(condition: impl Fn() -> bool) {
    for _ in 0..1000 {
        if condition() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the condition never held");
}
