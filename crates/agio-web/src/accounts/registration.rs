//! Self-registration (`/registrati`, served under `/accedi` where the anonymous forms' token
//! cookie lives): a display name, an e-mail address, a password and the privacy notice
//! accepted. Nothing is created until the link sent to the address is followed and confirmed
//! (a button, so that a mail scanner opening the link creates nothing); the answer is the same
//! whether or not the address already has an account, which is told so by mail instead.

use agio_app::Context;
use agio_domain::access::Scope;
use agio_domain::credentials::{check_password, new_token, token_hash};
use agio_domain::edit::{FieldProblem, Reader};
use agio_domain::{Channel, Role};
use agio_store::{Attempt, NewPerson, PendingRegistration, ThrottlePolicy};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use time::{Duration, OffsetDateTime};

use crate::accounts::sign_in_message;
use crate::kit::auth::{CheckedForm, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, with_form_cookie, FormPage};
use crate::kit::personal::Notice;
use crate::kit::query::LinkToken;
use crate::kit::state::{AppState, PageContext};

/// How long a confirmation link works.
const LINK_LIFETIME: Duration = Duration::hours(24);
/// Registrations asked for from one address in the window.
const POLICY: ThrottlePolicy =
    ThrottlePolicy { free: 10, window: Duration::minutes(15), longest_wait: Duration::minutes(15) };
const HERE: &str = "/accedi/registrati";

fn form(lang: Lang, csrf: &str) -> Form {
    let c = lang.catalogue();
    let privacy = vec![("accepted".to_string(), c.t("register.privacy_accept").to_string())];
    Form::new(HERE, csrf, c.t("register.submit"))
        .field("name", c.t("register.name"), Kind::Line, true)
        .hint(c.t("register.name_hint"))
        .autocomplete("nickname")
        .field("email", c.t("sign_in.email"), Kind::Email, true)
        .autocomplete("email")
        .field("password", c.t("reset.new_password"), Kind::Password, true)
        .hint(c.t("reset.password_hint"))
        .autocomplete("new-password")
        .field("privacy", c.t("register.privacy"), Kind::Choices(privacy), true)
        .hint(c.t("register.privacy_hint"))
}

fn page(lang: Lang, here: &str, title_key: &str, intro_key: &str, form: Form) -> FormPage {
    let c = lang.catalogue();
    FormPage {
        ctx: PageContext::new(lang, here, "", c.t(title_key)).crumb(c.t("sign_in.title"), "/accedi").last_crumb(),
        intro: c.t(intro_key).to_string(),
        form,
        back: Some(("/accedi".to_string(), c.t("register.have_account").to_string())),
        alternative: None,
        notes: vec![c.t("register.note").to_string()],
        see_first: None,
        more: Vec::new(),
    }
}

/// The registration form, and registration through the identity provider where one is
/// configured (a new identity becomes an account at its first sign-in, see `external`).
fn ask_page(state: &AppState, lang: Lang, form: Form) -> FormPage {
    let mut page = page(lang, HERE, "register.title", "register.intro", form);
    if let Some(oidc) = &state.oidc {
        let label = lang.catalogue().fmt("register.with_oidc", &[("provider", &oidc.label)]);
        page.alternative = Some(("/accedi/oidc".to_string(), label));
    }
    page
}

async fn show(State(state): State<AppState>, lang: Lang, visitor: Visitor) -> Result<Response, AppError> {
    let (csrf, cookie) = visitor.csrf_token(state.secure_cookies);
    Ok(with_form_cookie(cookie, render(ask_page(&state, lang, form(lang, &csrf)))?))
}

async fn ask(
    State(state): State<AppState>,
    lang: Lang,
    CheckedForm { visitor, body }: CheckedForm,
) -> Result<Response, AppError> {
    let c = lang.catalogue();
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let name = reader.line("name");
    let email = reader.line("email");
    if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace)) {
        reader.fail("email", FieldProblem::NotAnEmail);
    }
    if body.get("privacy").as_deref() != Some("accepted") {
        reader.fail("privacy", FieldProblem::Required);
    }
    let password = body.get("password").unwrap_or_default();
    let weak = check_password(&password, &email).err();
    let (csrf, _) = visitor.csrf_token(state.secure_cookies);
    let errors = reader.errors.clone();
    if !errors.is_empty() || weak.is_some() {
        let mut form = form(lang, &csrf).values(&|n: &str| if n == "password" { None } else { body.get(n) });
        form = form.errors(&errors, c);
        if let Some(problem) = weak {
            form = form.error_text("password", c.t(problem.label_key()).to_string());
        }
        let html = render(ask_page(&state, lang, form))?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response());
    }
    let scope = format!("register:{}", visitor.address);
    if let Attempt::Wait(wait) = state.store.take_attempt(&scope, &POLICY, state.clock.now()).await? {
        return Err(AppError::TooManyAttempts { wait });
    }
    match state.store.person_by_email(&email).await? {
        // The address has an account: it is told so, and how to get in.
        Some((person, _)) => {
            let text = c.fmt(
                "register.mail_known",
                &[("name", &person.name), ("link", &format!("{}/accedi/recupero", state.base_url))],
            );
            state.mailer.send(&state.store, lang, &person.email, c.t("register.mail_subject"), &text).await;
        }
        None => {
            let token = new_token();
            let expires = (OffsetDateTime::now_utc() + LINK_LIFETIME)
                .format(&time::format_description::well_known::Rfc3339)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            let password_hash = crate::accounts::sign_in::hash_password(&password).await?;
            let pending = PendingRegistration { email: email.clone(), name: name.clone(), password_hash };
            state.store.create_registration(&token_hash(&token), &pending, &expires).await?;
            let link = format!("{}{HERE}/conferma?token={token}", state.base_url);
            let text = c.fmt("register.mail_body", &[("name", &name), ("link", &link)]);
            state.mailer.send(&state.store, lang, &email, c.t("register.mail_subject"), &text).await;
        }
    }
    // The same answer whether or not the address has an account.
    Ok(Redirect::to(&format!("{HERE}/inviata")).into_response())
}

async fn sent(lang: Lang) -> Result<Response, AppError> {
    sign_in_message(lang, &format!("{HERE}/inviata"), StatusCode::OK, "register.title", "register.sent")
}

/// A link that expired or was used: 410 Gone, with the page that says so.
fn dead_link(lang: Lang) -> Result<Response, AppError> {
    sign_in_message(lang, &format!("{HERE}/conferma"), StatusCode::GONE, "register.invalid_title", "register.invalid")
}

fn confirm_form(lang: Lang, csrf: &str, token: &str) -> Form {
    let action = format!("{HERE}/conferma?token={}", crate::kit::query::encode(token));
    Form::new(action, csrf, lang.catalogue().t("register.confirm"))
}

async fn confirm_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    LinkToken(token): LinkToken,
) -> Result<Response, AppError> {
    let Some(pending) = state.store.registration(&token_hash(&token)).await? else { return dead_link(lang) };
    let (csrf, cookie) = visitor.csrf_token(state.secure_cookies);
    let here = format!("{HERE}/conferma");
    let mut p =
        page(lang, &here, "register.confirm_title", "register.confirm_intro", confirm_form(lang, &csrf, &token));
    p.notes = vec![lang.catalogue().fmt("register.confirm_who", &[("name", &pending.name), ("email", &pending.email)])];
    p.back = None;
    Ok(with_form_cookie(cookie, render(p)?))
}

async fn confirm_post(
    State(state): State<AppState>,
    lang: Lang,
    LinkToken(token): LinkToken,
    CheckedForm { visitor, .. }: CheckedForm,
) -> Result<Response, AppError> {
    let hash = token_hash(&token);
    let Some(pending) = state.store.registration(&hash).await? else { return dead_link(lang) };
    // Single use: only the first of two racing confirmations gets here.
    if !state.store.take_registration(&hash).await? {
        return dead_link(lang);
    }
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    let new = NewPerson {
        email: pending.email,
        name: pending.name,
        organization_name: String::new(),
        password_hash: Some(pending.password_hash),
        is_demo: false,
    };
    match w.create_person(&new).await {
        Ok(person) => {
            w.grant_role(&person, Role::Citizen, &Scope::Everywhere).await?;
            w.commit().await?;
            state.after_write().await?;
            Ok(Notice::Registered.redirect("/accedi", state.secure_cookies))
        }
        // The address got an account meanwhile (an invitation): nothing to create.
        Err(agio_store::StoreError::Conflict(_)) => dead_link(lang),
        Err(e) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/registrati", get(|| async { Redirect::permanent(HERE) }))
        .route(HERE, get(show).post(ask))
        .route("/accedi/registrati/inviata", get(sent))
        .route("/accedi/registrati/conferma", get(confirm_get).post(confirm_post))
}
