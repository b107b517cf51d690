//! Signing in and out, the personal area, the person's own data, and the privacy notice.

use agio_app::Context;
use agio_domain::access::{Operation, Target};
use agio_domain::credentials::{decoy_hash, new_token, token_hash, verify_password};
use agio_domain::edit::{FieldProblem, Reader};
use agio_domain::{Channel, TokenScope};
use agio_store::{ApiToken, ExternalIdentity, RoleAssignment};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::accounts::sign_in::SignedInWith;
use crate::kit::auth::{self, CheckedForm, SignedIn, SignedInForm, SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, FormBody, Kind};
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, FormPage};
use crate::kit::personal::Notice;
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};

#[derive(Template)]
#[template(path = "accounts/account.html")]
struct AccountPage {
    ctx: PageContext,
    s: SignedIn,
    roles: Vec<RoleAssignment>,
    links: Vec<(String, String)>,
    tokens: Vec<ApiToken>,
    token_form: Form,
    close_form: Form,
    identities: Vec<ExternalIdentity>,
    /// Linking another external identity, when a provider is configured.
    link_identity: Option<(String, String)>,
    /// Turning password sign-in off (once an identity is linked) or back on.
    password_switch: Option<PasswordSwitch>,
}

/// The form that turns password sign-in off or on, and what the person reads above it.
struct PasswordSwitch {
    state: String,
    /// The button's label and the value it posts ("off" or "on"); None when this session may
    /// not turn it back on (it was started with a password).
    button: Option<(String, &'static str)>,
}

/// Whether the configured provider signs this person in: an identity of theirs is kept under
/// its issuer. Password sign-in may be off only then, and is off only then: changing or
/// removing the provider never locks anyone out.
async fn identity_signs_in(state: &AppState, person_id: &str) -> Result<bool, AppError> {
    let Some(oidc) = &state.oidc else { return Ok(false) };
    Ok(state.store.identities(person_id).await?.iter().any(|i| i.issuer == oidc.identity_issuer()))
}

/// Where the switch is posted.
const PASSWORD_SWITCH: &str = "/area-personale/accesso-password";

#[derive(Template)]
#[template(path = "accounts/token_created.html")]
struct TokenCreatedPage {
    ctx: PageContext,
    name: String,
    token: String,
}

/// How long a new token lives, in days (`never`: until revoked).
const TOKEN_LIFETIMES: &[&str] = &["30", "90", "365", "never"];

fn token_form(lang: Lang, csrf: &str) -> Form {
    let c = lang.catalogue();
    let scopes = TokenScope::ALL.iter().map(|s| (s.code().to_string(), c.label(&s.label_key()).to_string())).collect();
    let lifetimes =
        TOKEN_LIFETIMES.iter().map(|d| (d.to_string(), c.t(&format!("tokens.lifetime.{d}")).to_string())).collect();
    Form::new("/area-personale/token", csrf, c.t("tokens.create"))
        .field("name", c.t("tokens.name"), Kind::Line, true)
        .hint(c.t("tokens.name_hint"))
        .field("scope", c.t("tokens.scope"), Kind::Select(scopes), true)
        .field("lifetime", c.t("tokens.expires"), Kind::Select(lifetimes), true)
}

#[derive(Template)]
#[template(path = "accounts/privacy.html")]
struct PrivacyPage {
    ctx: PageContext,
}

fn sign_in_form(lang: Lang, csrf: &str, next: &str) -> Form {
    let c = lang.catalogue();
    let action = format!("/accedi?next={}", crate::kit::query::encode(next));
    Form::new(action, csrf, c.t("sign_in.submit"))
        .field("email", c.t("sign_in.email"), Kind::Email, true)
        .autocomplete("username")
        .field("password", c.t("sign_in.password"), Kind::Password, true)
        .autocomplete("current-password")
}

fn sign_in_page(state: &AppState, lang: Lang, form: Form, next: &str) -> FormPage {
    let c = lang.catalogue();
    let alternative = state.oidc.as_ref().map(|oidc| {
        (
            format!("/accedi/oidc?next={}", crate::kit::query::encode(next)),
            c.fmt("sign_in.external", &[("name", &oidc.label)]),
        )
    });
    FormPage {
        ctx: PageContext::new(lang, "/accedi", "", c.t("sign_in.title")).last_crumb(),
        intro: c.t("sign_in.intro").to_string(),
        form,
        back: Some(("/accedi/recupero".to_string(), c.t("reset.link").to_string())),
        alternative,
        notes: vec![],
        see_first: None,
        more: vec![("/accedi/registrati".to_string(), c.t("register.link").to_string())],
    }
}

async fn sign_in_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    params: Params,
) -> Result<Response, AppError> {
    let next = crate::accounts::sign_in::safe_next(params.get("next"));
    if visitor.signed_in.is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    let (csrf, set_cookie) = visitor.csrf_token(state.secure_cookies);
    let page = render(sign_in_page(&state, lang, sign_in_form(lang, &csrf, &next), &next))?;
    Ok(crate::kit::layout::with_form_cookie(set_cookie, page))
}

async fn sign_in_post(
    State(state): State<AppState>,
    lang: Lang,
    params: Params,
    CheckedForm { visitor, body: form }: CheckedForm,
) -> Result<Response, AppError> {
    let next = crate::accounts::sign_in::safe_next(params.get("next"));
    let email = form.get("email").unwrap_or_default();
    let password = form.get("password").unwrap_or_default();
    // Counted before the password is checked, the same whether or not the account exists.
    let turn = crate::accounts::sign_in::take_sign_in_turn(&state, &email, &visitor.address).await?;
    let found = state.store.person_by_email(&email).await?;
    let hash = found.as_ref().and_then(|(_, hash)| hash.clone());
    // An unknown account costs the same argon2 work as a wrong password.
    let stored = hash.clone();
    let checked = move || verify_password(&password, stored.as_deref().unwrap_or(decoy_hash()));
    let matches = crate::accounts::sign_in::password_work(checked).await? && hash.is_some();
    let password_off = match &found {
        Some((person, _)) if matches && !person.password_sign_in => identity_signs_in(&state, &person.id).await?,
        _ => false,
    };
    match found {
        // The right password for an account that signs in only with its digital identity: it
        // is told so (whoever typed the password already knows the account exists).
        Some(_) if password_off => {
            turn.succeeded(&state).await?;
            let refusal = Refusal { status: StatusCode::FORBIDDEN, text_key: "sign_in.password_off" };
            sign_in_again(&state, lang, &visitor, &next, &email, refusal)
        }
        Some((person, _)) if matches => {
            turn.succeeded(&state).await?;
            let cookie = crate::accounts::sign_in::start_session(&state, &person, SignedInWith::Password).await?;
            Ok((
                StatusCode::SEE_OTHER,
                [(header::SET_COOKIE, cookie), (header::LOCATION, next.parse().map_err(|_| AppError::NotFound)?)],
            )
                .into_response())
        }
        _ => {
            turn.failed(&state).await?;
            let refusal = Refusal { status: StatusCode::UNAUTHORIZED, text_key: "sign_in.failed" };
            sign_in_again(&state, lang, &visitor, &next, &email, refusal)
        }
    }
}

/// Why a sign-in did not start a session: the status and the sentence above the form.
struct Refusal {
    status: StatusCode,
    text_key: &'static str,
}

/// The sign-in form again, with the email typed and the reason it was refused.
fn sign_in_again(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    next: &str,
    email: &str,
    refusal: Refusal,
) -> Result<Response, AppError> {
    let (csrf, _) = visitor.csrf_token(state.secure_cookies);
    let form = sign_in_form(lang, &csrf, next)
        .values(&|name: &str| (name == "email").then(|| email.to_string()))
        .message(lang.catalogue().t(refusal.text_key));
    Ok((refusal.status, render(sign_in_page(state, lang, form, next))?).into_response())
}

async fn sign_out(State(state): State<AppState>, visitor: Visitor, form: FormBody) -> Result<Response, AppError> {
    let Some(signed_in) = &visitor.signed_in else { return Ok(Redirect::to("/").into_response()) };
    visitor.check_csrf(form.csrf().as_deref())?;
    let cookie = crate::accounts::sign_in::end_session(&state, signed_in).await?;
    Ok((StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, "/".parse().expect("a path"))])
        .into_response())
}

async fn account(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, session: s }: SignedInVisitor,
) -> Result<Response, AppError> {
    let form = token_form(lang, &s.csrf_token).values(&token_defaults);
    let close = close_form(lang, &s.csrf_token);
    Ok(account_page(&state, lang, &visitor, s, form, close).await?.into_response())
}

/// A new token reads only and lives 90 days unless the person chooses otherwise.
fn token_defaults(name: &str) -> Option<String> {
    match name {
        "scope" => Some("read".to_string()),
        "lifetime" => Some("90".to_string()),
        _ => None,
    }
}

/// Closing the account: the person confirms by typing their email.
fn close_form(lang: Lang, csrf: &str) -> Form {
    let c = lang.catalogue();
    Form::new("/area-personale/chiudi", csrf, c.t("close.submit"))
        .destructive()
        .field("confirm_email", c.t("close.confirm"), Kind::Email, true)
        .hint(c.t("close.hint"))
}

async fn account_page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    s: SignedIn,
    token_form: Form,
    close_form: Form,
) -> Result<axum::response::Html<String>, AppError> {
    let c = lang.catalogue();
    let roles = state.store.role_assignments(&s.person.id).await?;
    let mut links = Vec::new();
    if visitor.may(Operation::Administer, &Target::Region) {
        links.push(("/amministrazione/registro".to_string(), c.t("audit.title").to_string()));
        links.push(("/amministrazione/posta".to_string(), c.t("outbox.title").to_string()));
        links.push(("/amministrazione/persone".to_string(), c.t("people.title").to_string()));
    }
    let tokens = state.store.api_tokens(&s.person.id).await?;
    let identities = state.store.identities(&s.person.id).await?;
    let link_identity = state.oidc.as_ref().map(|oidc| {
        ("/accedi/oidc?next=%2Farea-personale".to_string(), c.fmt("account.link_identity", &[("name", &oidc.label)]))
    });
    // Off only with an identity the provider signs in with; back on only from a session that
    // identity started.
    let password_switch = match (s.person.password_sign_in, identity_signs_in(state, &s.person.id).await?) {
        (_, false) => None,
        (true, true) => Some(PasswordSwitch {
            state: c.t("account.password_on").to_string(),
            button: Some((c.t("account.password_turn_off").to_string(), "off")),
        }),
        (false, true) => Some(PasswordSwitch {
            state: c.t("account.password_off").to_string(),
            button: s.with_identity.then(|| (c.t("account.password_turn_on").to_string(), "on")),
        }),
    };
    let ctx = PageContext::new(lang, "/area-personale", "", c.t("account.title")).last_crumb();
    render(AccountPage {
        ctx,
        s,
        roles,
        links,
        tokens,
        token_form,
        close_form,
        identities,
        link_identity,
        password_switch,
    })
}

/// Creates a personal access token and shows it, once.
async fn create_token(
    State(state): State<AppState>,
    lang: Lang,
    SignedInForm { visitor, session: s, body }: SignedInForm,
) -> Result<Response, AppError> {
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let name = reader.line("name");
    let scope = reader.code::<TokenScope>("scope");
    let lifetime = body.get("lifetime").unwrap_or_default();
    if !TOKEN_LIFETIMES.contains(&lifetime.as_str()) {
        let allowed = TOKEN_LIFETIMES.iter().map(|d| d.to_string()).collect();
        reader.fail("lifetime", FieldProblem::NotOneOf { allowed });
    }
    let (name, scope) = match reader.finish(|| (name, scope)) {
        Ok((name, Some(scope))) => (name, scope),
        Ok((_, None)) => return Err(AppError::Internal("a reader gave no value and no error".into())),
        Err(errors) => {
            let form = token_form(lang, &s.csrf_token).values(&input).errors(&errors, lang.catalogue());
            let close = close_form(lang, &s.csrf_token);
            let page = account_page(&state, lang, &visitor, s, form, close).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let expires_at = lifetime.parse::<i64>().ok().map(|days| {
        (time::OffsetDateTime::now_utc() + time::Duration::days(days))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    });
    let token = format!("{}{}", auth::TOKEN_PREFIX, new_token());
    let hash = token_hash(token.trim_start_matches(auth::TOKEN_PREFIX));
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    w.create_api_token(&s.person, &name, &hash, scope, expires_at).await?;
    w.commit().await?;
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, "/area-personale", "", c.t("tokens.created_title"))
        .crumb(c.t("account.title"), "/area-personale")
        .last_crumb();
    // The secret is on this page only: nobody may keep a copy of it.
    Ok(([(header::CACHE_CONTROL, "no-store")], render(TokenCreatedPage { ctx, name, token })?).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedInForm { visitor, session: s, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    if !w.revoke_api_token(&s.person, &id).await? {
        return Err(AppError::NotFound);
    }
    w.commit().await?;
    Ok(Notice::Revoked.redirect("/area-personale#token", state.secure_cookies))
}

/// Turns password sign-in off (only with an identity the provider signs in with, else 409),
/// ending the person's other sessions, or back on (only from a session that identity started,
/// else 403: a stolen password must not undo it).
async fn switch_password_sign_in(
    State(state): State<AppState>,
    SignedInForm { visitor, session: s, body }: SignedInForm,
) -> Result<Response, AppError> {
    let on = match body.get("turn").as_deref() {
        Some("on") => true,
        Some("off") => false,
        _ => return Err(AppError::UnreadableBody("turn: on or off".into())),
    };
    let identity = identity_signs_in(&state, &s.person.id).await?;
    if !on && !identity {
        return Err(AppError::Conflict("password sign-in stays on until a digital identity is linked".into()));
    }
    if on && identity && !s.with_identity {
        return Err(AppError::Forbidden);
    }
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    // Off: whoever signed in with the password before is signed out, their tokens revoked.
    let ended = w.set_password_sign_in(&s.person, on, &s.token_hash).await?;
    w.commit().await?;
    for hash in ended {
        state.sessions.forget(&hash);
    }
    // The session keeps the person as read at sign-in: read it again.
    state.after_write().await?;
    Ok(Notice::Saved.redirect("/area-personale", state.secure_cookies))
}

/// Everything kept about the person, as JSON (their right of access and portability).
async fn my_data(State(state): State<AppState>, visitor: Visitor) -> Result<Response, AppError> {
    let Some(s) = &visitor.signed_in else { return Err(AppError::Forbidden) };
    let roles = state.store.role_assignments(&s.person.id).await?;
    let identities = state.store.identities(&s.person.id).await?;
    let body = serde_json::json!({ "person": s.person, "roles": roles, "identities": identities });
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"agio-dati-personali.json\""),
        ],
        serde_json::to_string_pretty(&body).map_err(|e| AppError::Internal(e.to_string()))?,
    )
        .into_response())
}

/// Closes the signed-in person's account, after they confirm by typing their email.
async fn close_account(
    State(state): State<AppState>,
    lang: Lang,
    SignedInForm { visitor, session: s, body }: SignedInForm,
) -> Result<Response, AppError> {
    let typed = agio_store::normalize_email(&body.get("confirm_email").unwrap_or_default());
    if typed != s.person.email {
        let form = token_form(lang, &s.csrf_token).values(&token_defaults);
        let close =
            close_form(lang, &s.csrf_token).error_text("confirm_email", lang.catalogue().t("close.mismatch").into());
        let page = account_page(&state, lang, &visitor, s, form, close).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    w.close_account(&s.person).await?;
    w.commit().await?;
    // Who may do what has changed: sessions kept in memory are read again (kit::auth).
    state.after_write().await?;
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, "/area-personale", "", c.t("close.done_title")).last_crumb();
    let page = render(ClosedPage { ctx })?;
    Ok(([(header::SET_COOKIE, auth::expired_cookie(auth::SESSION_COOKIE, state.secure_cookies))], page).into_response())
}

#[derive(Template)]
#[template(path = "accounts/account_closed.html")]
struct ClosedPage {
    ctx: PageContext,
}

async fn privacy(lang: Lang) -> Result<Response, AppError> {
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, "/privacy", "", c.t("privacy.title")).last_crumb();
    Ok(render(PrivacyPage { ctx })?.into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accedi", get(sign_in_get).post(sign_in_post))
        .route("/esci", post(sign_out))
        .route("/area-personale", get(account))
        .route("/area-personale/dati.json", get(my_data))
        .route("/area-personale/token", post(create_token))
        .route("/area-personale/chiudi", post(close_account))
        .route(PASSWORD_SWITCH, post(switch_password_sign_in))
        .route("/area-personale/token/{id}/revoca", post(revoke_token))
        .route("/privacy", get(privacy))
}
