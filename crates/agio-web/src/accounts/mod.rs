//! Accounts: signing in (password, e-mail link, an external OpenID provider), the personal
//! area and its access tokens, password recovery, people and their roles, privacy.

mod account;
mod external;
pub mod national;
mod notifications;
pub mod oidc;
mod password;
mod people;
mod registration;
pub(crate) mod sign_in;

use axum::Router;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, MessagePage};
use crate::kit::state::{AppState, PageContext};

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(account::router())
        .merge(password::router())
        .merge(registration::router())
        .merge(notifications::router())
        .merge(people::router())
        .merge(external::router())
}

/// A page that only says something about signing in (a link sent, a link dead, a refusal),
/// with the way back to the sign-in page.
pub(crate) fn sign_in_message(
    lang: Lang,
    here: &str,
    status: axum::http::StatusCode,
    title_key: &str,
    text_key: &str,
) -> Result<axum::response::Response, AppError> {
    use axum::response::IntoResponse;
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, here, "", c.t(title_key)).last_crumb();
    let link = Some(("/accedi".to_string(), c.t("sign_in.title").to_string()));
    Ok((status, render(MessagePage { ctx, text: c.t(text_key).to_string(), link })?).into_response())
}
