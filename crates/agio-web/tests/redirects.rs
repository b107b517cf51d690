//! Open redirects: every redirect whose target comes from the request stays on this site, for
//! each payload of `corpus/open-redirect.txt`, as a browser would follow it. Both backends.

use crate::support::{form, Reply, TestApp, DEMO_PASSWORD};
use agio_testkit::both_backends;
use axum::http::StatusCode;

const REFERENT: &str = "referente@demo.agio.example";
const SITE: &str = "http://127.0.0.1:8080/accedi";

/// The payloads, with the few characters a request line cannot carry raw percent-encoded
/// (the server reads `\\` and `%5C` alike).
fn payloads() -> Vec<String> {
    include_str!("corpus/open-redirect.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.replace('\\', "%5C").replace('<', "%3C").replace('>', "%3E"))
        .collect()
}

/// Where a browser goes with this `Location`: it drops tabs and line breaks, then resolves it.
fn stays_on_site(what: &str, reply: &Reply) {
    assert!(reply.status.is_redirection(), "{what}: {} {}", reply.status, reply.body);
    let location = reply.header("location");
    let as_a_browser_reads_it: String = location.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let base = url::Url::parse(SITE).unwrap();
    let target = base.join(&as_a_browser_reads_it).unwrap_or_else(|e| panic!("{what}: {location:?}: {e}"));
    assert_eq!(target.origin(), base.origin(), "{what}: Location {location:?} leaves the site");
    assert!(location.starts_with('/') && !location.starts_with("//"), "{what}: {location:?}");
}

both_backends!(no_payload_of_the_corpus_leads_off_site, |backend| async move {
    let payloads = payloads();
    assert!(payloads.len() >= 30, "the corpus has {} payloads", payloads.len());
    let app = TestApp::demo(backend).await;
    let session = app.sign_in(REFERENT).await;
    for payload in payloads {
        // Already signed in: the sign-in page sends the visitor on at once.
        let reply = app.get_as(&format!("/accedi?next={payload}"), &session).await;
        stays_on_site(&format!("signed in, /accedi?next={payload}"), &reply);
        // Signing in with the right password.
        let page = app.get(&format!("/accedi?next={payload}")).await;
        assert!(page.status == StatusCode::OK, "{payload}: {}", page.status);
        let token = crate::support::set_cookie_value(&page, "agio_csrf").unwrap();
        let body =
            form(&[("csrf", &crate::support::csrf_of(&page.body)), ("email", REFERENT), ("password", DEMO_PASSWORD)]);
        let reply = app.post_form(&format!("/accedi?next={payload}"), &format!("agio_csrf={token}"), body).await;
        stays_on_site(&format!("sign-in, next={payload}"), &reply);
        // The language switch.
        let reply = app.get(&format!("/lingua/en?next={payload}")).await;
        stays_on_site(&format!("/lingua/en?next={payload}"), &reply);
    }
});

both_backends!(local_paths_are_followed, |backend| async move {
    let app = TestApp::demo(backend).await;
    let session = app.sign_in(REFERENT).await;
    let reply = app.get_as("/accedi?next=/agende%3Fstato%3Dapprovata", &session).await;
    assert_eq!((reply.status, reply.header("location")), (StatusCode::SEE_OTHER, "/agende?stato=approvata"));
    let reply = app.get("/lingua/en?next=/servizi%3Fq%3Dcitt%C3%A0").await;
    assert_eq!(reply.header("location"), "/servizi?q=citt%C3%A0");
});
