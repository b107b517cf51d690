//! `/accedi/oidc`: leave for the external identity provider, and come back.
//!
//! The sign-in is bound to the browser that started it (a short-lived cookie whose hash is kept
//! with the state, nonce and PKCE verifier), single-use and valid for ten minutes. Back from
//! the provider, the identity (issuer, subject) decides: already linked, that person is signed
//! in; a signed-in person is asked to confirm that it is theirs before it is linked; an unknown
//! identity whose verified email already has an account is refused (its holder signs in and
//! links it); otherwise a new account (citizen) is made from the verified email and name. An
//! identity without a verified email is refused.

use agio_domain::access::Scope;
use agio_domain::credentials::{new_token, same_secret, token_hash};
use agio_domain::{Channel, Role};
use agio_store::{NewPerson, PendingLogin, Person};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use time::{Duration, OffsetDateTime};

use crate::accounts::oidc::Identity;
use crate::accounts::sign_in::SignedInWith;
use crate::accounts::sign_in_message;
use crate::kit::auth::{self, SignedInForm, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::Form;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::layout::FormPage;
use crate::kit::personal::Notice;
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};

/// How long a sign-in may stay at the provider.
const LOGIN_LIFETIME: Duration = Duration::minutes(10);

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn refused(lang: Lang, text_key: &str) -> Result<Response, AppError> {
    sign_in_message(lang, "/accedi/oidc/callback", StatusCode::BAD_REQUEST, "external.refused_title", text_key)
}

/// The cookie that binds a sign-in under way to the browser that started it.
const BROWSER_COOKIE: &str = "agio_oidc";

fn browser_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let cookie =
        format!("{BROWSER_COOKIE}={value}; Path=/accedi/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&cookie).expect("hex values and ASCII names")
}

async fn depart(State(state): State<AppState>, visitor: Visitor, params: Params) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let departure = oidc.depart().map_err(|e| AppError::Internal(e.to_string()))?;
    let browser = new_token();
    let login = PendingLogin {
        nonce: departure.nonce,
        pkce_verifier: departure.pkce_verifier,
        next: crate::accounts::sign_in::safe_next(params.get("next")),
        browser_hash: token_hash(&browser),
    };
    let expires = rfc3339(OffsetDateTime::now_utc() + LOGIN_LIFETIME);
    state.store.create_oidc_login(&token_hash(&departure.state), &login, &visitor.address, &expires).await?;
    let cookie = browser_cookie(&browser, LOGIN_LIFETIME.whole_seconds(), state.secure_cookies);
    let location = HeaderValue::from_str(&departure.url).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, location)]).into_response())
}

/// What an identity back from the provider leads to.
enum Outcome {
    SignIn(Person),
    /// A signed-in person brought an identity not linked yet: they confirm it is theirs.
    Confirm,
    /// Refused, with the text that says why.
    Refused(&'static str),
}

/// The account this identity signs in to, creating one for a new verified email. An identity is
/// never linked to an existing account without its holder signed in and confirming: another
/// provider's account with the same email could otherwise take it over.
async fn outcome(state: &AppState, visitor: &Visitor, identity: &Identity) -> Result<Outcome, AppError> {
    let issuer = identity.issuer.as_str();
    if let Some(person) = state.store.person_by_identity(issuer, &identity.subject).await? {
        return Ok(Outcome::SignIn(person));
    }
    if let Some(signed_in) = &visitor.signed_in {
        // One fiscal number per account: another person's SPID used in this browser must not
        // become a way into this account.
        let kept = state.store.identities(&signed_in.person.id).await?;
        if kept.iter().any(|i| i.issuer == issuer) && identity.issuer == agio_store::FISCAL_NUMBER_ISSUER {
            return Ok(Outcome::Refused("external.one_fiscal_number"));
        }
        let expires = rfc3339(OffsetDateTime::now_utc() + LOGIN_LIFETIME);
        state.store.offer_identity_link(&signed_in.person.id, issuer, &identity.subject, &expires).await?;
        return Ok(Outcome::Confirm);
    }
    let Some(email) = identity.email.as_deref().filter(|_| identity.email_verified) else {
        return Ok(Outcome::Refused("external.no_email"));
    };
    if state.store.person_by_email(email).await?.is_some() {
        return Ok(Outcome::Refused("external.account_exists"));
    }
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    let new = NewPerson {
        email: email.to_string(),
        name: identity.name.clone().unwrap_or_else(|| email.to_string()),
        organization_name: String::new(),
        password_hash: None,
        is_demo: false,
    };
    let person = w.create_person(&new).await?;
    w.grant_role(&person, Role::Citizen, &Scope::Everywhere).await?;
    w.link_identity(&person, issuer, &identity.subject).await?;
    w.commit().await?;
    Ok(Outcome::SignIn(person))
}

async fn arrive(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let forget = browser_cookie("", 0, state.secure_cookies);
    let refuse = |text_key: &str| -> Result<Response, AppError> {
        let mut page = refused(lang, text_key)?;
        page.headers_mut().insert(header::SET_COOKIE, forget.clone());
        Ok(page)
    };
    if params.get("error").is_some() {
        return refuse("external.cancelled");
    }
    let (Some(code), Some(state_param)) = (params.get("code"), params.get("state")) else {
        return refuse("external.invalid");
    };
    let now = rfc3339(OffsetDateTime::now_utc());
    let Some(login) = state.store.take_oidc_login(&token_hash(state_param), &now).await? else {
        return refuse("external.invalid");
    };
    // Only the browser that left may come back with this state (no login CSRF).
    let browser = auth::cookie_value(&headers, BROWSER_COOKIE).map(token_hash);
    if !browser.is_some_and(|b| same_secret(&b, &login.browser_hash)) {
        return refuse("external.other_browser");
    }
    let identity = match oidc.arrive(code, &login.nonce, &login.pkce_verifier).await {
        Ok(identity) => identity,
        Err(error) => {
            tracing::warn!(%error, "an external sign-in failed");
            return refuse("external.invalid");
        }
    };
    let person = match outcome(&state, &visitor, &identity).await? {
        Outcome::SignIn(person) => person,
        Outcome::Confirm => return confirmation(&state, lang, &visitor, &identity.subject, forget),
        Outcome::Refused(text_key) => return refuse(text_key),
    };
    if let Some(signed_in) = visitor.signed_in.as_ref().filter(|s| s.person.id == person.id) {
        if signed_in.with_identity {
            return Ok(([(header::SET_COOKIE, forget)], Redirect::to("/area-personale")).into_response());
        }
        // Signed in with a password, now proven with the identity too: a new session that
        // knows it (it may turn password sign-in back on), and the old one ends.
        crate::accounts::sign_in::end_session(&state, signed_in).await?;
    }
    let cookie = crate::accounts::sign_in::start_session(&state, &person, SignedInWith::Identity).await?;
    let location = login.next.parse().map_err(|_| AppError::NotFound)?;
    let mut response =
        (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, location)]).into_response();
    response.headers_mut().append(header::SET_COOKIE, forget);
    Ok(response)
}

/// The page where a signed-in person confirms that the identity they brought back is theirs.
fn confirmation(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    subject: &str,
    forget: HeaderValue,
) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let (csrf, _) = visitor.csrf_token(state.secure_cookies);
    let person = visitor.signed_in.as_ref().map(|s| s.person.email.as_str()).unwrap_or_default();
    let page = FormPage {
        ctx: PageContext::new(lang, LINK, "", c.t("external.link_title"))
            .crumb(c.t("account.title"), "/area-personale")
            .last_crumb(),
        intro: c.fmt("external.link_intro", &[("identity", subject), ("provider", &oidc.label), ("account", person)]),
        form: Form::new(LINK, &csrf, c.t("external.link_confirm")),
        back: Some(("/area-personale".to_string(), c.t("edit.cancel").to_string())),
        alternative: None,
        notes: vec![],
        see_first: None,
        more: Vec::new(),
    };
    Ok(([(header::SET_COOKIE, forget), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], render(page)?)
        .into_response())
}

/// Where the confirmation is sent.
const LINK: &str = "/accedi/oidc/collega";

/// Links the identity the signed-in person was offered, once they confirm.
async fn link(State(state): State<AppState>, lang: Lang, form: SignedInForm) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let person = &form.session.person;
    let Some((issuer, subject)) = state.store.offered_identity_link(&person.id).await? else {
        return refused(lang, "external.invalid");
    };
    if issuer != oidc.identity_issuer() {
        return refused(lang, "external.invalid");
    }
    let kept = state.store.identities(&person.id).await?;
    if issuer == agio_store::FISCAL_NUMBER_ISSUER && kept.iter().any(|i| i.issuer == issuer) {
        return refused(lang, "external.one_fiscal_number");
    }
    let mut w = state.store.begin_write(&form.visitor.actor(Channel::Form)).await?;
    w.link_identity(person, &issuer, &subject).await?;
    w.commit().await?;
    Ok(Notice::Linked.redirect("/area-personale", state.secure_cookies))
}

/// The relying party's public keys, for its registration at SPID or CIE (`jwks_uri`); 404 when
/// AGIO authenticates with a secret.
async fn public_keys(State(state): State<AppState>) -> Result<Response, AppError> {
    let jwks = state.oidc.as_ref().and_then(|oidc| oidc.public_jwks()).ok_or(AppError::NotFound)?;
    Ok(([(header::CONTENT_TYPE, "application/jwk-set+json")], jwks.to_string()).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accedi/oidc", get(depart))
        .route("/accedi/oidc/callback", get(arrive))
        .route("/accedi/oidc/jwks.json", get(public_keys))
        .route(LINK, post(link))
}
