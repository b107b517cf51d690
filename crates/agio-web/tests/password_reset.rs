//! Password reset by emailed link: through a real SMTP server and through the outbox; single
//! use, 30-minute expiry, no enumeration. Both backends.

use crate::support::{csrf_of, form, set_cookie_value, SmtpSink, SmtpTls, TestApp, DEMO_PASSWORD};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const REFERENT: &str = "referente@demo.agio.example";
const NEW_PASSWORD: &str = "argine del Po al tramonto";

/// Asks for a reset link as a visitor who opened the request page.
async fn ask_reset(app: &TestApp, email: &str) -> crate::support::Reply {
    let page = app.get("/accedi/recupero").await;
    page.page_with(&["Recupera la password", "autocomplete=\"username\""]);
    let cookie = format!("agio_csrf={}", set_cookie_value(&page, "agio_csrf").unwrap());
    let answer =
        app.post_form("/accedi/recupero", &cookie, form(&[("csrf", &csrf_of(&page.body)), ("email", email)])).await;
    assert_eq!((answer.status, answer.header("location")), (StatusCode::SEE_OTHER, "/accedi/recupero/inviato"));
    app.get("/accedi/recupero/inviato").await
}

/// Opens a reset link and posts a new password (twice, as confirmation unless given).
async fn use_link(app: &TestApp, link_path: &str, password: &str, confirm: &str) -> crate::support::Reply {
    let page = app.get(link_path).await;
    let Some(token) = set_cookie_value(&page, "agio_csrf") else { return page };
    let body = form(&[("csrf", &csrf_of(&page.body)), ("password", password), ("confirm", confirm)]);
    app.post_form(link_path, &format!("agio_csrf={token}"), body).await
}

/// Undoes quoted-printable (what SMTP carries for Italian text): soft line breaks and `=XX`.
pub(crate) fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn link_in(text: &str) -> String {
    let at = text.find("/accedi/nuova-password?token=").expect("a reset link");
    text[at..at + "/accedi/nuova-password?token=".len() + 64].to_string()
}

both_backends!(a_reset_link_travels_by_real_smtp_and_works_once, |backend| async move {
    let sink = SmtpSink::start();
    let app = TestApp::demo_with_smtp(backend, &sink).await;
    let old_session = app.sign_in(REFERENT).await;

    let known = ask_reset(&app, REFERENT).await;
    let unknown = ask_reset(&app, "nessuno@demo.agio.example").await;
    known.page_with(&["riceverai a breve un&#39;email"]);
    assert_eq!(known.body, unknown.body, "the same answer whether or not the account exists");
    // A second link for the same person, made before the first is used, dies with it.
    ask_reset(&app, REFERENT).await;
    let messages = sink.messages();
    assert_eq!(messages.len(), 2, "messages for the known account only");
    let message = &decode_quoted_printable(&messages[0]);
    let other_link = link_in(&decode_quoted_printable(&messages[1]));
    assert!(
        message.contains("To: referente@demo.agio.example")
            && message.contains("Subject: AGIO: scegli una nuova password"),
        "{message}"
    );
    assert!(message.contains("https://agio.example.org/accedi/nuova-password?token="), "links use the public base URL");
    let link = link_in(message);
    // The language switch of the link's page comes back to the link, token included.
    let page = app.get(&link).await;
    assert!(
        page.body.contains(&format!("next={}", agio_web::kit::query::encode(&link))),
        "the language switch keeps the token: {}",
        page.body.lines().find(|l| l.contains("agio-lang")).unwrap_or("")
    );

    assert!(app.state.store.outbox(10).await.unwrap().is_empty(), "with SMTP nothing goes to the outbox");

    // The policy applies, and the two passwords must match.
    let weak = use_link(&app, &link, "password2026!", "password2026!").await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("troppo comune"), "{}", weak.body);
    let mismatch = use_link(&app, &link, NEW_PASSWORD, "altro").await;
    assert!(mismatch.body.contains("le due password non coincidono"));
    let done = use_link(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await;
    done.page_with(&["Password aggiornata"]);
    // Used once: the link is dead, the old sessions are closed, the new password works.
    let dead = use_link(&app, &link, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(dead.status, StatusCode::GONE);
    assert_eq!(app.get(&other_link).await.status, StatusCode::GONE, "every outstanding link dies with the change");
    assert!(dead.body.contains("Link non valido"));
    let after = app.get_as("/area-personale", &old_session).await;
    assert_eq!(after.status, StatusCode::SEE_OTHER);
    assert_eq!(app.try_sign_in(REFERENT, NEW_PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.try_sign_in(REFERENT, DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    let (person, _) = app.state.store.person_by_email(REFERENT).await.unwrap().unwrap();
    let history = app.state.store.history("person", &person.id).await.unwrap();
    assert_eq!(history[0].operation, "set_password");
    assert!(history[0].after_json.is_none(), "the audit never holds a password hash");
});

both_backends!(without_smtp_the_outbox_holds_the_link_and_links_expire, |backend| async move {
    let app = TestApp::demo(backend).await;
    ask_reset(&app, REFERENT).await.page_with(&["riceverai a breve"]);
    let admin = app.sign_in("regione@demo.agio.example").await;
    let outbox = app.get_as("/amministrazione/posta", &admin).await;
    outbox.page_with(&["Posta in uscita", REFERENT, "AGIO: scegli una nuova password"]);
    let link = link_in(&outbox.body);
    assert!(outbox.body.contains("<pre class=\"agio-pre\" lang=\"it\">"), "each message says its language");
    // A reset asked in English is written in English, and marked so on the Italian page.
    let page = app.get("/accedi/recupero").await;
    let cookie = format!("agio_csrf={}; lang=en", set_cookie_value(&page, "agio_csrf").unwrap());
    let body = form(&[("csrf", &csrf_of(&page.body)), ("email", "coordinatore@demo.agio.example")]);
    assert_eq!(app.post_form("/accedi/recupero", &cookie, body).await.status, StatusCode::SEE_OTHER);
    let outbox = app.get_as("/amministrazione/posta", &admin).await;
    assert!(outbox.body.contains("<html lang=\"it\""));
    assert!(outbox.body.contains("<h2 class=\"h6\" lang=\"en\">AGIO: "), "{}", outbox.body);
    // Only administrators read the outbox.
    let referent = app.sign_in(REFERENT).await;
    assert_eq!(app.get_as("/amministrazione/posta", &referent).await.status, StatusCode::FORBIDDEN);
    // After 30 minutes the link is dead.
    app.state.store.execute_raw("UPDATE password_resets SET expires_at = '2020-01-01T00:00:00Z'").await.unwrap();
    for dead in
        [link.clone(), format!("/accedi/nuova-password?token={}", "0".repeat(64)), "/accedi/nuova-password".into()]
    {
        let r = app.get(&dead).await;
        assert_eq!(r.status, StatusCode::GONE, "{dead}");
        assert!(r.body.contains("Link non valido") && r.body.contains("scaduto"), "{dead}");
    }
});

// Over TLS, to a relay whose certificate a private authority signed: STARTTLS and SMTPS both
// deliver once that authority is trusted (AGIO_SMTP_CA_FILE), and nothing goes out otherwise:
// not to an unknown certificate, not in clear to a relay that requires TLS.
#[tokio::test]
async fn mail_goes_out_over_tls_only_to_a_trusted_relay() {
    let store = agio_testkit::fresh_store(agio_store::Backend::Sqlite, agio_testkit::Seed::Demo).await;
    let send = |url: String, ca: Option<std::path::PathBuf>| {
        let store = store.clone();
        async move {
            let ca = ca.map(|p| p.display().to_string());
            let mailer = agio_web::kit::mail::Mailer::new(Some(&url), "AGIO <agio@localhost>", ca.as_deref()).unwrap();
            mailer
                .send(
                    &store,
                    agio_web::kit::i18n::Lang::It,
                    "ufficio@comune.example",
                    "Prova",
                    "Messaggio cifrato in transito.",
                )
                .await;
        }
    };
    for (tls, url) in
        [(SmtpTls::StartTls, "smtp://127.0.0.1:{port}?tls=required"), (SmtpTls::Implicit, "smtps://127.0.0.1:{port}")]
    {
        let sink = SmtpSink::start_with(tls);
        let url = url.replace("{port}", &sink.port.to_string());
        send(url.clone(), None).await;
        assert!(sink.messages().is_empty(), "{tls:?}: a certificate no trusted authority signed is refused");
        if tls == SmtpTls::StartTls {
            send(url.replace("?tls=required", ""), sink.ca_file.clone()).await;
            assert!(sink.messages().is_empty(), "the relay requires TLS: nothing goes out in clear");
        }
        send(url, sink.ca_file.clone()).await;
        let messages = sink.messages();
        assert_eq!(messages.len(), 1, "{tls:?}");
        assert!(messages[0].contains("Subject: Prova") && messages[0].contains("To: ufficio@comune.example"));
    }
    assert!(store.outbox(10).await.unwrap().is_empty(), "with SMTP nothing goes to the outbox");
}
