//! In-process requests against the whole router, on a fresh demo database.
#![allow(dead_code)] // each test binary uses a part of it

use agio_app::Context;
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
    /// The body as sent (a download that is not text).
    pub bytes: Vec<u8>,
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
        self.answer_with(StatusCode::OK, texts)
    }

    /// Asserts an HTML page with `status` that contains every text (a form sent back with its errors).
    #[track_caller]
    pub fn answer_with(&self, status: StatusCode, texts: &[&str]) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
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
        TestApp::of(AppState::new(store, "http://127.0.0.1:8080").await.expect("state"))
    }

    /// The demo, sending its mail through the real SMTP server `sink`, at a public base URL.
    pub async fn demo_with_smtp(backend: Backend, sink: &SmtpSink) -> TestApp {
        let store = fresh_store(backend, Seed::Demo).await;
        let smtp = format!("smtp://127.0.0.1:{}", sink.port);
        let mailer = agio_web::kit::mail::Mailer::new(Some(&smtp), "AGIO <agio@localhost>", None).unwrap();
        let base = "https://agio.example.org";
        let state = AppState::with_services(store, base, mailer, None, Vec::new(), Default::default()).await.unwrap();
        TestApp::of(state)
    }

    /// The whole router over `state`, with the sign-in throttle's clock stopped: its waits
    /// never run out during a test, however slowly the machine runs it.
    pub fn of(state: AppState) -> TestApp {
        TestApp::on_clock(state, agio_web::Clock::frozen_at(time::OffsetDateTime::now_utc()))
    }

    /// The whole router over `state`, on `clock` (instances that share one clock, as machines
    /// share the time).
    pub fn on_clock(state: AppState, clock: agio_web::Clock) -> TestApp {
        let state = state.with_clock(clock).expect("nothing else holds the state yet");
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
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes: bytes.to_vec() }
    }
}

pub const DEMO_PASSWORD: &str = agio_store::DEMO_PASSWORD;

/// The value of `name` in the `Set-Cookie` headers of a reply.
pub fn set_cookie_value(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")).map(|rest| rest.split(';').next().unwrap_or("").to_string()))
}

/// The value of the hidden `csrf` field of the first form of a page.
pub fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no csrf field in {body}")) + 19;
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// `application/x-www-form-urlencoded` of pairs.
pub fn form(pairs: &[(&str, &str)]) -> String {
    serde_urlencoded::to_string(pairs).unwrap()
}

/// A signed-in browser: its session cookie and the form token of its session.
#[derive(Clone, Debug)]
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    pub async fn get_as(&self, path: &str, session: &Session) -> Reply {
        self.request(Request::get(path).header("cookie", &session.cookie).body(Body::empty()).unwrap()).await
    }

    /// POSTs a form; `cookie` may be empty.
    pub async fn post_form(&self, path: &str, cookie: &str, body: String) -> Reply {
        let mut request = Request::post(path).header("content-type", "application/x-www-form-urlencoded");
        if !cookie.is_empty() {
            request = request.header("cookie", cookie);
        }
        self.request(request.body(Body::from(body)).unwrap()).await
    }

    /// Posts a form as `session`, adding its token.
    pub async fn post_as(&self, path: &str, session: &Session, pairs: &[(&str, &str)]) -> Reply {
        let mut all = vec![("csrf", session.csrf.as_str())];
        all.extend_from_slice(pairs);
        self.post_form(path, &session.cookie, form(&all)).await
    }

    /// Posts `fields` and `files` (field name, file name, bytes) as `multipart/form-data`, as an
    /// upload form does, with the session's token.
    pub async fn post_multipart(
        &self,
        path: &str,
        session: &Session,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let boundary = "agio-test-boundary";
        let part = |name: &str| format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"");
        let mut body = Vec::new();
        for (name, value) in [("csrf", session.csrf.as_str())].iter().chain(fields) {
            body.extend(format!("{}\r\n\r\n{value}\r\n", part(name)).bytes());
        }
        for (field, file, bytes) in files {
            let head =
                format!("{}; filename=\"{file}\"\r\nContent-Type: application/octet-stream\r\n\r\n", part(field));
            body.extend(head.bytes());
            body.extend_from_slice(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").bytes());
        let request = Request::post(path)
            .header("cookie", &session.cookie)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.request(request).await
    }

    /// The sign-in attempt of a browser that first opened the sign-in page.
    pub async fn try_sign_in(&self, email: &str, password: &str) -> Reply {
        let page = self.get("/accedi").await;
        let token = set_cookie_value(&page, "agio_csrf").expect("the sign-in page sets its form cookie");
        let body = form(&[("csrf", &csrf_of(&page.body)), ("email", email), ("password", password)]);
        self.post_form("/accedi", &format!("agio_csrf={token}"), body).await
    }

    pub async fn sign_in(&self, email: &str) -> Session {
        self.sign_in_with(email, DEMO_PASSWORD).await
    }

    pub async fn sign_in_with(&self, email: &str, password: &str) -> Session {
        let reply = self.try_sign_in(email, password).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "sign-in of {email}: {}", reply.body);
        let cookie = format!("agio_session={}", set_cookie_value(&reply, "agio_session").expect("a session cookie"));
        let account =
            self.request(Request::get("/area-personale").header("cookie", &cookie).body(Body::empty()).unwrap()).await;
        Session { csrf: csrf_of(&account.body), cookie }
    }
}

impl TestApp {
    /// Adds a person with the demo password and one role (as the command line would).
    pub async fn add_person(
        &self,
        email: &str,
        name: &str,
        role: agio_domain::Role,
        scope: agio_domain::access::Scope,
    ) {
        let mut w = self.state.store.begin_write(&agio_store::Actor::cli()).await.unwrap();
        let new = agio_store::NewPerson {
            email: email.into(),
            name: name.into(),
            organization_name: String::new(),
            password_hash: Some(agio_domain::credentials::hash_password(agio_store::DEMO_PASSWORD)),
            is_demo: true,
        };
        let person = w.create_person(&new).await.unwrap();
        w.grant_role(&person, role, &scope).await.unwrap();
        w.commit().await.unwrap();
    }

    /// Moves an agenda back to its draft (as the command line would); returns its id.
    pub async fn make_draft(&self, slug: &str) -> String {
        let store = &self.state.store;
        let (agenda, _) = store.agenda_for_edit(slug).await.unwrap().unwrap();
        let mut w = store.begin_write(&agio_store::Actor::cli()).await.unwrap();
        w.move_agenda(&agenda.id, agio_domain::AgendaStatus::Draft, "Torna in bozza", agenda.version).await.unwrap();
        w.commit().await.unwrap();
        self.state.after_write().await.unwrap();
        agenda.id
    }

    /// Creates a personal access token through the personal area and returns it.
    pub async fn create_token(&self, session: &Session, scope: &str) -> String {
        let r = self
            .post_as("/area-personale/token", session, &[("name", "gestionale"), ("scope", scope), ("lifetime", "30")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert_eq!(r.header("cache-control"), "no-store");
        let at = r.body.find("value=\"agio_").expect("the token is shown") + 7;
        r.body[at..at + 5 + 64].to_string()
    }

    /// The ids of the indicators of action `code` of agenda `slug`, in order (as the public reads them).
    pub async fn indicators(&self, slug: &str, code: &str) -> Vec<String> {
        let action = self.get(&format!("/api/v1/agendas/{slug}/actions/{code}")).await.json();
        action["results"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["indicators"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()))
            .collect()
    }

    /// A JSON request with a bearer token (empty: none).
    pub async fn api(&self, method: &str, path: &str, token: &str, body: serde_json::Value) -> Reply {
        let mut request = Request::builder().method(method).uri(path).header("content-type", "application/json");
        if !token.is_empty() {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        self.request(request.body(Body::from(body.to_string())).unwrap()).await
    }
}

/// A real SMTP server on loopback (Python's aiosmtpd, from PyPI) that stores what it receives
/// in a maildir. `scripts/test` installs it and sets `AGIO_TEST_PYTHON`.
pub struct SmtpSink {
    child: std::process::Child,
    dir: std::path::PathBuf,
    pub port: u16,
    /// With TLS: the PEM certificate of the throwaway authority that signed the server's.
    pub ca_file: Option<std::path::PathBuf>,
}

/// How the test server protects its connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    Plain,
    /// STARTTLS, required before any message.
    StartTls,
    /// TLS from the first byte (SMTPS).
    Implicit,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_with(SmtpTls::Plain)
    }

    /// With TLS, a certificate for 127.0.0.1 signed by a new authority (trustme, from PyPI).
    pub fn start_with(tls: SmtpTls) -> SmtpSink {
        let python = std::env::var("AGIO_TEST_PYTHON").expect(
            "AGIO_TEST_PYTHON is not set: run scripts/test, or `source scripts/lib.sh && ensure_test_python` first",
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("agio-smtp-{}-{port}", std::process::id()));
        let mut command = std::process::Command::new(&python);
        command.args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"]);
        let mut ca_file = None;
        if tls != SmtpTls::Plain {
            let keys = dir.with_extension("tls");
            std::fs::create_dir_all(&keys).unwrap();
            let made = std::process::Command::new(&python)
                .args(["-c", "import sys, trustme\nca = trustme.CA()\ncert = ca.issue_cert('127.0.0.1')\nca.cert_pem.write_to_path(sys.argv[1] + '/ca.pem')\ncert.private_key_pem.write_to_path(sys.argv[1] + '/key.pem')\ncert.cert_chain_pems[0].write_to_path(sys.argv[1] + '/cert.pem')"])
                .arg(&keys)
                .status()
                .expect("trustme runs");
            assert!(made.success(), "trustme made no certificate");
            let (cert, key) =
                if tls == SmtpTls::StartTls { ("--tlscert", "--tlskey") } else { ("--smtpscert", "--smtpskey") };
            command.arg(cert).arg(keys.join("cert.pem")).arg(key).arg(keys.join("key.pem"));
            ca_file = Some(keys.join("ca.pem"));
        }
        // Its log (refused handshakes are expected) goes to a file beside the maildir.
        let log = std::fs::File::create(dir.with_extension("log")).unwrap();
        let child = command.arg(&dir).stderr(log).spawn().expect("aiosmtpd starts");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log = || std::fs::read_to_string(dir.with_extension("log")).unwrap_or_default();
            assert!(std::time::Instant::now() < deadline, "aiosmtpd did not start on port {port}: {}", log());
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SmtpSink { child, dir, port, ca_file }
    }

    /// The raw messages received so far.
    pub fn messages(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else { return vec![] };
        entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_dir_all(self.dir.with_extension("tls"));
        let _ = std::fs::remove_file(self.dir.with_extension("log"));
    }
}

/// A Decidim instance on loopback: `tests/decidim/server.py`, a real HTTP server executing
/// GraphQL with graphql-core over Decidim's schema subset and the synthetic example data.
/// `control` changes it between two imports (version, page size, failures, proposals).
pub struct DecidimInstance {
    child: std::process::Child,
    control: std::path::PathBuf,
    pub port: u16,
}

impl DecidimInstance {
    pub fn start(control: serde_json::Value) -> DecidimInstance {
        use std::io::BufRead;
        let python = std::env::var("AGIO_TEST_PYTHON").expect(
            "AGIO_TEST_PYTHON is not set: run scripts/test, or `source scripts/lib.sh && ensure_test_python` first",
        );
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let control_file = std::env::temp_dir().join(format!("agio-decidim-{}-{n}.json", std::process::id()));
        std::fs::write(&control_file, control.to_string()).unwrap();
        let server = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/decidim/server.py");
        let mut child = std::process::Command::new(python)
            .arg(server)
            .arg(&control_file)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the Decidim test server starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).expect("the server says its port");
        DecidimInstance { child, control: control_file, port }
    }

    /// The instance's address, as a coordinator gives it.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The host a platform must allow to read from it.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Changes the instance (read by it at every request).
    pub fn set(&self, control: serde_json::Value) {
        std::fs::write(&self.control, control.to_string()).unwrap();
    }
}

impl Drop for DecidimInstance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.control);
    }
}

/// Runs the test Python's `tests/{script}` on `text`, written to a temporary file named
/// `….{extension}` and passed first, then `args`: its output.
pub fn python_on(script: &str, text: &str, extension: &str, args: &[&str]) -> std::process::Output {
    let python = std::env::var("AGIO_TEST_PYTHON").expect("AGIO_TEST_PYTHON: scripts/test installs the Python tools");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let file = std::env::temp_dir().join(format!("agio-python-{}-{n}.{extension}", std::process::id()));
    std::fs::write(&file, text).unwrap();
    let out = std::process::Command::new(python).arg(root.join("tests").join(script)).arg(&file).args(args).output();
    let _ = std::fs::remove_file(&file);
    out.unwrap_or_else(|e| panic!("run tests/{script}: {e}"))
}
