//! `/servizi/importa`: referents of an organisation (and administrators) upload HSDS files —
//! a JSON list of full services, or a tabular data package (`datapackage.json` and its CSV
//! files, chosen together) — which are checked whole and imported all or nothing, through the
//! same import as `agio hsds import`, recorded in the audit log under their name.

use agio_app::Context;
use agio_domain::access::{Operation, Target};
use agio_domain::Channel;
use agio_hsds::ImportProblem;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use crate::kit::auth::{SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};
use agio_app::directory::{import, ImportFailure, Incoming};

/// Largest upload (every file together).
const MAX_UPLOAD_BYTES: usize = 32 * 1024 * 1024;
const HERE: &str = "/servizi/importa";

#[derive(Template)]
#[template(path = "directory/service_import.html")]
struct ImportPage {
    ctx: PageContext,
    csrf: String,
    /// After an import: what it did.
    done: Option<String>,
    problems: Vec<ImportProblem>,
}

fn page(lang: Lang, csrf: &str, done: Option<String>, problems: Vec<ImportProblem>) -> ImportPage {
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, HERE, "services", c.t("import.title"))
        .crumb(c.t("services.title"), "/servizi")
        .last_crumb();
    ImportPage { ctx, csrf: csrf.to_string(), done, problems }
}

async fn form(lang: Lang, SignedInVisitor { session: s, .. }: SignedInVisitor) -> Result<Response, AppError> {
    Ok(render(page(lang, &s.csrf_token, None, Vec::new()))?.into_response())
}

/// An upload over the size limit is a 413 that says the limit; anything else unreadable a 400.
fn unreadable(e: axum::extract::multipart::MultipartError) -> AppError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge { max_bytes: MAX_UPLOAD_BYTES },
        _ => AppError::UnreadableBody(e.body_text()),
    }
}

/// A private folder for one upload (mode 0700, a random name), removed when dropped, whatever
/// path the request takes.
struct UploadFolder(std::path::PathBuf);

impl UploadFolder {
    fn new() -> std::io::Result<UploadFolder> {
        use std::os::unix::fs::DirBuilderExt;
        let path = std::env::temp_dir().join(format!("agio-upload-{}", agio_domain::credentials::new_token()));
        std::fs::DirBuilder::new().mode(0o700).create(&path)?;
        Ok(UploadFolder(path))
    }
}

impl Drop for UploadFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The uploaded files: names and bytes, and the form token.
async fn read_upload(mut multipart: Multipart) -> Result<(Option<String>, Vec<(String, Vec<u8>)>), AppError> {
    let mut csrf = None;
    let mut files = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name() {
            Some("csrf") => csrf = Some(field.text().await.map_err(unreadable)?),
            Some("files") => {
                let name = field.file_name().unwrap_or("file").rsplit(['/', '\\']).next().unwrap_or("file").to_string();
                let bytes = field.bytes().await.map_err(unreadable)?;
                if !bytes.is_empty() {
                    files.push((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    Ok((csrf, files))
}

/// The services of the uploaded files, or every problem that stops reading them.
async fn services_of(
    state: &AppState,
    files: &[(String, Vec<u8>)],
) -> Result<(String, Vec<Value>), Vec<ImportProblem>> {
    let one = |message: &str| vec![ImportProblem::new("upload", None, None, message)];
    if files.iter().any(|(name, _)| name == "datapackage.json") {
        // A tabular package: its files go to a folder of their own, read like the command line's.
        let folder = UploadFolder::new().map_err(|e| one(&format!("cannot store the upload: {e}")))?;
        let written = files.iter().try_for_each(|(name, bytes)| std::fs::write(folder.0.join(name), bytes));
        written.map_err(|e| one(&format!("cannot store the upload: {e}")))?;
        let known = agio_app::directory::KnownRecords::load(&state.store).await.map_err(|e| one(&e.to_string()))?;
        let read = agio_hsds::tabular::read_package(&folder.0, &known);
        return read.map(|services| ("datapackage.json".to_string(), services));
    }
    match files {
        [(name, bytes)] => {
            let mut services = Vec::new();
            let read = agio_hsds::json::read_services(name, &bytes[..], |service| {
                services.push(service);
                true
            });
            read.map(|()| (name.clone(), services)).map_err(|p| vec![p])
        }
        [] => Err(one("no file chosen")),
        _ => Err(one("several files but no datapackage.json: send one JSON file, or a whole tabular package")),
    }
}

/// Services of organisations the person does not represent, each a problem on its row.
async fn not_theirs(
    state: &AppState,
    visitor: &Visitor,
    file: &str,
    services: &[Value],
) -> Result<Vec<ImportProblem>, AppError> {
    let ids: Vec<String> = services
        .iter()
        .filter_map(|s| {
            s.pointer("/organization/id")
                .or_else(|| s.get("organization_id"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    let owners = state.store.directory_organization_owners(&ids).await?;
    let by_name = state.store.organization_ids_by_name().await?;
    let mut problems = Vec::new();
    for (n, service) in services.iter().enumerate() {
        let id = service
            .pointer("/organization/id")
            .or_else(|| service.get("organization_id"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = service.pointer("/organization/name").and_then(Value::as_str).unwrap_or_default();
        // A known organisation keeps its link; a new one is linked by name, as the store does.
        let owner = owners.get(id).cloned().flatten().or_else(|| by_name.get(name).cloned());
        if visitor.require(Operation::Create, &Target::Services(owner.as_deref())).is_err() {
            let message = format!(
                "you do not manage the services of the organisation '{}'",
                if name.is_empty() { id } else { name }
            );
            problems.push(ImportProblem::new(file, Some(n + 1), Some("/organization"), message));
        }
    }
    Ok(problems)
}

async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let Some(s) = visitor.signed_in.clone() else { return Err(AppError::Forbidden) };
    let (csrf, files) = read_upload(multipart).await?;
    visitor.check_csrf(csrf.as_deref())?;
    let refused = |problems: Vec<ImportProblem>| -> Result<Response, AppError> {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page(lang, &s.csrf_token, None, problems))?).into_response())
    };
    let (file, services) = match services_of(&state, &files).await {
        Ok(read) => read,
        Err(problems) => return refused(problems),
    };
    let problems = not_theirs(&state, &visitor, &file, &services).await?;
    if !problems.is_empty() {
        return refused(problems);
    }
    let total = services.len();
    match import(&state.store, &file, Incoming::Parsed(services), &visitor.actor(Channel::Import), |_| {}).await {
        Ok(report) => {
            state.after_write().await?;
            let c = lang.catalogue();
            let done = c.fmt(
                "import.done",
                &[
                    ("total", &total.to_string()),
                    ("created", &report.created.to_string()),
                    ("updated", &report.updated.to_string()),
                    ("unchanged", &report.unchanged.to_string()),
                ],
            );
            Ok(render(page(lang, &s.csrf_token, Some(done), Vec::new()))?.into_response())
        }
        Err(ImportFailure::Invalid(problems)) => refused(problems),
        Err(ImportFailure::Store(e)) => Err(e.into()),
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route(HERE, get(form).post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::UploadFolder;

    #[test]
    fn an_upload_folder_is_private_unpredictable_and_removed() {
        let (a, b) = (UploadFolder::new().unwrap(), UploadFolder::new().unwrap());
        assert_ne!(a.0, b.0);
        assert_eq!(std::fs::metadata(&a.0).unwrap().permissions().mode() & 0o777, 0o700);
        std::fs::write(a.0.join("services.csv"), "id\n").unwrap();
        let path = a.0.clone();
        drop(a);
        assert!(!path.exists(), "removed with what it held");
    }
}
