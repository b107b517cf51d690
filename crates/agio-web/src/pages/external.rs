//! `/accedi/oidc`: leave for the external identity provider, and come back.
//!
//! Back from the provider, the identity (issuer, subject) decides: already linked, that person
//! is signed in; a signed-in person links it to their account; an unknown identity whose
//! verified email has an account is linked to it; otherwise a new account (citizen) is made
//! from the verified email and name. An identity without a verified email is refused.

use agio_domain::access::Scope;
use agio_domain::credentials::token_hash;
use agio_domain::{Channel, Role};
use agio_store::{NewPerson, PendingLogin, Person};
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use time::{Duration, OffsetDateTime};

use super::sign_in_message;
use crate::auth::{self, Visitor};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::oidc::Identity;
use crate::query::Params;
use crate::web::AppState;

/// How long a sign-in may stay at the provider.
const LOGIN_LIFETIME: Duration = Duration::minutes(10);

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn refused(lang: Lang, text_key: &str) -> Result<Response, AppError> {
    sign_in_message(lang, "/accedi/oidc/callback", StatusCode::BAD_REQUEST, "external.refused_title", text_key)
}

async fn depart(State(state): State<AppState>, params: Params) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    let departure = oidc.depart();
    let login = PendingLogin {
        nonce: departure.nonce,
        pkce_verifier: departure.pkce_verifier,
        next: auth::safe_next(params.get("next")),
    };
    let expires = rfc3339(OffsetDateTime::now_utc() + LOGIN_LIFETIME);
    state.store.create_oidc_login(&token_hash(&departure.state), &login, &expires).await?;
    Ok(Redirect::to(&departure.url).into_response())
}

/// The account this identity signs in to, linking or creating it as the module says.
async fn account_for(
    state: &AppState,
    visitor: &Visitor,
    issuer: &str,
    identity: &Identity,
) -> Result<Option<Person>, AppError> {
    if let Some(person) = state.store.person_by_identity(issuer, &identity.subject).await? {
        return Ok(Some(person));
    }
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    let person = match (&visitor.signed_in, identity.email.as_deref().filter(|_| identity.email_verified)) {
        (Some(s), _) => s.person.clone(),
        (None, None) => return Ok(None),
        (None, Some(email)) => match state.store.person_by_email(email).await? {
            Some((person, _)) => person,
            None => {
                let new = NewPerson {
                    email: email.to_string(),
                    name: identity.name.clone().unwrap_or_else(|| email.to_string()),
                    organization_name: String::new(),
                    password_hash: None,
                    is_demo: false,
                };
                let person = w.create_person(&new).await?;
                w.grant_role(&person, Role::Citizen, &Scope::Everywhere).await?;
                person
            }
        },
    };
    w.link_identity(&person, issuer, &identity.subject).await?;
    w.commit().await?;
    Ok(Some(person))
}

async fn arrive(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    params: Params,
) -> Result<Response, AppError> {
    let oidc = state.oidc.as_ref().ok_or(AppError::NotFound)?;
    if params.get("error").is_some() {
        return refused(lang, "external.cancelled");
    }
    let (Some(code), Some(state_param)) = (params.get("code"), params.get("state")) else {
        return refused(lang, "external.invalid");
    };
    let now = rfc3339(OffsetDateTime::now_utc());
    let Some(login) = state.store.take_oidc_login(&token_hash(state_param), &now).await? else {
        return refused(lang, "external.invalid");
    };
    let identity = match oidc.arrive(code, &login.nonce, &login.pkce_verifier).await {
        Ok(identity) => identity,
        Err(error) => {
            tracing::warn!(%error, "an external sign-in failed");
            return refused(lang, "external.invalid");
        }
    };
    let Some(person) = account_for(&state, &visitor, &oidc.issuer, &identity).await? else {
        return refused(lang, "external.no_email");
    };
    if visitor.signed_in.as_ref().is_some_and(|s| s.person.id == person.id) {
        return Ok(Redirect::to("/area-personale").into_response());
    }
    let cookie = auth::start_session(&state, &person).await?;
    let location = login.next.parse().map_err(|_| AppError::NotFound)?;
    Ok((StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, location)]).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/accedi/oidc", get(depart)).route("/accedi/oidc/callback", get(arrive))
}
