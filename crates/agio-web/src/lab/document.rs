//! The final participatory document (`…/percorso/documento`, with `.json` and `.csv`): the
//! whole path of the process, generated from it — phases, participation figures, every idea
//! with its answer, the vote's results once published, the meetings with their minutes, the
//! pacts. The page prints on its own.

use agio_domain::lab::ProcessDocument;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{csv_bytes, csv_download, render, ToolKind, Tools};
use crate::kit::markdown;
use crate::kit::state::{AppState, PageContext};

/// An idea's row: number, title, supports, vote result, answer, action (code and address).
struct IdeaRow {
    href: String,
    number: i64,
    title: String,
    supports: i64,
    result: String,
    answer: String,
    action: Option<(String, String)>,
}

/// A meeting, ready to show.
struct MeetingView {
    href: String,
    title: String,
    when: String,
    attended: i64,
    minutes_html: String,
    decisions_html: String,
}

#[derive(Template)]
#[template(path = "lab/document.html")]
struct DocumentPage {
    ctx: PageContext,
    tools: Tools,
    d: ProcessDocument,
    generated: String,
    description_html: String,
    phases: Vec<(String, String)>,
    ideas: Vec<IdeaRow>,
    meetings: Vec<MeetingView>,
    /// (address, "Patto n. 1: title", status, duration, parties).
    pacts: Vec<(String, String, String, String, String)>,
    base: String,
}

/// The idea's result in the published vote, or a dash.
fn result_of(d: &ProcessDocument, number: i64) -> String {
    d.results.tally.iter().find(|t| t.number == number).map(|t| t.points.to_string()).unwrap_or_else(|| "—".into())
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let d = agio_app::lab::document(&state, visitor.principal(), &slug).await?;
    let c = lang.catalogue();
    let base = format!("/agende/{slug}/percorso");
    let here = format!("{base}/documento");
    let mut tools = Tools::default();
    tools.add(ToolKind::Other, format!("{here}.csv"), c.t("lab.document_csv"));
    tools.add(ToolKind::Other, format!("{here}.json"), c.t("lab.document_json"));
    let date = |v: &Option<String>| v.as_ref().map(|v| crate::kit::i18n::date(lang, v));
    let phases = d
        .process
        .phases
        .iter()
        .map(|ph| {
            let dates = match (date(&ph.starts_on), date(&ph.ends_on)) {
                (Some(s), Some(e)) => c.fmt("lab.dates", &[("from", &s), ("to", &e)]),
                _ => c.t("lab.no_dates").to_string(),
            };
            (c.label(&ph.kind.label_key()).to_string(), dates)
        })
        .collect();
    let ideas = d
        .ideas
        .iter()
        .map(|i| IdeaRow {
            href: format!("{base}/idee/{}", i.summary.number),
            number: i.summary.number,
            title: i.summary.title.clone(),
            supports: i.summary.supports,
            result: result_of(&d, i.summary.number),
            answer: match i.summary.answer {
                Some(a) => c.label(&a.label_key()).to_string(),
                None => c.t("lab.pending").to_string(),
            },
            action: i.action.as_ref().map(|a| (a.code.clone(), format!("/agende/{slug}/azioni/{}", a.code))),
        })
        .collect();
    let meetings = d
        .meetings
        .iter()
        .map(|m| MeetingView {
            href: format!("{base}/incontri/{}", m.summary.number),
            title: format!("{} — {}", c.label(&m.summary.kind.label_key()), m.summary.title),
            when: super::meetings::when(lang, &m.summary.date, &m.summary.starts, &m.summary.ends),
            attended: m.summary.attended,
            minutes_html: markdown::to_html(&m.minutes),
            decisions_html: markdown::to_html(&m.decisions),
        })
        .collect();
    let pacts = d
        .pacts
        .iter()
        .map(|p| {
            (
                format!("{base}/patti/{}", p.number),
                c.fmt("lab.pact_heading", &[("n", &p.number.to_string()), ("title", &p.title)]),
                c.label(&p.status.label_key()).to_string(),
                super::pacts::duration(lang, p),
                p.parties.join("; "),
            )
        })
        .collect();
    let ctx = PageContext::new(lang, &here, "agendas", c.fmt("lab.document_title", &[("process", &d.process.title)]))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(d.process.agenda_title.clone(), format!("/agende/{slug}"))
        .crumb(d.process.title.clone(), base.clone())
        .last_crumb()
        .demo(d.process.is_demo);
    render(DocumentPage {
        ctx,
        tools,
        generated: crate::kit::i18n::date(lang, &d.generated_at),
        description_html: markdown::to_html(&d.process.description),
        phases,
        ideas,
        meetings,
        pacts,
        base,
        d,
    })
}

async fn json(State(state): State<AppState>, visitor: Visitor, Path(slug): Path<String>) -> Result<Response, AppError> {
    let d = agio_app::lab::document(&state, visitor.principal(), &slug).await?;
    let disposition = format!("attachment; filename=\"percorso-{slug}.json\"");
    Ok(([(header::CONTENT_DISPOSITION, disposition)], Json(d)).into_response())
}

/// One row per idea: what it asked, how much support it got, its place in the vote, the answer.
async fn csv(State(state): State<AppState>, visitor: Visitor, Path(slug): Path<String>) -> Result<Response, AppError> {
    let d = agio_app::lab::document(&state, visitor.principal(), &slug).await?;
    let header = [
        "number",
        "title",
        "author",
        "created_at",
        "state",
        "supports",
        "comments",
        "comune",
        "vote",
        "answer",
        "answer_note",
        "action",
        "merged_into",
    ];
    let bytes = csv_bytes(|out| {
        out.write_record(header)?;
        for i in &d.ideas {
            let s = &i.summary;
            out.write_record([
                s.number.to_string(),
                s.title.clone(),
                s.author.clone().unwrap_or_default(),
                s.created_at.clone(),
                s.state.code().to_string(),
                s.supports.to_string(),
                s.comments.to_string(),
                s.comune.clone().unwrap_or_default(),
                d.results.tally.iter().find(|t| t.number == s.number).map(|t| t.points.to_string()).unwrap_or_default(),
                s.answer.map(|a| a.code().to_string()).unwrap_or_default(),
                i.answer_note.clone(),
                i.action.as_ref().map(|a| a.code.clone()).unwrap_or_default(),
                i.merged_into.map(|n| n.to_string()).unwrap_or_default(),
            ])?;
        }
        Ok(())
    })?;
    Ok(csv_download(&format!("percorso-{slug}.csv"), bytes))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/percorso/documento", get(page))
        .route("/agende/{slug}/percorso/documento.json", get(json))
        .route("/agende/{slug}/percorso/documento.csv", get(csv))
}
