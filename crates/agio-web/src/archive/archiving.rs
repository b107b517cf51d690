//! Archiving pages: a confirmation form with a note (`…/archivia`), a restore button
//! (`…/ripristina`), the banner an archived record's page shows, and an agenda's archive
//! (`/agende/{slug}/archivio`) listing its archived objectives and actions. The rules are in
//! `crate::archive`, shared with the API.

use agio_domain::edit::{FieldError, FieldProblem};
use agio_domain::Channel;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::agenda::parts::PartRow;
use crate::kit::auth::{SignedInForm, SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::layout::ArchivedNote;
use crate::kit::layout::FormPage;
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};
use agio_app::archive::Archiving;

/// The banner of a record's page, if it is archived.
pub(crate) fn archived_note(lang: Lang, visitor: &Visitor, a: &Archiving, here: &str) -> Option<ArchivedNote> {
    let at = a.archived_at.as_deref()?;
    let c = lang.catalogue();
    let restore = match (a.allowed(visitor.principal()), &visitor.signed_in) {
        (Ok(()), Some(s)) => Some((format!("{here}/ripristina"), s.csrf_token.clone())),
        _ => None,
    };
    Some(ArchivedNote { text: c.fmt("archive.banner", &[("date", &crate::kit::i18n::date(lang, at))]), restore })
}

/// Which record an address names.
#[derive(Clone, Copy)]
enum Record {
    Action,
    Objective,
    Organization,
    Union,
}

impl Record {
    async fn find(self, state: &AppState, p: &[String]) -> Result<Archiving, AppError> {
        match (self, p) {
            (Record::Action, [slug, code]) => Ok(Archiving::action(state, slug, code).await?),
            (Record::Objective, [slug, code]) => Ok(Archiving::objective(state, slug, code).await?),
            (Record::Organization, [slug]) => Ok(Archiving::organization(state, slug).await?),
            (Record::Union, [slug]) => Ok(Archiving::union(state, slug).await?),
            _ => Err(AppError::NotFound),
        }
    }

    fn base(self, p: &[String]) -> String {
        match (self, p) {
            (Record::Action, [slug, code]) => format!("/agende/{slug}/azioni/{code}"),
            (Record::Objective, [slug, code]) => format!("/agende/{slug}/obiettivi/{code}"),
            (Record::Organization, [slug]) => format!("/soggetti/{slug}"),
            (_, p) => format!("/territori/unioni/{}", p.join("/")),
        }
    }
}

fn confirmation(lang: Lang, a: &Archiving, here: &str, csrf: &str) -> (FormPage, Form) {
    let c = lang.catalogue();
    let form = Form::new(here.to_string(), csrf, c.t("archive.submit"))
        .field("note", c.t("archive.note"), Kind::Text, true)
        .hint(c.t("archive.note_hint"));
    let ctx = PageContext::new(lang, here, "agendas", c.fmt("archive.title", &[("record", &a.label)])).last_crumb();
    let page = FormPage {
        ctx,
        intro: c.t("archive.intro").to_string(),
        form: form.clone(),
        back: Some((a.page.clone(), c.t("edit.cancel").to_string())),
        alternative: None,
        notes: vec![],
        see_first: None,
        more: Vec::new(),
    };
    (page, form)
}

async fn ask(
    state: &AppState,
    lang: Lang,
    SignedInVisitor { visitor, session: s }: &SignedInVisitor,
    kind: Record,
    p: &[String],
) -> Result<Response, AppError> {
    let here = format!("{}/archivia", kind.base(p));
    let a = kind.find(state, p).await?;
    a.allowed(visitor.principal())?;
    let (page, _) = confirmation(lang, &a, &here, &s.csrf_token);
    Ok(render(page)?.into_response())
}

async fn archive(
    state: &AppState,
    lang: Lang,
    SignedInForm { visitor, session: s, body }: SignedInForm,
    kind: Record,
    p: &[String],
) -> Result<Response, AppError> {
    let a = kind.find(state, p).await?;
    a.allowed(visitor.principal())?;
    let note = body.get("note").unwrap_or_default();
    if note.trim().is_empty() {
        let here = format!("{}/archivia", kind.base(p));
        let (mut page, form) = confirmation(lang, &a, &here, &s.csrf_token);
        let required = [FieldError { field: "note".into(), problem: FieldProblem::Required }];
        page.form = form.errors(&required, lang.catalogue());
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    a.set(state, &visitor.actor(Channel::Form), true, note.trim()).await?;
    Ok(Notice::Archived.redirect(&a.page, state.secure_cookies))
}

async fn restore(
    state: &AppState,
    SignedInForm { visitor, .. }: SignedInForm,
    kind: Record,
    p: &[String],
) -> Result<Response, AppError> {
    let a = kind.find(state, p).await?;
    a.allowed(visitor.principal())?;
    a.set(state, &visitor.actor(Channel::Form), false, "").await?;
    Ok(Notice::Restored.redirect(&a.page, state.secure_cookies))
}

// --- an agenda's archive ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "archive/archive.html")]
struct ArchivePage {
    ctx: PageContext,
    headers: Vec<String>,
    rows: Vec<PartRow>,
    csrf: String,
}

async fn agenda_archive(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, session: s }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let here = format!("/agende/{slug}/archivio");
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(agio_domain::access::Operation::Archive, &agio_domain::access::Target::Agenda(&facts))?;
    let agenda = state.store.agenda(&slug).await?.ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let rows = state
        .store
        .archived_of_agenda(&agenda.id)
        .await?
        .into_iter()
        .map(|x| {
            let (label, segment) =
                if x.is_action { (c.t("archive.action"), "azioni") } else { (c.t("archive.objective"), "obiettivi") };
            PartRow {
                cells: vec![
                    format!("{} — {}", x.code, x.title),
                    label.to_string(),
                    crate::kit::i18n::date(lang, &x.archived_at),
                ],
                post: format!("/agende/{slug}/{segment}/{}/ripristina", x.code),
                edit: None,
            }
        })
        .collect();
    let ctx = PageContext::new(lang, &here, "agendas", c.fmt("archive.agenda_title", &[("agenda", &agenda.title)]))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(agenda.title.clone(), format!("/agende/{slug}"))
        .last_crumb();
    let headers = ["archive.record", "archive.kind", "archive.when"].iter().map(|k| c.t(k).to_string()).collect();
    Ok(render(ArchivePage { ctx, headers, rows, csrf: s.csrf_token.clone() })?.into_response())
}

fn routes(kind: Record) -> (axum::routing::MethodRouter<AppState>, axum::routing::MethodRouter<AppState>) {
    let params = |p: std::collections::HashMap<String, String>| -> Vec<String> {
        ["slug", "code"].iter().filter_map(|k| p.get(*k).cloned()).collect()
    };
    let ask_or_archive = get(
        move |State(state): State<AppState>,
              lang: Lang,
              who: SignedInVisitor,
              Path(p): Path<std::collections::HashMap<String, String>>| async move {
            ask(&state, lang, &who, kind, &params(p)).await
        },
    )
    .post(
        move |State(state): State<AppState>,
              lang: Lang,
              Path(p): Path<std::collections::HashMap<String, String>>,
              form: SignedInForm| async move { archive(&state, lang, form, kind, &params(p)).await },
    );
    let restore = post(
        move |State(state): State<AppState>,
              Path(p): Path<std::collections::HashMap<String, String>>,
              form: SignedInForm| async move { restore(&state, form, kind, &params(p)).await },
    );
    (ask_or_archive, restore)
}

pub fn router() -> Router<AppState> {
    [
        (Record::Action, "/agende/{slug}/azioni/{code}"),
        (Record::Objective, "/agende/{slug}/obiettivi/{code}"),
        (Record::Organization, "/soggetti/{slug}"),
        (Record::Union, "/territori/unioni/{slug}"),
    ]
    .into_iter()
    .fold(Router::new().route("/agende/{slug}/archivio", get(agenda_archive)), |router, (kind, base)| {
        let (archive, restore) = routes(kind);
        router.route(&format!("{base}/archivia"), archive).route(&format!("{base}/ripristina"), restore)
    })
}
