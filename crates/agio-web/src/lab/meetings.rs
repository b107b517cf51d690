//! A meeting of the Community Lab (`…/percorso/incontri/{n}`): when and where, what will be
//! discussed, seats and the waiting list, and after it the minutes, the decisions of a
//! negotiation table, how many came and the ideas discussed. People register and cancel with a
//! form each (`…/iscriviti`, `…/annulla`).

use super::Numbered;
use agio_domain::access::{Operation, Target};
use agio_domain::document::{DocumentProblem, DOCUMENT_MAX_BYTES};
use agio_domain::lab::{Meeting, Registration};
use agio_domain::{Channel, MeetingKind, Seat};
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::kit::auth::{SignedInForm, Visitor};
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, Tools};
use crate::kit::markdown;
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

#[derive(Template)]
#[template(path = "lab/meeting.html")]
struct MeetingPage {
    ctx: PageContext,
    tools: Tools,
    m: Meeting,
    when: String,
    seats: String,
    agenda_html: String,
    minutes_html: String,
    decisions_html: String,
    ideas_base: String,
    here: String,
    /// The reader's registration, and the form token when they may register or cancel.
    registration: Option<Registration>,
    csrf: Option<String>,
    sign_in: Option<String>,
    past: bool,
    /// Its documents: (address, name, size).
    documents: Vec<(String, String, String)>,
    /// The coordinators' form token, for adding and removing documents.
    manage: Option<String>,
    /// Why the document just sent was refused.
    upload_error: Option<String>,
}

impl MeetingPage {
    fn is_table(&self) -> bool {
        self.m.summary.kind == MeetingKind::NegotiationTable
    }

    fn waiting(&self) -> bool {
        self.registration.is_some_and(|r| r.seat == Seat::Waiting)
    }
}

/// "sabato 13 febbraio 2027, 09:30–13:00" (or the date alone).
pub(crate) fn when(lang: Lang, date: &str, starts: &Option<String>, ends: &Option<String>) -> String {
    let day = crate::kit::i18n::date(lang, date);
    match (starts, ends) {
        (Some(s), Some(e)) => format!("{day}, {s}–{e}"),
        (Some(s), None) => format!("{day}, {s}"),
        _ => day,
    }
}

/// "12 iscritti su 40 posti, 3 in attesa", or without a limit "12 iscritti".
pub(crate) fn seats(lang: Lang, s: &agio_domain::lab::MeetingSummary) -> String {
    let c = lang.catalogue();
    let registered = s.registered.to_string();
    let mut text = match s.capacity {
        Some(cap) => c.fmt("lab.seats_of", &[("n", &registered), ("of", &cap.to_string())]),
        None => c.fmt("lab.seats", &[("n", &registered)]),
    };
    if s.waiting > 0 {
        text.push_str(&c.fmt("lab.waiting_count", &[("n", &s.waiting.to_string())]));
    }
    text
}

/// Today, as the meetings' dates are written.
fn today(state: &AppState) -> String {
    let d = state.clock.now().date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Numbered { slug, number, .. }: Numbered,
) -> Result<Html<String>, AppError> {
    render(meeting_page(&state, lang, &visitor, &slug, number, None).await?)
}

async fn meeting_page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    number: i64,
    upload_error: Option<String>,
) -> Result<MeetingPage, AppError> {
    let (facts, p, m) = agio_app::lab_meetings::meeting(state, visitor.principal(), slug, number).await?;
    let c = lang.catalogue();
    let here = format!("/agende/{slug}/percorso/incontri/{number}");
    let tools = super::record_tools(lang, visitor, &facts, &here, ("presenze", "lab.attendance_tool"));
    let past = m.summary.date < today(state);
    let registration = match visitor.principal() {
        Some(who) => state.store.lab_registration(&m.id, &who.person_id).await?,
        None => None,
    };
    let may = visitor.may(Operation::Participate, &Target::Agenda(&facts));
    let csrf = visitor.signed_in.as_ref().filter(|_| may && !past).map(|s| s.csrf_token.clone());
    let sign_in = (visitor.signed_in.is_none() && !past).then(|| format!("/accedi?next={here}"));
    let title = format!("{} — {}", c.label(&m.summary.kind.label_key()), m.summary.title);
    let ctx = PageContext::new(lang, &here, "agendas", title)
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(p.agenda_title.clone(), format!("/agende/{slug}"))
        .crumb(p.title.clone(), format!("/agende/{slug}/percorso"))
        .last_crumb()
        .demo(m.summary.is_demo);
    let documents = m
        .documents
        .iter()
        .map(|d| (format!("{here}/documenti/{}", d.id), d.name.clone(), crate::kit::i18n::size(lang, d.size)))
        .collect();
    let manage = visitor
        .signed_in
        .as_ref()
        .filter(|_| visitor.may(Operation::Edit, &Target::Agenda(&facts)))
        .map(|s| s.csrf_token.clone());
    Ok(MeetingPage {
        ctx,
        tools,
        documents,
        manage,
        upload_error,
        when: when(lang, &m.summary.date, &m.summary.starts, &m.summary.ends),
        seats: seats(lang, &m.summary),
        agenda_html: markdown::to_html(&m.agenda),
        minutes_html: markdown::to_html(&m.minutes),
        decisions_html: markdown::to_html(&m.decisions),
        ideas_base: format!("/agende/{slug}/percorso/idee"),
        here,
        registration,
        csrf,
        sign_in,
        past,
        m,
    })
}

/// A document added to the meeting (the coordinators); refused, on the meeting's page, with
/// the reason.
async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Numbered { slug, number, .. }: Numbered,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (name, data, csrf) = crate::kit::upload::file_and_token(multipart, DOCUMENT_MAX_BYTES).await?;
    visitor.check_csrf(csrf.as_deref())?;
    let actor = visitor.actor(Channel::Form);
    let added = agio_app::lab_meetings::add_document(&state, visitor.principal(), &actor, &slug, number, &name, data);
    let c = lang.catalogue();
    let why = match added.await? {
        Ok(_) => {
            let here = format!("/agende/{slug}/percorso/incontri/{number}#documenti");
            return Ok(Notice::Saved.redirect(&here, state.secure_cookies));
        }
        Err(DocumentProblem::Empty) => c.t("lab.document_empty").to_string(),
        Err(DocumentProblem::TooLarge) => c.t("lab.document_too_large").to_string(),
        Err(DocumentProblem::NotAllowed(kinds)) => c.fmt("lab.document_kind", &[("kinds", &kinds.join(", "))]),
    };
    let page = render(meeting_page(&state, lang, &visitor, &slug, number, Some(why)).await?)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// A document of the meeting, to save.
async fn document(
    State(state): State<AppState>,
    visitor: Visitor,
    Numbered { slug, number, part: id }: Numbered,
) -> Result<Response, AppError> {
    let (_, _, m) = agio_app::lab_meetings::meeting(&state, visitor.principal(), &slug, number).await?;
    let (d, data) = state.store.lab_meeting_document(&m.id, &id).await?.ok_or(AppError::NotFound)?;
    Ok(crate::kit::layout::download(&d.name, &d.content_type, data))
}

/// A document removed from the meeting (the coordinators).
async fn remove(
    State(state): State<AppState>,
    Numbered { slug, number, part: id }: Numbered,
    SignedInForm { visitor, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let actor = visitor.actor(Channel::Form);
    agio_app::lab_meetings::remove_document(&state, visitor.principal(), &actor, &slug, number, &id).await?;
    let here = format!("/agende/{slug}/percorso/incontri/{number}#documenti");
    Ok(Notice::Saved.redirect(&here, state.secure_cookies))
}

async fn register(
    State(state): State<AppState>,
    Numbered { slug, number, part: act }: Numbered,
    SignedInForm { visitor, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let who = visitor.principal().ok_or(AppError::Forbidden)?;
    let cancel = match act.as_str() {
        "iscriviti" => false,
        "annulla" => true,
        _ => return Err(AppError::NotFound),
    };
    let actor = visitor.actor(Channel::Form);
    let seat = agio_app::lab_meetings::register(&state, who, &actor, &slug, number, &today(&state), cancel).await?;
    let notice = match (cancel, seat) {
        (true, _) => Notice::Cancelled,
        (false, Some(Seat::Waiting)) => Notice::Waiting,
        (false, _) => Notice::Enrolled,
    };
    Ok(notice.redirect(&format!("/agende/{slug}/percorso/incontri/{number}"), state.secure_cookies))
}

pub fn router() -> Router<AppState> {
    // The form's other fields are small: the body may be the largest document and a little more.
    let upload_limit = DefaultBodyLimit::max(DOCUMENT_MAX_BYTES + 64 * 1024);
    Router::new()
        .route("/agende/{slug}/percorso/incontri/{number}", get(show))
        .route("/agende/{slug}/percorso/incontri/{number}/{act}", post(register))
        .route("/agende/{slug}/percorso/incontri/{number}/documenti", post(upload).layer(upload_limit))
        .route("/agende/{slug}/percorso/incontri/{number}/documenti/{id}", get(document))
        .route("/agende/{slug}/percorso/incontri/{number}/documenti/{id}/elimina", post(remove))
}
