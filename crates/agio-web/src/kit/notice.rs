//! The confirmation after a form is saved ("Modifiche salvate"), shown on the page the person is
//! sent back to. The form's answer (a 303) sets a short-lived cookie naming the notice; the next
//! HTML page the browser receives shows it, focused and announced (`role="status"`), and clears
//! the cookie. The notice is written into the finished page, in place of a marker `base.html`
//! puts at the top of `<main>`, so that it also reaches pages served from the page cache, and
//! no handler has to pass it on.

use askama::Template;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::kit::auth::expired_cookie;
use crate::kit::i18n::Lang;
use crate::kit::state::{cookies, AppState};

const COOKIE: &str = "agio_notice";
/// Where the notice goes in a page (see `kit/base.html`).
pub const MARKER: &str = "<!--agio:notice-->";
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
}

impl Notice {
    const ALL: [Notice; 7] = [
        Notice::Saved,
        Notice::Created,
        Notice::Archived,
        Notice::Restored,
        Notice::Invited,
        Notice::Linked,
        Notice::Revoked,
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

/// Middleware: writes the pending notice into the first full HTML page answered, and clears it.
pub async fn show_notice(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let notice = cookies(request.headers()).find(|(name, _)| *name == COOKIE).and_then(|(_, v)| Notice::from_code(v));
    let response = next.run(request).await;
    let Some(notice) = notice else { return response };
    let is_html = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if response.status() != StatusCode::OK || !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_PAGE).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let page = String::from_utf8_lossy(&bytes);
    if !page.contains(MARKER) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let lang = if page.contains("<html lang=\"en\"") { Lang::En } else { Lang::It };
    let page = page.replacen(MARKER, &notice.html(lang), 1);
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.append(header::SET_COOKIE, expired_cookie(COOKIE, state.secure_cookies));
    Response::from_parts(parts, Body::from(page))
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
