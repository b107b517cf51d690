//! `/metrics`: read by the scraper that presents the configured token, by nobody else (404, as
//! for what does not exist), and in the OpenMetrics format as the Prometheus project's own
//! parser reads it.

use crate::support::{TestApp, GUASTALLA};
use agio_testkit::{both_backends, fresh_store, Seed};
use agio_web::AppState;
use axum::body::Body;
use axum::http::{Request, StatusCode};

const TOKEN: &str = "scraper-s3cret-token";

fn scrape(authorization: &str) -> Request<Body> {
    Request::get("/metrics").header("authorization", authorization).body(Body::empty()).unwrap()
}

/// Every sample of an exposition as `tests/metrics/parse.py` prints it, or its parse error.
fn parsed(text: &str) -> Result<Vec<String>, String> {
    let out = crate::support::python_on("metrics/parse.py", text, "txt", &[]);
    match out.status.success() {
        true => Ok(String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()),
        false => Err(String::from_utf8_lossy(&out.stderr).into_owned()),
    }
}

/// The value of the one sample whose line starts with `sample` (name and labels).
fn value(samples: &[String], sample: &str) -> f64 {
    let line = samples
        .iter()
        .find(|l| l.starts_with(&format!("{sample} ")))
        .unwrap_or_else(|| panic!("{sample}: {samples:#?}"));
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

both_backends!(metrics_are_for_the_scraper_only_and_read_as_openmetrics, |backend| async move {
    // Without a token configured, /metrics does not exist, whatever is presented.
    let app = TestApp::demo(backend).await;
    for request in [scrape(&format!("Bearer {TOKEN}")), scrape("Bearer ")] {
        assert_eq!(app.request(request).await.status, StatusCode::NOT_FOUND);
    }

    let store = fresh_store(backend, Seed::Demo).await;
    let state = AppState::new(store, "http://127.0.0.1:8080").await.unwrap().with_metrics_token(Some(TOKEN)).unwrap();
    let app = TestApp::of(state);
    assert_eq!(app.get("/metrics").await.status, StatusCode::NOT_FOUND, "no token");
    for wrong in ["Bearer wrong", &format!("Basic {TOKEN}"), &format!("Bearer {TOKEN}x"), "Bearer"] {
        assert_eq!(app.request(scrape(wrong)).await.status, StatusCode::NOT_FOUND, "{wrong}");
    }

    let agenda = format!("/agende/{GUASTALLA}");
    for path in [agenda.as_str(), agenda.as_str(), "/nessuna-pagina"] {
        app.get(path).await;
    }
    // Any method name is accepted on the wire: those outside HTTP's own count as one, `other`.
    for method in ["FOO1", "FOO2", "BREW"] {
        let odd = Request::builder().method(method).uri("/").body(Body::empty()).unwrap();
        app.request(odd).await;
    }
    let reply = app.request(scrape(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").starts_with("application/openmetrics-text; version=1.0.0"));
    assert!(reply.body.ends_with("# EOF\n"), "{}", reply.body);
    let samples = parsed(&reply.body).unwrap_or_else(|e| panic!("{e}\n{}", reply.body));

    // Requests by route template (never the address asked), method and status.
    let answered = |route: &str, status: u16| {
        value(&samples, &format!("agio_http_requests_total{{method=\"GET\",route=\"{route}\",status=\"{status}\"}}"))
    };
    assert_eq!(answered("/agende/{slug}", 200), 2.0);
    assert_eq!(answered("unmatched", 404), 1.0);
    assert_eq!(answered("/metrics", 404), 5.0, "the refused scrapes");
    assert!(!reply.body.contains(GUASTALLA), "no address in a label");
    let odd: Vec<_> = samples.iter().filter(|s| s.starts_with("agio_http_requests_total{method=\"other\"")).collect();
    assert_eq!(odd.len(), 1, "{odd:?}");
    assert!(odd[0].contains(" 3 counter") && !reply.body.contains("FOO1"), "{odd:?}");
    let count = value(&samples, "agio_http_request_duration_seconds_count{route=\"/agende/{slug}\"}");
    let all = value(&samples, "agio_http_request_duration_seconds_bucket{le=\"+Inf\",route=\"/agende/{slug}\"}");
    assert_eq!((count, all), (2.0, 2.0));
    // The second view came from the page cache.
    assert!(value(&samples, "agio_page_cache_hits_total{}") >= 1.0);
    assert!(value(&samples, "agio_page_cache_misses_total{}") >= 1.0);
    assert!(value(&samples, "agio_db_connections_open{}") >= 1.0);
    assert!(value(&samples, "agio_db_connections_idle{}") >= 0.0);
    assert!(value(&samples, "agio_data_version{}") >= 1.0);

    // What the parser refuses, it says: the check above can fail.
    assert!(parsed("agio_x_total 1\n").is_err(), "no # EOF");
});
