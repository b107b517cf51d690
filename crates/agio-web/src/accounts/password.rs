//! Forgotten password: a link by email, valid 30 minutes, usable once; the same answer whether
//! or not the address has an account. And the administrators' view of the outbox.

use agio_app::Context;
use agio_domain::access::{Operation, Target};
use agio_domain::credentials::{check_password, new_token, token_hash};
use agio_domain::Channel;
use agio_store::{Attempt, OutboxMessage, ThrottlePolicy};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use time::{Duration, OffsetDateTime};

use crate::accounts::sign_in_message;
use crate::kit::auth::{CheckedForm, SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::Lang;
use crate::kit::layout::FormPage;
use crate::kit::layout::{render, with_form_cookie};
use crate::kit::query::LinkToken;
use crate::kit::state::{AppState, PageContext};

/// How long a reset link works.
pub const RESET_LIFETIME: Duration = Duration::minutes(30);
/// Reset requests accepted from one address in the failure window.
const RESET_POLICY: ThrottlePolicy =
    ThrottlePolicy { free: 10, window: Duration::minutes(15), longest_wait: Duration::minutes(15) };

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn message(lang: Lang, here: &str, title_key: &str, text_key: &str) -> Result<Response, AppError> {
    sign_in_message(lang, here, StatusCode::OK, title_key, text_key)
}

/// A link that expired or was used: 410 Gone, with the page that says so.
fn dead_link(lang: Lang) -> Result<Response, AppError> {
    sign_in_message(lang, "/accedi/nuova-password", StatusCode::GONE, "reset.invalid_title", "reset.invalid")
}

fn request_form(lang: Lang, csrf: &str) -> Form {
    let c = lang.catalogue();
    Form::new("/accedi/recupero", csrf, c.t("reset.send"))
        .field("email", c.t("sign_in.email"), Kind::Email, true)
        .autocomplete("username")
}

fn form_page(lang: Lang, here: &str, title_key: &str, intro_key: &str, form: Form) -> FormPage {
    let c = lang.catalogue();
    FormPage {
        ctx: PageContext::new(lang, here, "", c.t(title_key)).crumb(c.t("sign_in.title"), "/accedi").last_crumb(),
        intro: c.t(intro_key).to_string(),
        form,
        back: None,
        alternative: None,
        notes: vec![],
        see_first: None,
        more: Vec::new(),
    }
}

async fn request_get(State(state): State<AppState>, lang: Lang, visitor: Visitor) -> Result<Response, AppError> {
    let (csrf, cookie) = visitor.csrf_token(state.secure_cookies);
    let page = form_page(lang, "/accedi/recupero", "reset.title", "reset.intro", request_form(lang, &csrf));
    Ok(with_form_cookie(cookie, render(page)?))
}

async fn request_post(
    State(state): State<AppState>,
    lang: Lang,
    CheckedForm { visitor, body }: CheckedForm,
) -> Result<Response, AppError> {
    let email = body.get("email").unwrap_or_default();
    let scope = format!("reset:{}", visitor.address);
    if let Attempt::Wait(wait) = state.store.take_attempt(&scope, &RESET_POLICY, state.clock.now()).await? {
        return Err(AppError::TooManyAttempts { wait });
    }
    if let Some((person, _)) = state.store.person_by_email(&email).await? {
        let token = new_token();
        let expires = rfc3339(OffsetDateTime::now_utc() + RESET_LIFETIME);
        state.store.create_password_reset(&token_hash(&token), &person.id, &expires).await?;
        let c = lang.catalogue();
        let link = format!("{}/accedi/nuova-password?token={token}", state.base_url);
        let text = c.fmt("reset.mail_body", &[("name", &person.name), ("link", &link)]);
        state.mailer.send(&state.store, lang, &person.email, c.t("reset.mail_subject"), &text).await;
    }
    // The same answer whether or not the address has an account.
    Ok(Redirect::to("/accedi/recupero/inviato").into_response())
}

async fn request_sent(lang: Lang) -> Result<Response, AppError> {
    message(lang, "/accedi/recupero/inviato", "reset.title", "reset.sent")
}

fn new_password_form(lang: Lang, csrf: &str, token: &str) -> Form {
    let c = lang.catalogue();
    Form::new(format!("/accedi/nuova-password?token={}", crate::kit::query::encode(token)), csrf, c.t("reset.save"))
        .field("password", c.t("reset.new_password"), Kind::Password, true)
        .hint(c.t("reset.password_hint"))
        .autocomplete("new-password")
        .field("confirm", c.t("reset.confirm"), Kind::Password, true)
        .autocomplete("new-password")
}

/// The person a valid token is for, or the "expired link" page.
async fn reset_person(state: &AppState, token: &str) -> Result<Option<agio_store::Person>, AppError> {
    let now = rfc3339(OffsetDateTime::now_utc());
    match state.store.password_reset_person(&token_hash(token), &now).await? {
        Some(id) => Ok(state.store.person(&id).await?),
        None => Ok(None),
    }
}

async fn new_password_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    LinkToken(token): LinkToken,
) -> Result<Response, AppError> {
    if reset_person(&state, &token).await?.is_none() {
        return dead_link(lang);
    }
    let (csrf, cookie) = visitor.csrf_token(state.secure_cookies);
    let here = format!("/accedi/nuova-password?token={}", crate::kit::query::encode(&token));
    let page = form_page(lang, &here, "reset.new_title", "reset.new_intro", new_password_form(lang, &csrf, &token));
    Ok(with_form_cookie(cookie, render(page)?))
}

async fn new_password_post(
    State(state): State<AppState>,
    lang: Lang,
    LinkToken(token): LinkToken,
    CheckedForm { visitor, body }: CheckedForm,
) -> Result<Response, AppError> {
    let Some(person) = reset_person(&state, &token).await? else {
        return dead_link(lang);
    };
    let password = body.get("password").unwrap_or_default();
    let problem = match check_password(&password, &person.email) {
        Err(problem) => Some(("password", lang.catalogue().t(problem.label_key()).to_string())),
        Ok(()) if body.get("confirm").as_deref() != Some(password.as_str()) => {
            Some(("confirm", lang.catalogue().t("reset.mismatch").to_string()))
        }
        Ok(()) => None,
    };
    if let Some((field, text)) = problem {
        let (csrf, _) = visitor.csrf_token(state.secure_cookies);
        // The policy's own sentence, next to the field and in the summary.
        let form = new_password_form(lang, &csrf, &token).error_text(field, text);
        let here = format!("/accedi/nuova-password?token={}", crate::kit::query::encode(&token));
        let page = form_page(lang, &here, "reset.new_title", "reset.new_intro", form);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    // Single use: only the first of two racing submissions gets here.
    if !state.store.use_password_reset(&token_hash(&token)).await? {
        return dead_link(lang);
    }
    let hash = crate::accounts::sign_in::hash_password(&password).await?;
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    w.set_password_hash(&person, &hash, "reset link").await?;
    w.commit().await?;
    state.store.delete_sessions_of(&person.id).await?;
    // Who may do what has changed: sessions kept in memory are read again (kit::auth).
    state.after_write().await?;
    state.store.expire_password_resets(&person.id).await?;
    message(lang, "/accedi/nuova-password", "reset.done_title", "reset.done")
}

#[derive(Template)]
#[template(path = "accounts/outbox.html")]
struct OutboxPage {
    ctx: PageContext,
    messages: Vec<OutboxMessage>,
}

/// What AGIO would have emailed, when no SMTP server is configured (administrators only).
async fn outbox(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
) -> Result<Response, AppError> {
    visitor.require(Operation::Administer, &Target::Region)?;
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, "/amministrazione/posta", "", c.t("outbox.title"))
        .crumb(c.t("account.title"), "/area-personale")
        .last_crumb();
    let messages = state.store.outbox(200).await?;
    Ok(render(OutboxPage { ctx, messages })?.into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/accedi/recupero", get(request_get).post(request_post))
        .route("/accedi/recupero/inviato", get(request_sent))
        .route("/accedi/nuova-password", get(new_password_get).post(new_password_post))
        .route("/amministrazione/posta", get(outbox))
}
