//! In-process requests against the whole router, on a fresh demo database.
#![allow(dead_code)] // each test binary uses a part of it

use agio_store::Backend;
use agio_testkit::{fresh_store, Seed};
use agio_web::AppState;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use tower::ServiceExt;

pub const GUASTALLA: &str = "agenda-digitale-sociale-bassa-reggiana-2025-2027";
pub const RIMINI: &str = "agenda-digitale-sociale-rimini-valmarecchia-2026-2028";

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a 200 HTML page that contains every text.
    #[track_caller]
    pub fn page_with(&self, texts: &[&str]) -> &Self {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        assert!(self.header("content-type").starts_with("text/html"));
        assert_eq!(self.body.matches("<h1").count(), 1, "one h1 per page");
        for t in texts {
            assert!(self.body.contains(t), "page lacks {t:?}");
        }
        self
    }
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
}

impl TestApp {
    pub async fn demo(backend: Backend) -> TestApp {
        let store = fresh_store(backend, Seed::Demo).await;
        let state = AppState::new(store, "http://127.0.0.1:8080").await.expect("state");
        TestApp { router: agio_web::router(state.clone()), state }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Request::get(path).body(Body::empty()).unwrap()).await
    }

    pub async fn get_en(&self, path: &str) -> Reply {
        self.request(Request::get(path).header("cookie", "lang=en").body(Body::empty()).unwrap()).await
    }

    pub async fn request(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.expect("the router answers");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }
}
