//! Self-registration: the link travels by real SMTP, the account exists only once it is
//! confirmed, the answer never says whether an address has an account, and anonymous requests
//! keep the pending registrations bounded. Both backends.

use crate::support::{csrf_of, form, set_cookie_value, SmtpSink, TestApp};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const PASSWORD: &str = "argine del Po al tramonto";

/// Registers as a visitor who opened the form; returns the answer.
async fn register(app: &TestApp, pairs: &[(&str, &str)]) -> crate::support::Reply {
    let page = app.get("/accedi/registrati").await;
    page.page_with(&["Registrati", "Nome visualizzato", "autocomplete=\"new-password\""]);
    let cookie = format!("agio_csrf={}", set_cookie_value(&page, "agio_csrf").unwrap());
    let mut all = vec![("csrf", csrf_of(&page.body))];
    all.extend(pairs.iter().map(|(k, v)| (*k, v.to_string())));
    let all: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post_form("/accedi/registrati", &cookie, form(&all)).await
}

fn link_in(text: &str) -> Option<String> {
    let at = text.find("/accedi/registrati/conferma?token=")?;
    Some(text[at..at + "/accedi/registrati/conferma?token=".len() + 64].to_string())
}

both_backends!(
    an_account_is_created_only_from_the_confirmed_link_and_nothing_tells_known_addresses,
    |backend| async move {
        let sink = SmtpSink::start();
        let app = TestApp::demo_with_smtp(backend, &sink).await;
        let old = app.get("/registrati").await;
        assert_eq!((old.status, old.header("location")), (StatusCode::PERMANENT_REDIRECT, "/accedi/registrati"));
        app.get("/accedi").await.page_with(&["href=\"/accedi/registrati\""]);
        // Bad input: every problem named, the password never sent back.
        let bad = register(&app, &[("name", ""), ("email", "non-un-indirizzo"), ("password", "password1")]).await;
        bad.answer_with(
            StatusCode::UNPROCESSABLE_ENTITY,
            &["href=\"#f-name\"", "href=\"#f-email\"", "href=\"#f-password\"", "href=\"#f-privacy\""],
        );
        assert!(!bad.body.contains("value=\"password1\""), "the password is not sent back");
        // A new address and a known one get the same answer.
        let fields = |email: &'static str| {
            [("name", "Lucia R."), ("email", email), ("password", PASSWORD), ("privacy", "accepted")]
        };
        let new = register(&app, &fields("lucia@example.org")).await;
        let known = register(&app, &fields("cittadino@demo.agio.example")).await;
        assert_eq!((new.status, new.header("location")), (StatusCode::SEE_OTHER, "/accedi/registrati/inviata"));
        assert_eq!((known.status, known.header("location")), (new.status, new.header("location")));
        app.get("/accedi/registrati/inviata").await.page_with(&["segui il link del messaggio entro 24 ore"]);
        let messages: Vec<String> =
            sink.messages().iter().map(|m| crate::password_reset::decode_quoted_printable(m)).collect();
        assert_eq!(messages.len(), 2);
        let to_new = messages.iter().find(|m| m.contains("To: lucia@example.org")).unwrap();
        let to_known = messages.iter().find(|m| m.contains("To: cittadino@demo.agio.example")).unwrap();
        assert!(link_in(to_known).is_none(), "a known address gets no confirmation link");
        assert!(to_known.contains("/accedi/recupero"), "but the way back to its account");
        let link = link_in(to_new).expect("a confirmation link");
        // Nothing exists until the link is confirmed; opening it creates nothing either.
        assert_eq!(app.try_sign_in("lucia@example.org", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
        let page = app.get(&link).await;
        page.page_with(&["Conferma la registrazione", "Lucia R.", "lucia@example.org"]);
        assert!(app.state.store.person_by_email("lucia@example.org").await.unwrap().is_none());
        let cookie = format!("agio_csrf={}", set_cookie_value(&page, "agio_csrf").unwrap());
        let confirmed = app.post_form(&link, &cookie, form(&[("csrf", &csrf_of(&page.body))])).await;
        assert_eq!((confirmed.status, confirmed.header("location")), (StatusCode::SEE_OTHER, "/accedi"));
        // A citizen who takes part: signs in and proposes an idea.
        let lucia = app.sign_in_with("lucia@example.org", PASSWORD).await;
        let rimini = "/agende/agenda-digitale-sociale-rimini-valmarecchia-2026-2028/percorso/idee/nuova";
        let idea = app
            .post_as(rimini, &lucia, &[("title", "Wi-fi in biblioteca"), ("body", "Anche la sera."), ("version", "0")])
            .await;
        assert_eq!(idea.status, StatusCode::SEE_OTHER, "{}", idea.body);
        // The link works once; an unknown one never.
        let again = app.post_form(&link, &cookie, form(&[("csrf", &csrf_of(&page.body))])).await;
        again.answer_with(StatusCode::GONE, &["Il link è scaduto o è già stato usato"]);
        assert_eq!(app.get("/accedi/registrati/conferma?token=zzz").await.status, StatusCode::GONE);
    }
);

both_backends!(anonymous_registrations_keep_their_table_bounded, |backend| async move {
    let app = TestApp::demo(backend).await;
    let store = &app.state.store;
    let bound = agio_store::PENDING_REGISTRATIONS_AT_MOST;
    for n in 0..bound + 50 {
        let pending = agio_store::PendingRegistration {
            email: format!("p{n}@example.org"),
            name: format!("P{n}"),
            password_hash: "x".into(),
        };
        store.create_registration(&format!("hash-{n:06}"), &pending, "2030-01-01T00:00:00Z").await.unwrap();
    }
    assert!(store.pending_registrations().await.unwrap() <= bound, "no more than {bound} wait");
    // The newest is kept; a second registration of an address replaces its first.
    assert!(store.registration(&format!("hash-{:06}", bound + 49)).await.unwrap().is_some());
    let again =
        agio_store::PendingRegistration { email: "p0@example.org".into(), name: "P".into(), password_hash: "x".into() };
    let before = store.pending_registrations().await.unwrap();
    store.create_registration("hash-again", &again, "2030-01-01T00:00:00Z").await.unwrap();
    store.create_registration("hash-again-2", &again, "2030-01-01T00:00:00Z").await.unwrap();
    assert!(store.pending_registrations().await.unwrap() <= before + 1);
    assert!(store.registration("hash-again").await.unwrap().is_none(), "replaced by the newer");
});
