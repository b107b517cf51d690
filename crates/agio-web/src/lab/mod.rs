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
