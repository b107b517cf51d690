//! Signing in and out: cookies, session renewal, the form token, failed attempts. Both backends.

use crate::support::{csrf_of, form, set_cookie_value, TestApp, DEMO_PASSWORD};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const REFERENT: &str = "referente@demo.agio.example";

both_backends!(signing_in_renews_the_session_and_sets_safe_cookies, |backend| async move {
    let app = TestApp::demo(backend).await;
    let page = app.get("/accedi").await;
    page.page_with(&["<h1>Accedi</h1>", "autocomplete=\"current-password\"", "type=\"password\""]);
    let form_cookie = page.header("set-cookie");
    assert!(
        form_cookie.contains("HttpOnly")
            && form_cookie.contains("SameSite=Lax")
            && form_cookie.contains("Path=/accedi"),
        "{form_cookie}"
    );

    let first = app.try_sign_in(REFERENT, DEMO_PASSWORD).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(first.header("location"), "/area-personale");
    let cookie = first.header("set-cookie");
    assert!(
        cookie.starts_with("agio_session=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "the base URL is http: no Secure flag");
    let second = app.try_sign_in(REFERENT, DEMO_PASSWORD).await;
    assert_ne!(
        set_cookie_value(&first, "agio_session"),
        set_cookie_value(&second, "agio_session"),
        "a new session id at every sign-in"
    );

    let session = app.sign_in(REFERENT).await;
    app.get_as("/area-personale", &session).await.page_with(&[
        "Rita Referente (demo)",
        REFERENT,
        "Referente di soggetto — <a href=\"/soggetti/aps-ponti-tra-culture\">Ponti tra Culture APS</a>",
        "Esci",
        "<div><dt>Email</dt><dd>",
    ]);
    // Every page names who is signed in, with "Esci", in its header; cached pages too.
    for path in ["/", "/servizi", "/agende", "/area-personale"] {
        let page = app.get_as(path, &session).await;
        assert!(
            page.body.contains(&format!(
                "<a class=\"agio-account\" href=\"/area-personale\">Rita Referente (demo)</a><form class=\"agio-sign-out\" method=\"post\" action=\"/esci\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
                session.csrf
            )),
            "{path}"
        );
    }
    assert!(!app.get("/").await.body.contains("Rita Referente"), "not in the page others are served");
    let data = app.get_as("/area-personale/dati.json", &session).await;
    assert_eq!(data.json()["person"]["email"], REFERENT);
    assert!(!data.body.contains("argon2"), "the password hash is never handed out");

    // Signing out ends the session on the server: the old cookie is worth nothing.
    let out = app.post_as("/esci", &session, &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.header("set-cookie").contains("Max-Age=0"));
    let after = app.get_as("/area-personale", &session).await;
    assert_eq!((after.status, after.header("location")), (StatusCode::SEE_OTHER, "/accedi?next=%2Farea-personale"));
});

both_backends!(cookies_are_secure_behind_https, |backend| async move {
    let store = agio_testkit::fresh_store(backend, agio_testkit::Seed::Demo).await;
    let state = agio_web::AppState::new(store, "https://agio.regione.emilia-romagna.it").await.unwrap();
    let app = TestApp::of(state);
    let reply = app.try_sign_in(REFERENT, DEMO_PASSWORD).await;
    assert!(reply.header("set-cookie").ends_with("; Secure"), "{}", reply.header("set-cookie"));
});

both_backends!(forms_without_their_token_are_refused, |backend| async move {
    let app = TestApp::demo(backend).await;
    // Sign-in without the form cookie, or with a token that does not match it.
    let no_cookie = app.post_form("/accedi", "", form(&[("email", REFERENT), ("password", DEMO_PASSWORD)])).await;
    assert_eq!(no_cookie.status, StatusCode::FORBIDDEN);
    assert!(no_cookie.body.contains("Il modulo è scaduto"), "{}", no_cookie.body);
    let forged = app
        .post_form(
            "/accedi",
            &format!("agio_csrf={}", "a".repeat(64)),
            form(&[("csrf", &"b".repeat(64)), ("email", REFERENT), ("password", DEMO_PASSWORD)]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    // Signed in: the session's token is required, another session's is not accepted.
    let session = app.sign_in(REFERENT).await;
    let other = app.sign_in("coordinatore@demo.agio.example").await;
    let out = app.post_form("/esci", &session.cookie, form(&[("csrf", &other.csrf)])).await;
    assert_eq!(out.status, StatusCode::FORBIDDEN);
    app.get_as("/area-personale", &session).await.page_with(&[REFERENT]);
});

/// A sign-in attempt from `address` (as the socket's peer), with its form token.
async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> crate::support::Reply {
    let page = app.get("/accedi").await;
    let cookie = format!("agio_csrf={}", set_cookie_value(&page, "agio_csrf").unwrap());
    let body = form(&[("csrf", &csrf_of(&page.body)), ("email", email), ("password", password)]);
    let mut request = axum::http::Request::post("/accedi")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookie)
        .body(axum::body::Body::from(body))
        .unwrap();
    let peer: std::net::IpAddr = address.parse().unwrap();
    request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((peer, 50000))));
    app.request(request).await
}

both_backends!(failed_sign_ins_slow_down_without_revealing_accounts, |backend| async move {
    let app = TestApp::demo(backend).await;
    let wrong = app.try_sign_in(REFERENT, "non è la password giusta").await;
    let unknown = app.try_sign_in("nessuno@demo.agio.example", "non è la password giusta").await;
    assert_eq!((wrong.status, unknown.status), (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED));
    for r in [&wrong, &unknown] {
        assert!(r.body.contains("Email o password non corrette."), "{}", r.body);
    }
    // Byte for byte the same page, but for the email typed and the form token.
    let neutral = |body: &str, email: &str| body.replace(email, "").replace(&csrf_of(body), "");
    assert_eq!(
        neutral(&wrong.body, REFERENT),
        neutral(&unknown.body, "nessuno@demo.agio.example"),
        "the same answer for both"
    );
    // From one address: its first attempt, then five on the account; the next must wait, even
    // with the right password, and so must an unknown account tried the same way.
    for account in [REFERENT, "sconosciuto@demo.agio.example"] {
        let address = if account == REFERENT { "198.51.100.1" } else { "198.51.100.2" };
        for n in 0..6 {
            let r = sign_in_from(&app, address, account, "ancora sbagliata!").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "attempt {n} on {account}");
        }
        let waiting = sign_in_from(&app, address, account, DEMO_PASSWORD).await;
        assert_eq!(waiting.status, StatusCode::TOO_MANY_REQUESTS, "{account}");
        assert!(waiting.body.contains("il prossimo è possibile tra 1 secondo"), "{}", waiting.body);
    }
    // Nobody is locked out: the owner, from an address that has not failed, signs in.
    let owner = sign_in_from(&app, "203.0.113.50", REFERENT, DEMO_PASSWORD).await;
    assert_eq!(owner.status, StatusCode::SEE_OTHER, "{}", owner.body);
    // Other accounts from elsewhere are not affected.
    let other = sign_in_from(&app, "203.0.113.51", "cittadino@demo.agio.example", DEMO_PASSWORD).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER);
});

// Attempts are counted before the password is checked, one by one: however many arrive at
// once, only those the rules allow are checked.
both_backends!(concurrent_sign_ins_are_counted_one_by_one, |backend| async move {
    let app = TestApp::demo(backend).await;
    let statuses = |replies: Vec<StatusCode>| {
        let checked = replies.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        let waiting = replies.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        assert_eq!(checked + waiting, replies.len(), "{replies:?}");
        checked
    };
    // 50 at once from one address, each on another account: the address's ten free attempts.
    let attempts = (0..50).map(|n| {
        let app = &app;
        async move { sign_in_from(app, "198.51.100.7", &format!("p{n}@demo.agio.example"), "sbagliata").await.status }
    });
    assert_eq!(statuses(futures_util::future::join_all(attempts).await), 10);
    // 19 at once on one account from a new address: its first attempt, then the account's five.
    let attempts = (0..19).map(|_| {
        let app = &app;
        async move { sign_in_from(app, "198.51.100.8", REFERENT, "sbagliata").await.status }
    });
    assert_eq!(statuses(futures_util::future::join_all(attempts).await), 6);
    // Meanwhile, the owner from elsewhere.
    assert_eq!(sign_in_from(&app, "198.51.100.9", REFERENT, DEMO_PASSWORD).await.status, StatusCode::SEE_OTHER);
});

both_backends!(the_privacy_page_says_what_is_kept, |backend| async move {
    let app = TestApp::demo(backend).await;
    app.get("/privacy").await.page_with(&[
        "Informativa sulla privacy",
        "nome, indirizzo email, organizzazione",
        "cookie tecnici",
    ]);
    app.get_en("/privacy").await.page_with(&["Privacy notice", "technical cookies only"]);
    // A visitor asking for the personal area is sent to sign in, and back afterwards.
    let r = app.get("/area-personale").await;
    assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, "/accedi?next=%2Farea-personale"));
    let page = app.get("/accedi?next=/agende").await;
    assert!(page.body.contains("action=\"/accedi?next=%2Fagende\""), "{}", page.body);
    let _ = csrf_of(&page.body);
});

both_backends!(a_person_can_close_their_account, |backend| async move {
    let app = TestApp::demo(backend).await;
    let citizen = app.sign_in("cittadino@demo.agio.example").await;
    let page = app.get_as("/area-personale", &citizen).await;
    page.page_with(&["Chiudi l&#39;account", "name=\"confirm_email\""]);
    let wrong = app.post_as("/area-personale/chiudi", &citizen, &[("confirm_email", "altro@demo.agio.example")]).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("l&#39;email non corrisponde"), "{}", wrong.body);
    let closed =
        app.post_as("/area-personale/chiudi", &citizen, &[("confirm_email", " Cittadino@demo.agio.example ")]).await;
    closed.page_with(&["Account chiuso"]);
    assert!(closed.header("set-cookie").contains("Max-Age=0"));
    // Gone: the session, the sign-in, the personal data; the audit keeps an anonymous trace.
    assert_eq!(app.get_as("/area-personale", &citizen).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.try_sign_in("cittadino@demo.agio.example", DEMO_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    assert!(app.state.store.person_by_email("cittadino@demo.agio.example").await.unwrap().is_none());
    let dump = app.state.store.search_audit(&agio_store::AuditFilter::default(), None, 100).await.unwrap();
    let last = &dump.items[0];
    assert_eq!((last.operation.as_str(), last.person_name.as_str()), ("close_account", ""));
    // A new account may later use the same email.
    let mut w = app.state.store.begin_write(&agio_store::Actor::cli()).await.unwrap();
    let again = agio_store::NewPerson {
        email: "cittadino@demo.agio.example".into(),
        name: "Di nuovo".into(),
        organization_name: String::new(),
        password_hash: None,
        is_demo: false,
    };
    w.create_person(&again).await.unwrap();
    w.commit().await.unwrap();
});

both_backends!(sessions_end_after_idling_or_at_their_absolute_limit, |backend| async move {
    let app = TestApp::demo(backend).await;
    let idle = app.sign_in(REFERENT).await;
    let long = app.sign_in("coordinatore@demo.agio.example").await;
    let store = &app.state.store;
    let (referent, _) = store.person_by_email(REFERENT).await.unwrap().unwrap();
    let (coordinator, _) = store.person_by_email("coordinatore@demo.agio.example").await.unwrap().unwrap();
    // Three hours without a request (the limit is two)…
    store
        .execute_raw(&format!(
            "UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z' WHERE person_id = '{}'",
            referent.id
        ))
        .await
        .unwrap();
    // …and, for the other, a session started long ago but used a minute ago (the limit is twelve hours).
    store
        .execute_raw(&format!(
            "UPDATE sessions SET created_at = '2000-01-01T00:00:00Z' WHERE person_id = '{}'",
            coordinator.id
        ))
        .await
        .unwrap();
    // The sessions this instance keeps in memory are read again after a second.
    app.state.clock.advance(time::Duration::seconds(2));
    for session in [&idle, &long] {
        let r = app.get_as("/area-personale", session).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "an expired session signs nobody in");
    }
    // A fresh session works, and is kept alive by use.
    let fresh = app.sign_in(REFERENT).await;
    app.get_as("/area-personale", &fresh).await.page_with(&[REFERENT]);
});

both_backends!(behind_a_trusted_proxy_each_client_has_its_own_limit, |backend| async move {
    let store = agio_testkit::fresh_store(backend, agio_testkit::Seed::Demo).await;
    let proxy: std::net::IpAddr = "10.0.0.5".parse().unwrap();
    let state = agio_web::AppState::with_services(
        store,
        "http://127.0.0.1:8080",
        agio_web::kit::mail::Mailer::Outbox,
        None,
        vec![proxy],
        Default::default(),
    )
    .await
    .unwrap();
    let app = TestApp::of(state);
    // A failed sign-in as it reaches AGIO through the proxy, for the client `forwarded`.
    // Each attempt for a different account, so that only the address limit can apply.
    let attempt = |forwarded: &'static str, n: usize| {
        let app = &app;
        async move {
            let page = app.get("/accedi").await;
            let cookie = format!("agio_csrf={}", set_cookie_value(&page, "agio_csrf").unwrap());
            let email = format!("persona{n}@demo.agio.example");
            let body = form(&[("csrf", &csrf_of(&page.body)), ("email", &email), ("password", "sbagliata")]);
            let mut request = axum::http::Request::post("/accedi")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .header("x-forwarded-for", forwarded)
                .body(axum::body::Body::from(body))
                .unwrap();
            request.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((proxy, 443))));
            app.request(request).await.status
        }
    };
    // An address has ten free attempts in a quarter of an hour: ten failures of 192.0.2.1 (a
    // spoofed first hop does not help: only the entry the proxy added counts)…
    for n in 0..10 {
        assert_eq!(attempt("203.0.113.9, 192.0.2.1", n).await, StatusCode::UNAUTHORIZED);
    }
    // …make that client wait, not the others behind the same proxy.
    assert_eq!(attempt("192.0.2.1", 11).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(attempt("192.0.2.2", 12).await, StatusCode::UNAUTHORIZED);
});

// What a shared computer's browser may keep: nothing of a signed-in person's pages or of an
// API answer to a token; public pages are unaffected. Over https, browsers are told to stay on it.
both_backends!(personal_answers_are_not_stored_and_https_is_strict, |backend| async move {
    let app = TestApp::demo(backend).await;
    let public = app.get(&format!("/agende/{}", crate::support::GUASTALLA)).await;
    assert_eq!(public.status, StatusCode::OK);
    assert_eq!(public.header("cache-control"), "");
    assert_eq!(public.header("strict-transport-security"), "", "plain http: no HSTS");
    let session = app.sign_in(REFERENT).await;
    for path in ["/area-personale".to_string(), format!("/agende/{}", crate::support::GUASTALLA)] {
        let reply = app.get_as(&path, &session).await;
        assert_eq!((reply.status, reply.header("cache-control")), (StatusCode::OK, "no-store"), "{path}");
    }
    let token = app.create_token(&session, "read").await;
    let me = app.api("GET", "/api/v1/me", &token, serde_json::Value::Null).await;
    assert_eq!((me.status, me.header("cache-control")), (StatusCode::OK, "no-store"));
    // The hashed assets keep their long cache even for a signed-in browser.
    let css = app.get_as(agio_web::kit::static_files::url("agio.css"), &session).await;
    assert!(css.header("cache-control").contains("immutable"), "{}", css.header("cache-control"));

    let store = agio_testkit::fresh_store(backend, agio_testkit::Seed::Demo).await;
    let state = agio_web::AppState::new(store, "https://agio.regione.emilia-romagna.it").await.unwrap();
    let secure = TestApp::of(state);
    assert!(secure.get("/").await.header("strict-transport-security").starts_with("max-age="));
});
