//! What a finished page shows of the person reading it, written in after it is rendered, so that
//! pages shared through the page cache stay shared and no handler has to pass these on:
//! - who is signed in, with "Esci", in the slim header (in place of the "Area personale" link
//!   between the `ACCOUNT` markers of `base.html`);
//! - the confirmation after a form is saved ("Modifiche salvate"). The form's answer (a 303)
//!   sets a short-lived cookie naming the notice; the next HTML page shows it at the top of
//!   `<main>` (the `NOTICE` marker), focused and announced (`role="status"`), and clears it.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use axum::extract::FromRequestParts;

use crate::kit::auth::{expired_cookie, Visitor, SESSION_COOKIE};
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::state::{cookies, AppState};

const COOKIE: &str = "agio_notice";
/// Where the notice goes in a page (see `kit/base.html`).
const NOTICE: &str = "<!--agio:notice-->";
/// What stands between these in the slim header is for those not signed in.
const ACCOUNT: (&str, &str) = ("<!--agio:account-->", "<!--/agio:account-->");
/// A page larger than this is passed on untouched (pages are tens of kilobytes).
const LARGEST_PAGE: usize = 4 * 1024 * 1024;

/// What was just done, as the confirmation says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Saved,
    Created,
    Archived,
    Restored,
    Invited,
    Linked,
    Revoked,
    /// The Community Lab: a support given or taken back, a comment, a report, an idea withdrawn or hidden.
    Supported,
    Unsupported,
    Commented,
    Reported,
    Withdrawn,
    Hidden,
    Voted,
    /// A self-registration confirmed: the account exists, sign in.
    Registered,
    /// A meeting: a seat taken, a place on the waiting list, a registration cancelled.
    Enrolled,
    Waiting,
    Cancelled,
    /// A Decidim import done.
    Imported,
}

impl Notice {
    const ALL: [Notice; 19] = [
        Notice::Saved,
        Notice::Created,
        Notice::Archived,
        Notice::Restored,
        Notice::Invited,
        Notice::Linked,
        Notice::Revoked,
        Notice::Supported,
        Notice::Unsupported,
        Notice::Commented,
        Notice::Reported,
        Notice::Withdrawn,
        Notice::Hidden,
        Notice::Voted,
        Notice::Registered,
        Notice::Enrolled,
        Notice::Waiting,
        Notice::Cancelled,
        Notice::Imported,
    ];

    fn code(self) -> &'static str {
        match self {
            Notice::Saved => "saved",
            Notice::Created => "created",
            Notice::Archived => "archived",
            Notice::Restored => "restored",
            Notice::Invited => "invited",
            Notice::Linked => "linked",
            Notice::Revoked => "revoked",
            Notice::Supported => "supported",
            Notice::Unsupported => "unsupported",
            Notice::Commented => "commented",
            Notice::Reported => "reported",
            Notice::Withdrawn => "withdrawn",
            Notice::Hidden => "hidden",
            Notice::Voted => "voted",
            Notice::Registered => "registered",
            Notice::Enrolled => "enrolled",
            Notice::Waiting => "waiting",
            Notice::Cancelled => "cancelled",
            Notice::Imported => "imported",
        }
    }

    /// Only the codes above are read back: a cookie cannot put any other text on a page.
    fn from_code(code: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.code() == code)
    }

    /// The redirect after a save to `to`, with the cookie that shows this notice there.
    pub fn redirect(self, to: &str, secure: bool) -> Response {
        let mut response = Redirect::to(to).into_response();
        let secure = if secure { "; Secure" } else { "" };
        let cookie = format!("{COOKIE}={}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax{secure}", self.code());
        response.headers_mut().append(header::SET_COOKIE, HeaderValue::from_str(&cookie).expect("ASCII only"));
        response
    }

    fn html(self, lang: Lang) -> String {
        let key = format!("notice.{}", self.code());
        NoticeBox { text: lang.catalogue().t(&key) }.render().unwrap_or_default()
    }
}

#[derive(Template)]
#[template(
    source = r#"<div class="alert alert-success agio-notice" role="status" id="agio-notice" tabindex="-1" autofocus><p class="mb-0">{{ text }}</p></div>"#,
    ext = "html"
)]
struct NoticeBox<'a> {
    text: &'a str,
}

/// The signed-in person in the slim header: their name (to the personal area) and "Esci".
#[derive(Template)]
#[template(
    source = r#"<a class="agio-account" href="/area-personale">{{ name }}</a><form class="agio-sign-out" method="post" action="/esci"><input type="hidden" name="csrf" value="{{ csrf }}"><button type="submit" class="btn btn-link agio-account">{{ sign_out }}</button></form>"#,
    ext = "html"
)]
struct AccountBox<'a> {
    name: &'a str,
    csrf: &'a str,
    sign_out: &'a str,
}

/// Middleware: writes who is signed in, and the pending notice (clearing it), into HTML pages.
pub async fn personalize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let notice = cookies(request.headers()).find(|(name, _)| *name == COOKIE).and_then(|(_, v)| Notice::from_code(v));
    let (mut parts, body) = request.into_parts();
    // Read once here; the handler finds it in the request's extensions.
    // With the database down the session cannot be read: the page is served as to anyone, if
    // the cache has it, without waiting for the pool (`kit::breaker`).
    let has_session = cookies(&parts.headers).any(|(name, _)| name == SESSION_COOKIE) && !state.breaker.is_down();
    let visitor = match has_session {
        true => match Visitor::from_request_parts(&mut parts, &state).await {
            Ok(visitor) => Some(visitor),
            Err(AppError::Unreachable) => {
                crate::kit::breaker::check(&state);
                None
            }
            Err(_) => None,
        },
        false => None,
    };
    let signed_in = visitor.and_then(|v| v.signed_in);
    let response = next.run(Request::from_parts(parts, body)).await;
    if notice.is_none() && signed_in.is_none() {
        return response;
    }
    let is_html = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !is_html || !(response.status().is_success() || response.status().is_client_error()) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(page) = axum::body::to_bytes(body, LARGEST_PAGE).await else {
        return Response::from_parts(parts, Body::empty());
    };
    // The page is spliced as bytes, copied once: signed-in pages are served many times a second.
    let lang = if find(&page[..page.len().min(200)], b"<html lang=\"en\"").is_some() { Lang::En } else { Lang::It };
    let mut splices: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    if let Some(s) = &signed_in {
        if let Some(from) = find(&page, ACCOUNT.0.as_bytes()) {
            if let Some(length) = find(&page[from..], ACCOUNT.1.as_bytes()) {
                let sign_out = lang.catalogue().t("account.sign_out");
                let account = AccountBox { name: &s.person.name, csrf: &s.csrf_token, sign_out };
                splices.push((from..from + length + ACCOUNT.1.len(), account.render().unwrap_or_default()));
            }
        }
    }
    if let Some(notice) = notice.filter(|_| parts.status == StatusCode::OK) {
        if let Some(at) = find(&page, NOTICE.as_bytes()) {
            splices.push((at..at + NOTICE.len(), notice.html(lang)));
            parts.headers.append(header::SET_COOKIE, expired_cookie(COOKIE, state.secure_cookies));
        }
    }
    let mut spliced = Vec::with_capacity(page.len() + splices.iter().map(|(_, s)| s.len()).sum::<usize>());
    let mut kept = 0;
    for (range, replacement) in splices {
        spliced.extend_from_slice(&page[kept..range.start]);
        spliced.extend_from_slice(replacement.as_bytes());
        kept = range.end;
    }
    spliced.extend_from_slice(&page[kept..]);
    let page = spliced;
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}

/// Where `needle` first stands in `haystack`. The markers sit in the first few kilobytes of a page.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_and_nothing_else_does() {
        for n in Notice::ALL {
            assert_eq!(Notice::from_code(n.code()), Some(n));
        }
        assert_eq!(Notice::from_code("<script>"), None);
        assert_eq!(Notice::from_code(""), None);
    }

    #[test]
    fn every_notice_has_a_text_in_both_languages() {
        for n in Notice::ALL {
            for lang in [Lang::It, Lang::En] {
                let html = n.html(lang);
                assert!(!html.contains("notice."), "{lang:?} {n:?}: {html}");
            }
        }
    }
}
