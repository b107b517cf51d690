//! The `agio` binary as an operator runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use agio_store::{Backend, Store};
use agio_testkit::{fresh_url, Seed};

fn agio() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_agio"));
    c.env_remove("AGIO_DATABASE_URL").env_remove("AGIO_LISTEN").env_remove("AGIO_LOG_FORMAT").env("AGIO_LOG", "info");
    c
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("agio-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn every_subcommand_has_help() {
    let subcommands = [
        "serve",
        "migrate",
        "seed",
        "check",
        "backup",
        "restore",
        "user create",
        "monitoring export",
        "monitoring import",
    ];
    for sub in subcommands {
        let out = agio().args(sub.split(" ")).arg("--help").output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("--database-url") && text.contains("Usage: agio"), "{sub}: {text}");
    }
}

#[test]
fn spid_and_cie_need_a_key_not_a_secret() {
    let provider = ["check", "--oidc-issuer", "https://id.example.org", "--oidc-client-id", "agio"];
    let refused = |extra: &[&str], expected: &str| {
        let out = agio().env_remove("AGIO_OIDC_PROFILE").args(provider).args(extra).output().unwrap();
        assert!(!out.status.success(), "{extra:?} is refused");
        let text = String::from_utf8_lossy(&out.stderr);
        assert!(text.contains(expected), "{extra:?}: {text}");
    };
    refused(
        &["--oidc-profile", "spid", "--oidc-client-secret", "s3cret"],
        "needs an RSA private key (--oidc-key-file)",
    );
    refused(&["--oidc-profile", "saml"], "unknown OpenID profile 'saml': oidc, spid or cie");
    refused(&["--oidc-profile", "cie", "--oidc-key-file", "/nonexistent/rp.pem"], "cannot read the OpenID key");
    refused(&[], "needs a client secret or a key");
}

#[test]
fn check_reports_a_reachable_database_and_creates_nothing() {
    let dir = temp_dir("check");
    let missing = agio().current_dir(&dir).arg("check").output().unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no database file there"));
    assert!(!dir.join("data").exists(), "check creates nothing");
    assert!(agio().current_dir(&dir).arg("seed").output().unwrap().status.success());
    let out = agio().current_dir(&dir).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("database reachable: ok") && text.contains("sqlite://./data/agio.sqlite"));
}

#[test]
fn check_fails_with_one_clear_line_when_the_database_is_unreachable() {
    for command in ["check", "serve"] {
        let out = agio()
            .args([command, "--database-url", "postgres://nobody:s3cret@127.0.0.1:1/agio", "--listen", "127.0.0.1:0"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.trim().lines().last().unwrap();
        assert!(last.starts_with("error: cannot open the database postgres://nobody:***@127.0.0.1:1/agio: "), "{err}");
        assert!(!err.contains("s3cret"), "the password is never printed: {err}");
    }
}

#[test]
fn serve_fails_with_one_clear_line_when_the_data_folder_is_not_writable() {
    let dir = temp_dir("readonly");
    let blocker = dir.join("file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let url = format!("sqlite://{}/sub/agio.sqlite", blocker.display());
    let out = agio().args(["serve", "--database-url", &url, "--listen", "127.0.0.1:0"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.trim().lines().last().unwrap();
    assert!(
        last.starts_with("error: cannot open the database sqlite://") && last.contains(": cannot use the data folder"),
        "{err}"
    );
}

#[test]
fn bad_configuration_is_refused() {
    let out = agio().args(["check", "--log-format", "xml"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("log format 'xml' is not one of: human, json"));
}

#[test]
fn agio_toml_is_read_and_flags_win() {
    let dir = temp_dir("toml");
    std::fs::write(dir.join("agio.toml"), "database_url = \"sqlite://./from-file.sqlite\"\n").unwrap();
    let out = agio().current_dir(&dir).arg("check").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("from-file.sqlite"));
    // (check then fails: none of these databases exists, and check creates nothing.)
    let out =
        agio().current_dir(&dir).env("AGIO_DATABASE_URL", "sqlite://./from-env.sqlite").arg("check").output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("from-env.sqlite"));
    let out = agio()
        .current_dir(&dir)
        .env("AGIO_DATABASE_URL", "sqlite://./from-env.sqlite")
        .args(["check", "--database-url", "sqlite://./from-flag.sqlite"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("from-flag.sqlite"));
}

// A district's SQLite instance moved whole into the regional PostgreSQL, and back again.
#[tokio::test]
async fn seed_then_migrate_to_postgres_and_back_copies_everything() {
    let dir = temp_dir("migrate");
    let sqlite = format!("sqlite://{}/agio.sqlite", dir.display());
    let out = agio().args(["seed", "--demo", "--database-url", &sqlite]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo: 2 agendas, 24 actions"));

    let target = fresh_url(Backend::Postgres, Seed::Nothing).await;
    let out = agio().args(["migrate", "--database-url", &sqlite, "--to", &target]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("territories") && text.contains("369 rows"), "{text}");

    let pg = Store::connect(&target).await.unwrap();
    let agenda = pg.agenda_detail("agenda-digitale-sociale-bassa-reggiana-2025-2027").await.unwrap().unwrap();
    assert_eq!(agenda.objectives.iter().map(|o| o.actions.len()).sum::<usize>(), 12);

    let again = agio().args(["migrate", "--database-url", &sqlite, "--to", &target]).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));

    // And back, from PostgreSQL into a new SQLite file: every row of every table as it was.
    let back = format!("sqlite://{}/back.sqlite", dir.display());
    let out = agio().args(["migrate", "--database-url", &target, "--to", &back]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (original, returned) = (Store::connect(&sqlite).await.unwrap(), Store::connect(&back).await.unwrap());
    let schema = original.schema_snapshot().await.unwrap();
    for (table, order) in agio_store::COPY_ORDER {
        let columns = &schema[*table].columns;
        let (from, to) = (
            original.dump_table(table, columns, order).await.unwrap(),
            returned.dump_table(table, columns, order).await.unwrap(),
        );
        assert_eq!(from, to, "rows of {table} after SQLite → PostgreSQL → SQLite");
    }
}

// `agio migrate --check` says what would run and changes nothing; a schema a newer AGIO
// migrated is named, and `serve` and `migrate` refuse it the same way.
#[tokio::test]
async fn migrate_check_says_what_would_run_and_a_newer_schema_is_refused() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let url = fresh_url(backend, Seed::Nothing).await;
        let check = || agio().args(["migrate", "--check", "--database-url", &url]).output().unwrap();
        let out = agio().args(["migrate", "--database-url", &url]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let out = check();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success() && text.contains("nothing to apply"), "{backend:?}: {text}");

        let store = Store::connect(&url).await.unwrap();
        // The migrations are numbered 1, 2, …: the last one's number is how many there are.
        let last = store.migration_status().await.unwrap().applied as i64;
        store.execute_raw(&format!("DELETE FROM schema_migrations WHERE version = {last}")).await.unwrap();
        let still = store.migration_status().await.unwrap();
        let [(version, name)] = still.pending[..] else { panic!("one pending: {still:?}") };
        assert_eq!(version, last);
        let out = check();
        let (text, err) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert_eq!(out.status.code(), Some(1), "pending migrations fail the check: {text}");
        assert!(text.contains(&format!("would apply 1 migrations:\n  {name}")), "{backend:?}: {text}");
        assert!(err.contains("1 migrations pending"), "{err}");
        assert_eq!(store.migration_status().await.unwrap(), still, "the check changed nothing");

        store
            .execute_raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future', 'x')")
            .await
            .unwrap();
        store.close().await;
        let out = check();
        assert!(String::from_utf8_lossy(&out.stderr).contains("migration 9999 (9999_future), newer than this AGIO"));
        for command in ["migrate", "serve"] {
            let out = agio().args([command, "--database-url", &url, "--listen", "127.0.0.1:0"]).output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success() && err.contains("migrated by a newer AGIO"), "{command}: {err}");
        }
    }
}

/// Every row of every table of `a` is in `b`, and nothing else.
async fn same_rows(a: &Store, b: &Store) {
    let schema = a.schema_snapshot().await.unwrap();
    for (table, order) in agio_store::COPY_ORDER.iter().chain(agio_store::DERIVED) {
        let columns = &schema[*table].columns;
        let (from, to) =
            (a.dump_table(table, columns, order).await.unwrap(), b.dump_table(table, columns, order).await.unwrap());
        assert_eq!(from, to, "rows of {table} differ");
    }
    assert_eq!(a.migration_status().await.unwrap(), b.migration_status().await.unwrap());
}

fn succeeds(out: &std::process::Output) -> String {
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stdout}{stderr}");
    format!("{stdout}{stderr}")
}

fn fails(out: &std::process::Output) -> String {
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!out.status.success(), "{stdout}{stderr}");
    format!("{stdout}{stderr}")
}

// `agio backup` copies a demo SQLite instance to a file; `agio restore` puts it into an empty
// SQLite and an empty PostgreSQL database, every table the same; neither overwrites anything.
#[tokio::test]
async fn a_sqlite_backup_restores_into_sqlite_and_postgres() {
    let dir = temp_dir("backup");
    let source = format!("sqlite://{}/agio.sqlite", dir.display());
    succeeds(&agio().args(["seed", "--demo", "--database-url", &source]).output().unwrap());
    let backup = dir.join("backup.sqlite");
    let backup_arg = backup.to_str().unwrap();
    let said = succeeds(&agio().args(["backup", "--database-url", &source, "--out", backup_arg]).output().unwrap());
    assert!(said.contains("backed up") && backup.is_file(), "{said}");
    let again = fails(&agio().args(["backup", "--database-url", &source, "--out", backup_arg]).output().unwrap());
    assert!(again.contains("exists already"), "{again}");

    let original = Store::connect_existing(&source).await.unwrap();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let target = fresh_url(backend, Seed::Nothing).await;
        let said =
            succeeds(&agio().args(["restore", "--database-url", &target, "--from", backup_arg]).output().unwrap());
        assert!(said.contains("restored") && said.contains("rows"), "{said}");
        let restored = Store::connect_existing(&target).await.unwrap();
        same_rows(&original, &restored).await;
        restored.close().await;
        let twice = fails(&agio().args(["restore", "--database-url", &target, "--from", backup_arg]).output().unwrap());
        assert!(twice.contains("not empty"), "{twice}");
    }
    let postgres = fresh_url(Backend::Postgres, Seed::Nothing).await;
    let out = dir.join("pg.sqlite");
    let refused =
        fails(&agio().args(["backup", "--database-url", &postgres, "--out", out.to_str().unwrap()]).output().unwrap());
    assert!(refused.contains("scripts/pg-backup") && !out.exists(), "{refused}");
    let missing = fails(
        &agio().args(["restore", "--database-url", &postgres, "--from", "/nonexistent.sqlite"]).output().unwrap(),
    );
    assert!(missing.contains("no backup file"), "{missing}");
}

// scripts/pg-backup and scripts/pg-restore: a demo PostgreSQL instance into an empty database,
// every table the same; never into a database that has tables.
#[tokio::test]
async fn a_postgres_backup_restores_with_the_scripts() {
    let dir = temp_dir("pg-backup");
    let scripts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts");
    let source = fresh_url(Backend::Postgres, Seed::Nothing).await;
    succeeds(&agio().args(["seed", "--demo", "--database-url", &source]).output().unwrap());
    let dump = dir.join("agio.dump");
    let run = |script: &str, url: &str| Command::new(scripts.join(script)).arg(url).arg(&dump).output().unwrap();
    succeeds(&run("pg-backup", &source));
    assert!(fails(&run("pg-backup", &source)).contains("exists already"));
    let target = fresh_url(Backend::Postgres, Seed::Nothing).await;
    succeeds(&run("pg-restore", &target));
    let (original, restored) =
        (Store::connect_existing(&source).await.unwrap(), Store::connect_existing(&target).await.unwrap());
    same_rows(&original, &restored).await;
    assert!(fails(&run("pg-restore", &target)).contains("not empty"));
}

// deploy/agio.service passes systemd's own verifier with this build as its program, and the
// verifier does catch a broken unit.
#[test]
fn the_systemd_unit_passes_systemd_analyze_verify() {
    let unit = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../deploy/agio.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/agio serve\n"), "the documented path");
    let dir = temp_dir("systemd");
    let verify = |text: &str| {
        std::fs::write(dir.join("agio.service"), text).unwrap();
        Command::new("systemd-analyze").arg("verify").arg(dir.join("agio.service")).output().expect("systemd-analyze")
    };
    let ours = unit.replace("/usr/local/bin/agio", env!("CARGO_BIN_EXE_agio"));
    let out = verify(&ours);
    assert!(out.status.success() && out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let broken = verify(&ours.replace("Type=exec", "Type=exec\nExecStart=/nonexistent/agio serve"));
    assert!(!broken.status.success(), "a second ExecStart to a missing program is refused");
}

// Killed (SIGKILL) while writing a large import, on either database: after it, the import is
// wholly absent or wholly there, never in part; SQLite's file passes its integrity check; and
// the same import then runs to the end.
#[tokio::test]
async fn an_import_killed_midway_leaves_all_or_nothing() {
    const SERVICES: usize = 6_000;
    let dir = temp_dir("killed-import");
    let file = dir.join("services.json");
    succeeds(
        &agio()
            .current_dir(&dir)
            .args(["bench", "gen", "--services", &SERVICES.to_string(), "--out", file.to_str().unwrap()])
            .output()
            .unwrap(),
    );
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let url = fresh_url(backend, Seed::Nothing).await;
        let import = || {
            let mut command = agio();
            command.args(["hsds", "import", file.to_str().unwrap(), "--database-url", &url]);
            command
        };
        let mut child = import().stderr(Stdio::piped()).stdout(Stdio::null()).spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        // The first tenth written, inside the import's transaction: kill it there.
        let midway = lines.by_ref().map_while(Result::ok).find(|l| l.ends_with(&format!("/{SERVICES} services")));
        assert!(midway.is_some(), "{backend:?}: the import shows its progress");
        child.kill().unwrap();
        child.wait().unwrap();

        let store = Store::connect_existing(&url).await.unwrap();
        let stored = store.directory_service_count().await.unwrap();
        assert!(
            stored == 0 || stored == SERVICES as i64,
            "{backend:?}: {stored} of {SERVICES} services after the kill"
        );
        println!("{backend:?}: {stored} services after the kill ({})", midway.unwrap());
        store.close().await;
        if backend == Backend::Sqlite {
            let path = url.trim_start_matches("sqlite://");
            let check = Command::new("python3")
                .args(["-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])", path])
                .output()
                .unwrap();
            assert_eq!(
                String::from_utf8_lossy(&check.stdout).trim(),
                "ok",
                "{}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
        succeeds(&import().output().unwrap());
        let store = Store::connect_existing(&url).await.unwrap();
        assert_eq!(
            store.directory_service_count().await.unwrap(),
            SERVICES as i64,
            "{backend:?}: imported again, whole"
        );
        store.close().await;
    }
}

/// A running `agio serve`: the test stops it with SIGTERM; a failed assertion does not leave it
/// running.
struct Server(std::process::Child);

impl Server {
    /// Starts `command` (an `agio serve`) and gives its log, line by line.
    fn start(command: &mut Command) -> (Server, std::io::Lines<BufReader<std::process::ChildStderr>>) {
        let mut child = command.stderr(Stdio::piped()).spawn().unwrap();
        let lines = BufReader::new(child.stderr.take().unwrap()).lines();
        (Server(child), lines)
    }

    /// Sends SIGTERM and waits for the process to end.
    fn terminate(&mut self) -> std::process::ExitStatus {
        let sent = Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status().unwrap();
        assert!(sent.success());
        self.0.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Once waited for, `kill` signals nothing: the process ID may belong to another by then.
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `agio serve --demo` on `database_url`, checks it answers and logs JSON, stops it with SIGTERM.
fn serve_and_stop(dir: &std::path::Path, database_url: Option<&str>) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = agio();
    // At debug, a line as each request is answered, inside its span.
    command.current_dir(dir).env("AGIO_LOG_FORMAT", "json").env("AGIO_LOG", "info,agio_web::kit::observe=debug");
    if let Some(url) = database_url {
        command.env("AGIO_DATABASE_URL", url);
    }
    let (mut server, mut lines) =
        Server::start(command.args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")]));
    let started = Instant::now();
    let serving = loop {
        let line = lines.next().expect("the server logs before it serves").unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
        if json["fields"]["message"] == "AGIO is serving" {
            break json;
        }
        assert!(started.elapsed() < Duration::from_secs(60));
    };
    assert_eq!(serving["level"], "INFO");
    let response = std::net::TcpStream::connect(("127.0.0.1", port)).map(|mut s| {
        use std::io::{Read, Write};
        s.write_all(
            b"GET /api/v1/agendas?secret=1 HTTP/1.1\r\nHost: x\r\nX-Request-Id: cli-7\r\nConnection: close\r\n\r\n",
        )
        .unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).unwrap();
        body
    });
    let response = response.unwrap();
    assert!(response.contains("agenda-digitale-sociale-bassa-reggiana-2025-2027"));
    assert!(response.to_ascii_lowercase().contains("x-request-id: cli-7"), "{response}");
    let exit = server.terminate();
    assert!(exit.success(), "graceful shutdown exits 0, got {exit:?}");
    let rest: Vec<serde_json::Value> = lines.map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    // Every line logged while the request was served names it, and not its query string.
    let of_request: Vec<_> = rest.iter().filter(|l| l["span"]["name"] == "request").collect();
    assert!(
        of_request.iter().any(|l| l["fields"]["message"] == "answered" && l["fields"]["status"] == 200),
        "{rest:?}"
    );
    for line in of_request {
        assert_eq!((&line["span"]["id"], &line["span"]["path"]), (&"cli-7".into(), &"/api/v1/agendas".into()));
        assert!(!line.to_string().contains("secret=1"), "{line}");
    }
    assert!(rest.iter().any(|l| l["fields"]["message"] == "shutting down"));
}

/// On an empty folder with the default SQLite database.
#[test]
fn serve_on_sqlite_starts_logs_json_and_shuts_down_on_sigterm() {
    serve_and_stop(&temp_dir("serve"), None);
}

/// A SIGTERM sent the moment the server says it is serving stops it gracefully: the handler is in
/// place before that line, not left to a task the runtime has yet to poll (which lost the signal to
/// its default action, killing the process, under a loaded CI machine).
#[test]
fn a_sigterm_as_soon_as_it_serves_still_shuts_down_gracefully() {
    let dir = temp_dir("serve-term-early");
    for attempt in 0..5 {
        let (mut server, mut lines) = Server::start(agio().current_dir(&dir).env("AGIO_LOG_FORMAT", "json").args([
            "serve",
            "--listen",
            "127.0.0.1:0",
        ]));
        let serving = lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("AGIO is serving"));
        assert!(serving.is_some(), "attempt {attempt}: the server never said it was serving");
        let exit = server.terminate();
        assert!(exit.success(), "attempt {attempt}: graceful shutdown exits 0, got {exit:?}");
        assert!(lines.any(|l| l.unwrap().contains("shutting down")), "attempt {attempt}");
    }
}

#[tokio::test]
async fn serve_on_postgres_starts_logs_json_and_shuts_down_on_sigterm() {
    let url = fresh_url(Backend::Postgres, Seed::Nothing).await;
    tokio::task::spawn_blocking(move || serve_and_stop(&temp_dir("serve-pg"), Some(&url))).await.unwrap();
}

#[tokio::test]
async fn check_reports_a_reachable_postgres_database() {
    let url = fresh_url(Backend::Postgres, Seed::Nothing).await;
    let out = agio().args(["check", "--database-url", &url]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("database reachable: ok"));
}

/// Runs `agio user create …` with `password` on standard input.
fn user_create(url: &str, args: &[&str], password: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = agio()
        .args(["user", "create", "--database-url", url])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused before it reads the password may already have exited: a broken pipe
    // here is its answer, not the test's failure (the exit status and stderr are checked).
    let _ = child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes());
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn user_create_makes_the_first_administrator_on_both_backends() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let url = fresh_url(backend, Seed::Demo).await;
        let out = user_create(
            &url,
            &["--email", "Direzione@Regione.Example", "--role", "admin"],
            "tramonto sul Po a Guastalla",
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "created direzione@regione.example (admin)");
        let store = Store::connect_existing(&url).await.unwrap();
        let (person, hash) = store.person_by_email("direzione@regione.example").await.unwrap().unwrap();
        assert!(agio_domain::credentials::verify_password("tramonto sul Po a Guastalla", &hash.unwrap()));
        let grants = store.grants(&person.id).await.unwrap();
        assert_eq!(grants[0].role, agio_domain::Role::Admin);
        let history = store.history("person", &person.id).await.unwrap();
        assert!(history.iter().all(|e| e.channel == agio_domain::Channel::Cli) && history.len() == 2, "{history:?}");

        // Refusals are one clear line, and change nothing.
        for (args, password, message) in [
            (
                vec!["--email", "direzione@regione.example", "--role", "admin"],
                "tramonto sul Po a Guastalla",
                "already has an account",
            ),
            (vec!["--email", "x@regione.example", "--role", "admin"], "password2026!", "password refused"),
            (
                vec!["--email", "y@regione.example", "--role", "referent"],
                "tramonto sul Po a Guastalla",
                "needs --organization",
            ),
            (
                vec!["--email", "z@regione.example", "--role", "coordinator", "--agenda", "nope"],
                "tramonto sul Po a Guastalla",
                "no agenda 'nope'",
            ),
            (vec!["--email", "w@regione.example", "--role", "chief"], "tramonto sul Po a Guastalla", "chief"),
        ] {
            let out = user_create(&url, &args, password);
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success() && err.contains(message), "{args:?}: {err}");
        }
        assert!(store.person_by_email("x@regione.example").await.unwrap().is_none());
        let out = user_create(
            &url,
            &[
                "--email",
                "ufficio.piano@comune.example",
                "--role",
                "coordinator",
                "--territory",
                "re-guastalla",
                "--name",
                "Ufficio di Piano",
            ],
            "",
        );
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("without a password"));
        store.close().await;
    }
}

/// `agio hsds check`: a file of HSDS services against the published schemas and AGIO's checks.
#[test]
fn hsds_check_locates_every_problem() {
    let dir = temp_dir("hsds");
    let example =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/hsds/3.0/examples/service_full.json"))
            .unwrap();
    let service: serde_json::Value = serde_json::from_str(&example).unwrap();
    let mut broken = service.clone();
    broken["id"] = "0b5c6d3e-7f80-4a91-b2c3-d4e5f6a7b8c9".into();
    broken["status"] = "sometimes".into();
    broken["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] = serde_json::json!(42100);
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let check = |path: &std::path::Path| agio().args(["hsds", "check"]).arg(path).output().unwrap();

    let good = check(&write("good.json", serde_json::json!([service.clone()]).to_string()));
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(String::from_utf8_lossy(&good.stdout).contains("1 services, all valid HSDS 3.0"));

    let bad =
        check(&write("bad.json", serde_json::json!({ "contents": [service.clone(), broken, service] }).to_string()));
    assert!(!bad.status.success());
    let out = String::from_utf8_lossy(&bad.stdout);
    assert!(out.contains("bad.json, row 2, /status: \"sometimes\" is not one of"), "{out}");
    assert!(out.contains("bad.json, row 2, /service_at_locations/0/location/addresses/0/postal_code: 42100 is not of type \"string\""), "{out}");
    assert!(
        out.contains("bad.json, row 3, /id: the id ac148810-d857-441c-9679-408f346de14b is used by an earlier service"),
        "{out}"
    );
    assert!(!out.contains("row 1,"), "the first service is valid: {out}");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("3 problems: nothing would be imported"));

    let broken_json = check(&write("broken.json", "[{\"id\": \n".to_string()));
    assert!(!broken_json.status.success());
    assert!(
        String::from_utf8_lossy(&broken_json.stdout).contains("broken.json, row 2: not JSON (line 2"),
        "{}",
        String::from_utf8_lossy(&broken_json.stdout)
    );
    let latin1 = dir.join("latin1.json");
    std::fs::write(&latin1, b"[{\"name\": \"Citt\xe0\"}]").unwrap();
    let out = check(&latin1);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("latin1.json: not UTF-8 text: invalid byte at offset"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Export, import and export again, through JSON and through a tabular package: the same
/// services come back; a second import changes nothing; a bad file writes nothing.
#[test]
fn hsds_import_and_export_round_trip_all_or_nothing() {
    let dir = temp_dir("hsds-round-trip");
    let db = |name: &str| format!("sqlite://{}", dir.join(name).display());
    let run = |url: &str, args: &[&str]| {
        let out = agio().env("AGIO_DATABASE_URL", url).args(args).output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.success(), text)
    };
    let path = |name: &str| dir.join(name).display().to_string();
    assert!(run(&db("demo.sqlite"), &["seed", "--demo"]).0);
    let (ok, text) = run(&db("demo.sqlite"), &["hsds", "export", "--out", &path("demo.json")]);
    assert!(ok && text.contains("173 services written"), "{text}");

    let (ok, text) = run(&db("b.sqlite"), &["hsds", "import", &path("demo.json")]);
    assert!(ok && text.contains("173 services: 173 created, 0 updated, 0 unchanged"), "{text}");
    let (ok, text) = run(&db("b.sqlite"), &["hsds", "import", &path("demo.json")]);
    assert!(ok && !text.contains("173 created") && text.contains("0 created, 0 updated, 173 unchanged"), "{text}");
    // What can be read only once (a pipe) is imported as it comes, without counting it first.
    let mut importing = agio()
        .env("AGIO_DATABASE_URL", db("piped.sqlite"))
        .args(["hsds", "import", "/dev/stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = importing.stdin.take().unwrap();
    let json = std::fs::read(dir.join("demo.json")).unwrap();
    let feeding = std::thread::spawn(move || std::io::Write::write_all(&mut pipe, &json));
    let piped = importing.wait_with_output().unwrap();
    feeding.join().unwrap().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&piped.stdout), String::from_utf8_lossy(&piped.stderr));
    assert!(piped.status.success() && text.contains("as they come") && text.contains("173 created"), "{text}");
    let (ok, text) = run(&db("b.sqlite"), &["hsds", "export", "--format", "csv", "--out", &path("package")]);
    assert!(ok, "{text}");
    assert!(dir.join("package/datapackage.json").exists() && dir.join("package/services.csv").exists());
    let (ok, text) = run(&db("c.sqlite"), &["hsds", "import", &path("package")]);
    assert!(ok && text.contains("173 created"), "{text}");
    let (ok, _) = run(&db("c.sqlite"), &["hsds", "export", "--out", &path("again.json")]);
    assert!(ok);
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let (again, demo) = (read("again.json"), read("demo.json"));
    assert_eq!(again.as_array().unwrap().len(), 173);
    for (a, d) in again.as_array().unwrap().iter().zip(demo.as_array().unwrap()) {
        let differs: Vec<&String> = d.as_object().unwrap().keys().filter(|k| a.get(*k) != d.get(*k)).collect();
        assert!(differs.is_empty() && a == d, "{} differs after CSV in {differs:?}", d["name"]);
    }

    // One bad service in a file: nothing is written, every problem is listed with its row.
    let mut services = read("demo.json");
    services[5]["service_at_locations"][0]["schedules"][0]["byday"] = "LU,MA".into();
    services[7]["organization"]["id"] = "nope".into();
    std::fs::write(dir.join("bad.json"), services.to_string()).unwrap();
    let (ok, text) = run(&db("d.sqlite"), &["hsds", "import", &path("bad.json")]);
    assert!(!ok);
    assert!(text.contains("bad.json, row 6, /service_at_locations/0/schedules/0/byday: 'LU' is not a day"), "{text}");
    assert!(text.contains("bad.json, row 8, /organization/id"), "{text}");
    assert!(text.contains("nothing was imported"), "{text}");
    let (_, text) = run(&db("d.sqlite"), &["hsds", "export"]);
    assert_eq!(text.trim(), "[]", "nothing was written");
}

/// The monitoring spreadsheet at the command line, on both databases: the referent exports
/// their template as XLSX, fills a value in a workbook, sees what would change, and saves it;
/// a value of another organisation's indicator is refused naming its row, and nothing is saved.
#[tokio::test]
async fn monitoring_export_edit_import_round_trip_on_both_backends() {
    let dir = temp_dir("monitoring");
    let slug = "agenda-digitale-sociale-bassa-reggiana-2025-2027";
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let url = fresh_url(backend, Seed::Demo).await;
        let run = |args: &[&str]| {
            let out = agio().env("AGIO_DATABASE_URL", &url).args(args).output().unwrap();
            let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            (out.status.success(), text)
        };
        let file = |name: &str| dir.join(format!("{backend:?}-{name}")).display().to_string();
        let who = ["--agenda", slug, "--as", "referente@demo.agio.example"];
        let (ok, text) = run(&[&["monitoring", "export"][..], &who, &["--out", &file("valori.xlsx")]].concat());
        assert!(ok && text.contains("36 rows"), "{text}");
        // Filled in a workbook: A02's second indicator for the first quarter of 2027.
        let rows = agio_app::monitoring_sheet::read_xlsx(std::fs::read(file("valori.xlsx")).unwrap()).unwrap();
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.set_name("Valori").unwrap();
        for (c, name) in agio_app::monitoring_sheet::COLUMNS.iter().enumerate() {
            sheet.write_string(0, c as u16, *name).unwrap();
        }
        let target = rows.iter().position(|r| r.cells[6] == agio_app::monitoring_sheet::Cell::Text("2027-Q1".into()));
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.cells.iter().enumerate() {
                match cell {
                    agio_app::monitoring_sheet::Cell::Text(t) => sheet.write_string(r as u32 + 1, c as u16, t).unwrap(),
                    agio_app::monitoring_sheet::Cell::Number(n) => {
                        sheet.write_number(r as u32 + 1, c as u16, *n).unwrap()
                    }
                    agio_app::monitoring_sheet::Cell::Empty => continue,
                };
            }
            if Some(r) == target {
                sheet.write_number(r as u32 + 1, 7, 4.0).unwrap();
            }
        }
        std::fs::write(file("filled.xlsx"), book.save_to_buffer().unwrap()).unwrap();
        let (ok, text) = run(&[&["monitoring", "import"][..], &who, &[&file("filled.xlsx")]].concat());
        assert!(ok && text.contains("1 new values, 0 changed") && text.contains("--apply"), "{text}");
        let (ok, text) = run(&[&["monitoring", "import"][..], &who, &["--apply", &file("filled.xlsx")]].concat());
        assert!(ok && text.contains("saved 1 values"), "{text}");
        let (ok, text) = run(&[&["monitoring", "export"][..], &who, &["--out", &file("after.csv")]].concat());
        assert!(ok, "{text}");
        let after = std::fs::read_to_string(file("after.csv")).unwrap();
        assert!(after.lines().any(|l| l.contains(",2027-Q1,4,") && l.ends_with(",draft")), "{after}");
        // Another organisation's indicator: refused, by row and column.
        let mut csv_rows: Vec<Vec<String>> = csv::Reader::from_path(file("after.csv"))
            .unwrap()
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let store = Store::connect_existing(&url).await.unwrap();
        let a01 = store.action(slug, "A01").await.unwrap().unwrap();
        csv_rows[0][0] = a01.results[0].indicators[0].id.clone();
        csv_rows[0][7] = "8".into();
        let mut out = csv::Writer::from_path(file("foreign.csv")).unwrap();
        out.write_record(agio_app::monitoring_sheet::COLUMNS).unwrap();
        for row in &csv_rows {
            out.write_record(row).unwrap();
        }
        out.flush().unwrap();
        let (ok, text) = run(&[&["monitoring", "import"][..], &who, &["--apply", &file("foreign.csv")]].concat());
        assert!(!ok && text.contains("Valori, row 2, column A (id_indicatore): NotYours"), "{text}");
        assert!(text.contains("nothing was imported"), "{text}");
    }
}
