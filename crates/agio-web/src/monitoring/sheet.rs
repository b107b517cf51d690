//! The spreadsheet round trip of an agenda's values: the template with what is stored
//! (`…/monitoraggio/valori.xlsx`, `.csv`), the upload (`…/monitoraggio/importa`), read in the
//! background with its progress on the import's page (`…/monitoraggio/importazioni/{id}`),
//! which then lists every problem by sheet, row and column, or what would change, to confirm
//! (`…/conferma`): all of it at once, or nothing. The rules are `agio_app::monitoring_sheet`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use agio_app::monitoring_sheet::{self as sheet, CellError, FileProblem, Plan, COLUMNS};
use agio_app::Context;
use agio_domain::access::Principal;
use agio_domain::Channel;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::agenda::period_label;
use super::shown;
use crate::kit::auth::{SignedInForm, SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::problem_text;
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::{download, render};
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Files up to this size are checked before the upload is answered; larger ones in the background.
const CHECKED_AT_ONCE_BYTES: usize = 256 * 1024;
/// A reading that has not moved for this long was cut short (the server stopped).
const STALLED_MINUTES: i64 = 10;

async fn export(
    State(state): State<AppState>,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (_, rows) = sheet::export(&state.store, visitor.principal(), &slug).await?;
    match file.as_str() {
        "valori.xlsx" => Ok(download(&format!("valori-{slug}.xlsx"), XLSX, sheet::xlsx(&rows)?)),
        "valori.csv" => Ok(download(&format!("valori-{slug}.csv"), "text/csv; charset=utf-8", sheet::csv(&rows)?)),
        _ => Err(AppError::NotFound),
    }
}

/// One import in the list.
struct ImportLine {
    href: String,
    when: String,
    file_name: String,
    status: String,
}

#[derive(Template)]
#[template(path = "monitoring/upload.html")]
struct UploadPage {
    ctx: PageContext,
    here: String,
    csrf: String,
    problem: Option<String>,
    template_xlsx: String,
    template_csv: String,
    imports: Vec<ImportLine>,
    max_mb: usize,
}

/// Whether `visitor` reads an import: its author, or a coordinator of the agenda (its preview
/// shows values of every organisation it touches).
fn reads(state_facts: &agio_domain::access::AgendaFacts, visitor: &Visitor, i: &agio_store::MonitoringImport) -> bool {
    use agio_domain::access::{Operation, Target};
    let mine = visitor.principal().is_some_and(|p| i.person_id.as_deref() == Some(p.person_id.as_str()));
    mine || visitor.may(Operation::Review, &Target::Agenda(state_facts))
}

/// The status of an import as people read it (a reading cut short counts as failed).
fn status_of(c: &Catalogue, i: &agio_store::MonitoringImport) -> String {
    c.t(&format!("sheet.status.{}", effective_status(i))).to_string()
}

fn effective_status(i: &agio_store::MonitoringImport) -> &str {
    if i.status == "reading" && stalled(&i.updated_at) {
        "interrupted"
    } else {
        &i.status
    }
}

fn stalled(updated_at: &str) -> bool {
    let format = time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(updated_at, &format)
        .is_ok_and(|at| time::OffsetDateTime::now_utc() - at > time::Duration::minutes(STALLED_MINUTES))
}

async fn upload_page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    problem: Option<String>,
) -> Result<UploadPage, AppError> {
    // Only those who enter or approve values import them.
    let (title, _) = sheet::export(&state.store, visitor.principal(), slug).await?;
    let facts = state.store.agenda_facts(slug).await?.ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let base = format!("/agende/{slug}/monitoraggio");
    let imports = state
        .store
        .monitoring_imports(&facts.agenda_id)
        .await?
        .iter()
        .filter(|i| reads(&facts, visitor, i))
        .map(|i| ImportLine {
            href: format!("{base}/importazioni/{}", i.id),
            when: crate::kit::i18n::date(lang, &i.created_at),
            file_name: i.file_name.clone(),
            status: status_of(c, i),
        })
        .collect();
    let here = format!("{base}/importa");
    let ctx = PageContext::new(lang, &here, "agendas", c.t("sheet.upload_title"))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(title, format!("/agende/{slug}"))
        .crumb(c.t("monitoring.short"), base.clone())
        .last_crumb();
    Ok(UploadPage {
        ctx,
        here,
        csrf: visitor.csrf_token(state.secure_cookies).0,
        problem,
        template_xlsx: format!("{base}/valori.xlsx"),
        template_csv: format!("{base}/valori.csv"),
        imports,
        max_mb: sheet::MAX_FILE_BYTES / (1024 * 1024),
    })
}

async fn show_upload(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    render(upload_page(&state, lang, &visitor, &slug, None).await?)
}

async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (name, data, csrf) = crate::kit::upload::file_and_token(multipart, sheet::MAX_FILE_BYTES).await?;
    visitor.check_csrf(csrf.as_deref())?;
    let who = visitor.principal().cloned().ok_or(AppError::Forbidden)?;
    sheet::export(&state.store, Some(&who), &slug).await?;
    let lower = name.to_lowercase();
    let c = lang.catalogue();
    let refused = if data.is_empty() {
        Some(c.t("sheet.no_file"))
    } else if !(lower.ends_with(".xlsx") || lower.ends_with(".csv")) {
        Some(c.t("sheet.not_a_sheet"))
    } else {
        None
    };
    if let Some(why) = refused {
        let page = render(upload_page(&state, lang, &visitor, &slug, Some(why.to_string())).await?)?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let size = data.len();
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    let id = state.store.start_import(&facts.agenda_id, Some(&who.person_id), &name).await?;
    // A small file (an agenda's quarter) is checked before the answer; a large one in the
    // background, its page showing how far it got.
    let reading = read_and_check(state.clone(), who, slug.clone(), id.clone(), lower.ends_with(".xlsx"), data);
    if size <= CHECKED_AT_ONCE_BYTES {
        reading.await;
    } else {
        tokio::spawn(reading);
    }
    Ok(axum::response::Redirect::to(&format!("/agende/{slug}/monitoraggio/importazioni/{id}")).into_response())
}

/// Reads the file, checks every row and keeps the result on the import: the plan, or every
/// problem. The progress is written every second while it works.
async fn read_and_check(state: AppState, who: Principal, slug: String, id: String, xlsx: bool, data: Vec<u8>) {
    let read = tokio::task::spawn_blocking(move || if xlsx { sheet::read_xlsx(data) } else { sheet::read_csv(&data) });
    let outcome = match read.await {
        Ok(Ok(rows)) => {
            let total = rows.len() as i64;
            let done = Arc::new(AtomicUsize::new(0));
            let ticker = tokio::spawn(report_progress(state.clone(), id.clone(), done.clone(), total));
            let progress = move |n: usize| done.store(n, Ordering::Relaxed);
            let plan = sheet::plan(&state.store, Some(&who), &slug, &rows, &progress).await;
            ticker.abort();
            let _ = state.store.import_progress(&id, total, total).await;
            plan.map_err(|e| e.to_string())
        }
        Ok(Err(errors)) => Ok(Err(errors)),
        Err(e) => Err(e.to_string()),
    };
    let (status, report) = match outcome {
        Ok(Ok(plan)) => ("ready", serde_json::to_string(&plan)),
        Ok(Err(errors)) => ("failed", serde_json::to_string(&errors)),
        Err(e) => {
            tracing::error!(error = %e, import = %id, "a monitoring import stopped");
            let unreadable =
                CellError { sheet: sheet::SHEET.into(), row: 0, column: None, problem: FileProblem::Unreadable };
            ("failed", serde_json::to_string(&vec![unreadable]))
        }
    };
    let report = report.unwrap_or_else(|_| "[]".into());
    if let Err(e) = state.store.finish_import(&id, status, &report).await {
        tracing::error!(error = %e, import = %id, "cannot record a monitoring import's result");
    }
}

async fn report_progress(state: AppState, id: String, done: Arc<AtomicUsize>, total: i64) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        let _ = state.store.import_progress(&id, done.load(Ordering::Relaxed) as i64, total).await;
    }
}

/// A change in the preview.
struct ChangeLine {
    indicator: String,
    period: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "monitoring/import.html")]
struct ImportPage {
    ctx: PageContext,
    status: String,
    reading: bool,
    progress: String,
    problems: Vec<(String, String, String, String)>,
    summary: Option<String>,
    changes: Vec<ChangeLine>,
    more: usize,
    confirm: Option<(String, String)>,
    back: String,
}

/// How many changes the preview lists (the counts say the rest).
const SHOWN_CHANGES: usize = 500;

/// A column as people find it: its letter and the template's name.
fn column_name(column: Option<usize>) -> String {
    match column {
        Some(c) if c < 26 => {
            let letter = (b'A' + c as u8) as char;
            match COLUMNS.get(c) {
                Some(name) => format!("{letter} ({name})"),
                None => letter.to_string(),
            }
        }
        Some(c) => (c + 1).to_string(),
        None => "—".to_string(),
    }
}

fn problem_message(c: &Catalogue, problem: &FileProblem) -> String {
    match problem {
        FileProblem::Field { problem } => problem_text(problem, c),
        FileProblem::Header { expected } if expected.is_empty() => c.t("sheet.problem.extra_column").to_string(),
        FileProblem::Header { expected } => c.fmt("sheet.problem.header", &[("expected", expected)]),
        FileProblem::Unreadable => c.t("sheet.problem.unreadable").to_string(),
        FileProblem::TooLarge => {
            c.fmt("sheet.problem.too_large", &[("mb", &(sheet::MAX_FILE_BYTES / (1024 * 1024)).to_string())])
        }
        FileProblem::NoSheet => c.fmt("sheet.problem.no_sheet", &[("sheet", sheet::SHEET)]),
        FileProblem::Formula => c.t("sheet.problem.formula").to_string(),
        FileProblem::Merged => c.t("sheet.problem.merged").to_string(),
        FileProblem::Date => c.t("sheet.problem.date").to_string(),
        FileProblem::TooManyRows => c.fmt("sheet.problem.too_many_rows", &[("rows", &sheet::MAX_ROWS.to_string())]),
        FileProblem::UnknownIndicator => c.t("sheet.problem.unknown_indicator").to_string(),
        FileProblem::NotYours => c.t("sheet.problem.not_yours").to_string(),
    }
}

fn value_of(lang: Lang, edit: &agio_domain::monitoring::MeasurementEdit) -> String {
    match (edit.numerator, edit.denominator) {
        (Some(n), Some(d)) => format!("{} ({} / {})", shown(lang, edit.value), shown(lang, n), shown(lang, d)),
        _ => shown(lang, edit.value),
    }
}

async fn show_import(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let (title, _) = sheet::export(&state.store, visitor.principal(), &slug).await?;
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    let i = state.store.monitoring_import(&facts.agenda_id, &id).await?.filter(|i| reads(&facts, &visitor, i));
    let i = i.ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let base = format!("/agende/{slug}/monitoraggio");
    let here = format!("{base}/importazioni/{id}");
    let status = effective_status(&i).to_string();
    let mut page = ImportPage {
        ctx: PageContext::new(lang, &here, "agendas", c.fmt("sheet.import_title", &[("file", &i.file_name)]))
            .crumb(c.t("agendas.title"), "/agende")
            .crumb(title, format!("/agende/{slug}"))
            .crumb(c.t("monitoring.short"), base.clone())
            .crumb(c.t("sheet.upload_title"), format!("{base}/importa"))
            .last_crumb(),
        status: status_of(c, &i),
        reading: status == "reading",
        progress: c.fmt("sheet.progress", &[("done", &i.rows_done.to_string()), ("total", &i.rows_total.to_string())]),
        problems: Vec::new(),
        summary: None,
        changes: Vec::new(),
        more: 0,
        confirm: None,
        back: base.clone(),
    };
    match status.as_str() {
        "failed" => {
            let errors: Vec<CellError> = serde_json::from_str(&i.report).unwrap_or_default();
            page.problems = errors
                .iter()
                .map(|e| {
                    let row = if e.row == 0 { "—".to_string() } else { e.row.to_string() };
                    (e.sheet.clone(), row, column_name(e.column), problem_message(c, &e.problem))
                })
                .collect();
        }
        "ready" | "applied" => {
            let plan: Plan = serde_json::from_str(&i.report).unwrap_or_default();
            let new = plan.changes.iter().filter(|ch| ch.before.is_none()).count();
            page.summary = Some(c.fmt(
                "sheet.summary",
                &[
                    ("new", &new.to_string()),
                    ("changed", &(plan.changes.len() - new).to_string()),
                    ("unchanged", &plan.unchanged.to_string()),
                    ("empty", &plan.empty.to_string()),
                ],
            ));
            page.more = plan.changes.len().saturating_sub(SHOWN_CHANGES);
            page.changes = plan
                .changes
                .iter()
                .take(SHOWN_CHANGES)
                .map(|ch| ChangeLine {
                    indicator: ch.label.clone(),
                    period: period_label(c, &ch.period),
                    before: ch.before.as_ref().map(|m| value_of(lang, &m.fields)).unwrap_or_else(|| "—".into()),
                    after: value_of(lang, &ch.after),
                })
                .collect();
            let author = visitor.principal().is_some_and(|p| i.person_id.as_deref() == Some(p.person_id.as_str()));
            if status == "ready" && !plan.changes.is_empty() && author {
                page.confirm = Some((format!("{here}/conferma"), visitor.csrf_token(state.secure_cookies).0));
            }
        }
        _ => {}
    }
    render(page)
}

async fn confirm(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    SignedInForm { visitor, .. }: SignedInForm,
) -> Result<Response, AppError> {
    sheet::export(&state.store, visitor.principal(), &slug).await?;
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    // Only its author confirms an import, with the rights they have now.
    let who = visitor.principal().ok_or(AppError::Forbidden)?;
    let i = state.store.monitoring_import(&facts.agenda_id, &id).await?;
    let i = i.filter(|i| i.person_id.as_deref() == Some(who.person_id.as_str())).ok_or(AppError::NotFound)?;
    let plan: Plan =
        serde_json::from_str(&i.report).map_err(|_| AppError::Conflict("the import is not ready".into()))?;
    let here = format!("/agende/{slug}/monitoraggio/importazioni/{id}");
    if !sheet::still_allowed(&state.store, Some(who), &slug, &plan).await? {
        return Err(AppError::Forbidden);
    }
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    if !w.claim_import(&id).await? {
        return Err(AppError::Conflict(format!("import {id} is not ready to apply")));
    }
    if !sheet::apply(&mut w, &plan).await? {
        // Someone changed a value since the preview: nothing is written, the file is read again.
        drop(w);
        state.store.finish_import(&id, "stale", &i.report).await?;
        return Ok(axum::response::Redirect::to(&here).into_response());
    }
    w.commit().await?;
    state.after_write().await?;
    Ok(Notice::Imported.redirect(&here, state.secure_cookies))
}

pub fn router() -> Router<AppState> {
    // The form's other field is the token: the body may be the largest file and a little more.
    let upload_limit = DefaultBodyLimit::max(sheet::MAX_FILE_BYTES + 64 * 1024);
    Router::new()
        .route("/agende/{slug}/monitoraggio/{file}", get(export))
        .route("/agende/{slug}/monitoraggio/importa", get(show_upload).post(upload).layer(upload_limit))
        .route("/agende/{slug}/monitoraggio/importazioni/{id}", get(show_import))
        .route("/agende/{slug}/monitoraggio/importazioni/{id}/conferma", post(confirm))
}
