//! `/area-personale/notifiche`: which of the Community Lab's e-mails a person takes. Every kind
//! is on until they turn it off.

use agio_domain::edit::Reader;
use agio_domain::{Channel, Notification};
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::kit::auth::{SignedInForm, SignedInVisitor};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, FormPage};
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

const HERE: &str = "/area-personale/notifiche";

fn page(lang: Lang, csrf: &str, on: &[&str]) -> FormPage {
    let c = lang.catalogue();
    let kinds = Notification::ALL.iter().map(|k| (k.code().to_string(), c.label(&k.label_key()).to_string())).collect();
    let form = Form::new(HERE, csrf, c.t("edit.save"))
        .field("on", c.t("notifications.field"), Kind::Choices(kinds), false)
        .values(&|name: &str| (name == "on").then(|| on.join("\n")));
    FormPage {
        ctx: PageContext::new(lang, HERE, "", c.t("notifications.title"))
            .crumb(c.t("account.title"), "/area-personale")
            .last_crumb(),
        intro: c.t("notifications.intro").to_string(),
        form,
        back: Some(("/area-personale".to_string(), c.t("edit.cancel").to_string())),
        alternative: None,
        notes: vec![],
        see_first: None,
        more: Vec::new(),
    }
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { session, .. }: SignedInVisitor,
) -> Result<Response, AppError> {
    let off = state.store.notifications_off(&session.person.id).await?;
    let on: Vec<&str> = Notification::ALL.iter().map(|k| k.code()).filter(|k| !off.iter().any(|o| o == k)).collect();
    Ok(axum::response::IntoResponse::into_response(render(page(lang, &session.csrf_token, &on))?))
}

async fn save(
    State(state): State<AppState>,
    SignedInForm { visitor, session, body }: SignedInForm,
) -> Result<Response, AppError> {
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let codes: Vec<String> = Notification::CODES.iter().map(|c| c.to_string()).collect();
    let on = reader.codes("on", &codes, false);
    let off: Vec<Notification> =
        Notification::ALL.iter().copied().filter(|k| !on.iter().any(|o| o == k.code())).collect();
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    w.set_notifications_off(&session.person.id, &session.person.name, &off).await?;
    w.commit().await?;
    Ok(Notice::Saved.redirect(HERE, state.secure_cookies))
}

pub fn router() -> Router<AppState> {
    Router::new().route(HERE, get(show).post(save))
}
