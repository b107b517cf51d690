//! The Community Lab (step 2 of the regional method, *realizzazione*): an agenda's
//! participatory process and its phases, the ideas people propose with their supports,
//! comments and moderation, and the coordinators' answers that carry ideas into actions.
//! The rules are in `agio_app::lab`, the storage in `agio_store`'s `write/lab.rs`.

pub(crate) mod decidim;
mod document;
mod editing;
mod ideas;
mod meetings;
pub(crate) mod notify;
mod pacts;
pub(crate) mod process;
mod representatives;
mod vote;

pub(crate) use ideas::idea_filter;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::Router;

use agio_domain::access::{AgendaFacts, Operation, Target};

use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{ToolKind, Tools};
use crate::kit::state::AppState;

/// The coordinators' tools on a record of the process at `here`: edit it, and `more`
/// (a step below `here`, its label's key).
pub(crate) fn record_tools(
    lang: Lang,
    visitor: &Visitor,
    facts: &AgendaFacts,
    here: &str,
    more: (&str, &str),
) -> Tools {
    let c = lang.catalogue();
    let mut tools = Tools::default();
    if visitor.may(Operation::Edit, &Target::Agenda(facts)) {
        tools.add(ToolKind::Main, format!("{here}/modifica"), c.t("edit.edit"));
        tools.add(ToolKind::Other, format!("{here}/{}", more.0), c.t(more.1));
    }
    tools
}

/// The address of a numbered record of an agenda's process (an idea, a meeting, a pact):
/// `/agende/{slug}/percorso/…/{number}`, and the segment after the number when the route has
/// one (`part`, empty otherwise). A number that is not a positive integer names nothing (404).
pub(crate) struct Numbered {
    pub slug: String,
    pub number: i64,
    pub part: String,
}

impl FromRequestParts<AppState> for Numbered {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Numbered, AppError> {
        let Path(mut segments) =
            Path::<Vec<String>>::from_request_parts(parts, state).await.map_err(|_| AppError::NotFound)?;
        let part = if segments.len() > 2 { segments.pop().unwrap_or_default() } else { String::new() };
        let (Some(number), Some(slug)) = (segments.pop(), segments.pop()) else { return Err(AppError::NotFound) };
        Ok(Numbered { slug, number: self::number(&number)?, part })
    }
}

/// An idea's or a meeting's number from its address: anything else names nothing (404).
pub(crate) fn number(segment: &str) -> Result<i64, AppError> {
    segment.parse::<i64>().ok().filter(|n| *n > 0).ok_or(AppError::NotFound)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(process::router())
        .merge(ideas::router())
        .merge(vote::router())
        .merge(meetings::router())
        .merge(pacts::router())
        .merge(document::router())
        .merge(decidim::router())
        .merge(representatives::router())
        .merge(editing::router())
}
