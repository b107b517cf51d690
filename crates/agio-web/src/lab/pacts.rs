//! A collaboration pact of the Community Lab (`…/percorso/patti/{n}`): its parties, object,
//! the good or service concerned, each party's commitments, duration, status, reporting dates
//! and its reports, and the action of the agenda it carries out.

use super::Numbered;
use agio_domain::lab::Pact;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, Tools};
use crate::kit::markdown;
use crate::kit::state::{AppState, PageContext};

#[derive(Template)]
#[template(path = "lab/pact.html")]
struct PactPage {
    ctx: PageContext,
    tools: Tools,
    p: Pact,
    status: String,
    duration: String,
    object_html: String,
    commitments_html: String,
    reporting_dates: Vec<String>,
    /// (date, text as HTML).
    reports: Vec<(String, String)>,
    action_href: Option<String>,
}

/// "dal 1 marzo 2025 al 31 dicembre 2027".
pub(crate) fn duration(lang: Lang, p: &Pact) -> String {
    let c = lang.catalogue();
    let d = |v: &String| crate::kit::i18n::date(lang, v);
    match (&p.starts_on, &p.ends_on) {
        (Some(s), Some(e)) => c.fmt("lab.dates", &[("from", &d(s)), ("to", &d(e))]),
        (Some(s), None) => c.fmt("lab.from", &[("from", &d(s))]),
        (None, Some(e)) => c.fmt("lab.until", &[("to", &d(e))]),
        (None, None) => c.t("lab.no_dates").to_string(),
    }
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Numbered { slug, number, .. }: Numbered,
) -> Result<Html<String>, AppError> {
    let (facts, process, p) = agio_app::lab_pacts::pact(&state, visitor.principal(), &slug, number).await?;
    let c = lang.catalogue();
    let here = format!("/agende/{slug}/percorso/patti/{number}");
    let tools = super::record_tools(lang, &visitor, &facts, &here, ("rendiconti/nuovo", "lab.add_report"));
    let ctx = PageContext::new(
        lang,
        &here,
        "agendas",
        c.fmt("lab.pact_heading", &[("n", &number.to_string()), ("title", &p.title)]),
    )
    .crumb(c.t("agendas.title"), "/agende")
    .crumb(process.agenda_title.clone(), format!("/agende/{slug}"))
    .crumb(process.title.clone(), format!("/agende/{slug}/percorso"))
    .last_crumb()
    .demo(p.is_demo);
    render(PactPage {
        ctx,
        tools,
        status: c.label(&p.status.label_key()).to_string(),
        duration: duration(lang, &p),
        object_html: markdown::to_html(&p.object),
        commitments_html: markdown::to_html(&p.commitments),
        reporting_dates: p.reporting_dates.iter().map(|d| crate::kit::i18n::date(lang, d)).collect(),
        reports: p
            .reports
            .iter()
            .map(|r| (crate::kit::i18n::date(lang, &r.date), markdown::to_html(&r.text)))
            .collect(),
        action_href: p.action.as_ref().map(|a| format!("/agende/{slug}/azioni/{}", a.code)),
        p,
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/agende/{slug}/percorso/patti/{number}", get(show))
}
