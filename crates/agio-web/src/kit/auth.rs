//! Who is asking: server-side sessions behind an opaque cookie, the anti-forgery token of
//! every form, the client address; the extractors that give each handler exactly that.
//!
//! The cookie holds a random token; the database holds only its SHA-256, so a copy of the
//! database cannot be replayed as cookies. A new token is issued at every sign-in.

use std::net::SocketAddr;

use agio_domain::access::{self, Decision, Operation, Principal, Target};
use agio_domain::credentials::{new_token, same_secret, token_hash};
use agio_domain::Channel;
use agio_store::{Actor, Person};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use time::{Duration, OffsetDateTime};

use crate::kit::error::AppError;
use crate::kit::forms::FormBody;
use crate::kit::state::{cookies, AppState};

pub const SESSION_COOKIE: &str = "agio_session";
/// The anti-forgery cookie of visitors who are not signed in (double-submit, for sign-in forms).
pub const CSRF_COOKIE: &str = "agio_csrf";
/// A session ends after this long without a request…
pub const IDLE_LIMIT: Duration = Duration::hours(2);
/// …and in any case this long after sign-in.
pub const ABSOLUTE_LIMIT: Duration = Duration::hours(12);
fn parse_time(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

/// A signed-in person, their roles and their session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub person: Person,
    pub principal: Principal,
    pub csrf_token: String,
    pub(crate) token_hash: String,
    /// The session was started with a digital identity.
    pub with_identity: bool,
}

/// Whoever sent the request: maybe signed in, always with an address.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub signed_in: Option<SignedIn>,
    pub address: String,
    /// The anonymous anti-forgery cookie, when the browser sent one.
    anon_csrf: Option<String>,
}

impl Visitor {
    pub fn principal(&self) -> Option<&Principal> {
        self.signed_in.as_ref().map(|s| &s.principal)
    }

    /// The authorisation decision for this visitor (see `agio_domain::access`).
    pub fn decide(&self, operation: Operation, target: &Target) -> Decision {
        access::decide(self.principal(), operation, target)
    }

    pub fn require(&self, operation: Operation, target: &Target) -> Result<(), AppError> {
        require(self.principal(), operation, target)
    }

    pub fn may(&self, operation: Operation, target: &Target) -> bool {
        self.decide(operation, target) == Decision::Allow
    }

    /// The actor of a write made through a form.
    pub fn actor(&self, channel: Channel) -> Actor {
        Actor {
            person_id: self.signed_in.as_ref().map(|s| s.person.id.clone()),
            channel,
            address: self.address.clone(),
        }
    }

    /// The token to put in this visitor's forms, and the cookie to set when it is new.
    pub fn csrf_token(&self, secure: bool) -> (String, Option<HeaderValue>) {
        if let Some(s) = &self.signed_in {
            return (s.csrf_token.clone(), None);
        }
        match &self.anon_csrf {
            Some(token) => (token.clone(), None),
            None => {
                let token = new_token();
                // Only the sign-in pages need it: elsewhere it would keep pages out of the cache.
                let value = format!(
                    "{CSRF_COOKIE}={token}; Path=/accedi; HttpOnly; SameSite=Lax{}",
                    if secure { "; Secure" } else { "" }
                );
                (token, Some(HeaderValue::from_str(&value).expect("hex token")))
            }
        }
    }

    /// Checks the token a form sent back.
    pub fn check_csrf(&self, sent: Option<&str>) -> Result<(), AppError> {
        let expected = match &self.signed_in {
            Some(s) => Some(s.csrf_token.as_str()),
            None => self.anon_csrf.as_deref(),
        };
        match (expected, sent) {
            (Some(expected), Some(sent)) if same_secret(expected, sent) => Ok(()),
            _ => Err(AppError::BadCsrf),
        }
    }
}

/// Allowed, or the error to answer with: 404 where existence must not leak, 403 otherwise.
pub fn require(who: Option<&Principal>, operation: Operation, target: &Target) -> Result<(), AppError> {
    Ok(agio_app::require(who, operation, target)?)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, whole site, Secure over https.
pub fn cookie(name: &str, value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"))
        .expect("tokens are hex, names are ASCII")
}

/// A `Set-Cookie` value that removes a cookie.
pub fn expired_cookie(name: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")).expect("ASCII only")
}

pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    cookies(headers)
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The client's address: the socket's peer, or, when that peer is one of the reverse proxies
/// AGIO is told to trust, the nearest address in `X-Forwarded-For` that is not one of them.
/// Without this, behind a proxy every visitor would share one address (and one sign-in limit).
fn address(parts: &Parts, trusted: &[std::net::IpAddr]) -> String {
    let Some(peer) = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
        return String::new();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let forwarded = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded.into_iter().rev().find(|a| !trusted.contains(a)).unwrap_or(peer).to_string()
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, AppError> {
        if let Some(visitor) = parts.extensions.get::<Visitor>() {
            return Ok(visitor.clone());
        }
        let reading = parts.method == Method::GET || parts.method == Method::HEAD;
        let signed_in = match cookie_value(&parts.headers, SESSION_COOKIE) {
            Some(token) => session(state, &token_hash(token), reading).await?,
            None => None,
        };
        let visitor = Visitor {
            signed_in,
            address: address(parts, &state.trusted_proxies),
            anon_csrf: cookie_value(&parts.headers, CSRF_COOKIE).map(str::to_string),
        };
        parts.extensions.insert(visitor.clone());
        Ok(visitor)
    }
}

/// How long a session read from the database serves reads from memory. Sign-out, and any
/// change to people or roles made through this instance, take effect at once (see
/// `SessionCache`); made through another instance sharing the database, within this time.
const SESSION_KEPT_FOR: Duration = Duration::seconds(1);
/// Sessions kept at most (only live ones are kept: a made-up cookie never is).
const MOST_SESSIONS_KEPT: usize = 10_000;

/// The sessions of the last second, so that a signed-in person's page views do not read the
/// database for who they are. Only reads (GET, HEAD) use it: a change always checks the
/// database. An entry serves only while the data version it was read at is current, so this
/// instance's writes (roles granted or revoked, an account closed) drop it at once.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::RwLock<std::collections::HashMap<String, KeptSession>>,
}

struct KeptSession {
    signed_in: SignedIn,
    version: u64,
    /// On the state's clock (which tests stop, so that nothing in them depends on speed).
    read_at: OffsetDateTime,
}

impl SessionCache {
    fn get(&self, hash: &str, version: u64, now: OffsetDateTime) -> Option<SignedIn> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let kept = entries.get(hash)?;
        (kept.version == version && now - kept.read_at < SESSION_KEPT_FOR).then(|| kept.signed_in.clone())
    }

    fn keep(&self, signed_in: &SignedIn, version: u64, now: OffsetDateTime) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MOST_SESSIONS_KEPT {
            entries.retain(|_, kept| now - kept.read_at < SESSION_KEPT_FOR);
            if entries.len() >= MOST_SESSIONS_KEPT {
                entries.clear();
            }
        }
        let kept = KeptSession { signed_in: signed_in.clone(), version, read_at: now };
        entries.insert(signed_in.token_hash.clone(), kept);
    }

    /// A session that has just ended.
    pub fn forget(&self, hash: &str) {
        self.entries.write().unwrap_or_else(|e| e.into_inner()).remove(hash);
    }
}

/// The live session with this token hash: for a read, from the session cache when it is there.
async fn session(state: &AppState, hash: &str, reading: bool) -> Result<Option<SignedIn>, AppError> {
    let kept_sessions = reading && !state.cache.is_off();
    let (version, now) = (state.cache.version(), state.clock.now());
    if kept_sessions {
        if let Some(signed_in) = state.sessions.get(hash, version, now) {
            return Ok(Some(signed_in));
        }
    }
    let signed_in = load_session(state, hash).await?;
    if let (true, Some(signed_in)) = (kept_sessions, &signed_in) {
        state.sessions.keep(signed_in, version, now);
    }
    Ok(signed_in)
}

/// The live session with this token hash, from the database; expired ones are deleted on sight.
async fn load_session(state: &AppState, hash: &str) -> Result<Option<SignedIn>, AppError> {
    let Some(session) = state.store.session(hash).await? else { return Ok(None) };
    let now = OffsetDateTime::now_utc();
    let (Some(created), Some(seen)) = (parse_time(&session.created_at), parse_time(&session.last_seen_at)) else {
        return Ok(None);
    };
    if now - created > ABSOLUTE_LIMIT || now - seen > IDLE_LIMIT {
        state.store.delete_session(hash).await?;
        return Ok(None);
    }
    // Refreshing at most once a minute keeps reads from turning into writes.
    if now - seen > Duration::minutes(1) {
        state.store.touch_session(hash).await?;
    }
    let Some(person) = state.store.person(&session.person_id).await? else { return Ok(None) };
    let grants = state.store.grants(&person.id).await?;
    Ok(Some(SignedIn {
        principal: Principal { person_id: person.id.clone(), grants },
        person,
        csrf_token: session.csrf_token,
        token_hash: hash.to_string(),
        with_identity: session.with_identity,
    }))
}

/// Header pair for responses that set a cookie.
pub fn set_cookie(value: HeaderValue) -> (header::HeaderName, HeaderValue) {
    (header::SET_COOKIE, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        let c = cookie(SESSION_COOKIE, &"a".repeat(64), true);
        let c = c.to_str().unwrap();
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("; Secure"), "{c}");
        assert!(!cookie(SESSION_COOKIE, "x", false).to_str().unwrap().contains("Secure"));
    }
}

/// The prefix of personal access tokens, so that a leaked one is recognisable in logs and scans.
pub const TOKEN_PREFIX: &str = "agio_";

/// A caller of the write API: a person, by one of their personal access tokens.
#[derive(Debug, Clone)]
pub struct TokenCaller {
    pub person: Person,
    pub principal: Principal,
    pub scope: agio_domain::TokenScope,
    pub address: String,
}

impl TokenCaller {
    /// The actor of a write made through the API.
    pub fn actor(&self) -> Actor {
        Actor { person_id: Some(self.person.id.clone()), channel: Channel::Api, address: self.address.clone() }
    }
}

/// Reads that may come with a token: none is `None`, a bad one is still a 401.
impl axum::extract::OptionalFromRequestParts<AppState> for TokenCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<TokenCaller>, AppError> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(None);
        }
        <TokenCaller as FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
    }
}

impl FromRequestParts<AppState> for TokenCaller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<TokenCaller, AppError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|v| v.trim().strip_prefix(TOKEN_PREFIX))
            .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or(AppError::Unauthenticated)?;
        let found = state.store.api_token_by_hash(&token_hash(token)).await?.ok_or(AppError::Unauthenticated)?;
        let expired = found.expires_at.as_deref().and_then(parse_time).is_some_and(|t| t < OffsetDateTime::now_utc());
        if expired {
            return Err(AppError::Unauthenticated);
        }
        let person = state.store.person(&found.person_id).await?.ok_or(AppError::Unauthenticated)?;
        state.store.touch_api_token(&found.id).await?;
        let grants = state.store.grants(&person.id).await?;
        Ok(TokenCaller {
            principal: Principal { person_id: person.id.clone(), grants },
            person,
            scope: found.scope,
            address: address(parts, &state.trusted_proxies),
        })
    }
}

/// A visitor who is signed in. Anyone else is sent to sign in (a page) or refused (a form sent)
/// before the handler looks anything up, so the answer never tells whether the address names
/// something: a draft's edit page and a page that does not exist look the same from outside.
#[derive(Debug, Clone)]
pub struct SignedInVisitor {
    pub visitor: Visitor,
    pub session: SignedIn,
}

impl FromRequestParts<AppState> for SignedInVisitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<SignedInVisitor, Response> {
        let visitor = Visitor::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        match visitor.signed_in.clone() {
            Some(session) => Ok(SignedInVisitor { visitor, session }),
            None if parts.method == Method::GET || parts.method == Method::HEAD => {
                let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
                Err(Redirect::to(&format!("/accedi?next={}", crate::kit::query::encode(here))).into_response())
            }
            None => Err(AppError::Forbidden.into_response()),
        }
    }
}

/// A form sent by a signed-in visitor with their session's anti-forgery token: the checks
/// every editing handler needs before it reads a field.
#[derive(Debug, Clone)]
pub struct SignedInForm {
    pub visitor: Visitor,
    pub session: SignedIn,
    pub body: FormBody,
}

impl FromRequest<AppState> for SignedInForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<SignedInForm, Response> {
        let (mut parts, body) = request.into_parts();
        let SignedInVisitor { visitor, session } = SignedInVisitor::from_request_parts(&mut parts, state).await?;
        let body = FormBody::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        visitor.check_csrf(body.csrf().as_deref()).map_err(IntoResponse::into_response)?;
        Ok(SignedInForm { visitor, session, body })
    }
}

/// A form anyone may send (signing in, asking for a new password, accepting an invitation): the
/// visitor, and the form read, with its anti-forgery token checked (the session's, or the
/// double-submit cookie's for visitors not signed in).
#[derive(Debug, Clone)]
pub struct CheckedForm {
    pub visitor: Visitor,
    pub body: FormBody,
}

impl FromRequest<AppState> for CheckedForm {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<CheckedForm, Response> {
        let (mut parts, body) = request.into_parts();
        let visitor = Visitor::from_request_parts(&mut parts, state).await.map_err(IntoResponse::into_response)?;
        let body = FormBody::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        visitor.check_csrf(body.csrf().as_deref()).map_err(IntoResponse::into_response)?;
        Ok(CheckedForm { visitor, body })
    }
}
