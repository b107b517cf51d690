//! `/territori/{slug}/profilo/piano-di-zona`: those who plan for a district import its Piano di
//! Zona — the plan's title and period, and its intervention sheets from a CSV file (the template
//! at `…/modello.csv`) — all or nothing, every problem named by row and column.

use agio_app::editors::ProfileOf;
use agio_app::zone_plan::{replace, RowProblem};
use agio_domain::edit::FieldError;
use agio_domain::Channel;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::kit::auth::{SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::problem_text;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

/// Largest file: a plan has tens of sheets, not thousands.
const MAX_UPLOAD_BYTES: usize = 1024 * 1024;

/// The template: the header and two example rows.
const TEMPLATE: &str = "numero;titolo;area;destinatari;budget;stato\n\
    2;Domiciliarità, non autosufficienza e sostegno ai caregiver;Anziani;long_term_care, caregivers;185.000,00;in corso\n\
    16;Welfare di comunità e invecchiamento attivo;Comunità;Solitudine e isolamento sociale;90.000,00;pianificata\n";

/// A problem as the page lists it: row, column, what is wrong.
pub struct ProblemRow {
    pub row: String,
    pub column: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "profile/zone_plan.html")]
struct ImportPage {
    ctx: PageContext,
    action: String,
    csrf: String,
    title: String,
    period_start: String,
    period_end: String,
    problems: Vec<ProblemRow>,
    /// The district has a plan to download, change and import again.
    has_plan: bool,
}

/// The district's profile, for someone who may write it.
async fn writable(state: &AppState, visitor: &Visitor, slug: &str) -> Result<(ProfileOf, String), AppError> {
    let of = ProfileOf::load(state, slug).await?;
    of.allowed(visitor.principal())?;
    let profile_id = of.profile_id.clone().ok_or(AppError::NotFound)?;
    Ok((of, profile_id))
}

fn page(lang: Lang, of: &ProfileOf, csrf: &str, fields: [String; 3], problems: Vec<ProblemRow>) -> ImportPage {
    // A plan has a title: the form shows the stored one.
    let has_plan = !fields[0].is_empty();
    let c = lang.catalogue();
    let slug = &of.territory.slug;
    let ctx = PageContext::new(
        lang,
        &format!("/territori/{slug}/profilo/piano-di-zona"),
        "territories",
        c.t("zone_plan.import"),
    )
    .crumb(c.t("territories.title"), "/territori")
    .crumb(super::page::profile_title(c, of.territory.kind, &of.territory.name), format!("/territori/{slug}/profilo"))
    .last_crumb();
    let [title, period_start, period_end] = fields;
    ImportPage {
        ctx,
        action: format!("/territori/{slug}/profilo/piano-di-zona"),
        csrf: csrf.to_string(),
        title,
        period_start,
        period_end,
        problems,
        has_plan,
    }
}

async fn form(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, session }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (of, profile_id) = writable(&state, &visitor, &slug).await?;
    let fields = match state.store.zone_plan(&profile_id).await? {
        Some(plan) => [plan.title, plan.period_start.to_string(), plan.period_end.to_string()],
        None => Default::default(),
    };
    Ok(render(page(lang, &of, &session.csrf_token, fields, Vec::new()))?.into_response())
}

/// The form's fields and the file, read from the upload.
async fn read_upload(mut multipart: Multipart) -> Result<(Vec<(String, String)>, Vec<u8>), AppError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge { max_bytes: MAX_UPLOAD_BYTES },
        _ => AppError::UnreadableBody(e.body_text()),
    };
    let (mut fields, mut file) = (Vec::new(), Vec::new());
    while let Some(field) = multipart.next_field().await.map_err(unreadable)? {
        match field.name().map(str::to_string).as_deref() {
            Some("file") => file = field.bytes().await.map_err(unreadable)?.to_vec(),
            Some(name) => {
                let name = name.to_string();
                fields.push((name, field.text().await.map_err(unreadable)?));
            }
            None => {}
        }
    }
    Ok((fields, file))
}

async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let Some(session) = visitor.signed_in.clone() else { return Err(AppError::Forbidden) };
    let (fields, file) = read_upload(multipart).await?;
    let get = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim().to_string());
    visitor.check_csrf(get("csrf").as_deref())?;
    let (of, _) = writable(&state, &visitor, &slug).await?;
    let c = lang.catalogue();
    let input = |name: &str| get(name).filter(|v| !v.is_empty());
    if let Err(refused) = replace(&state, &visitor.actor(Channel::Import), &of, &input, &file).await? {
        let label = |field: &str| c.t(&format!("zone_plan.field.{field}")).to_string();
        let fields = refused.fields.iter().map(|FieldError { field, problem }| ProblemRow {
            row: "—".into(),
            column: label(field),
            text: problem_text(problem, c),
        });
        let rows = refused.rows.into_iter().map(|RowProblem { row, column, problem }| ProblemRow {
            row: row.map_or_else(|| "—".into(), |r| r.to_string()),
            column: column.unwrap_or_else(|| c.t("zone_plan.file").to_string()),
            text: problem_text(&problem, c),
        });
        let problems = fields.chain(rows).collect();
        let fields = [
            get("title").unwrap_or_default(),
            get("period_start").unwrap_or_default(),
            get("period_end").unwrap_or_default(),
        ];
        let page = page(lang, &of, &session.csrf_token, fields, problems);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
    }
    Ok(Notice::Saved.redirect(&format!("/territori/{slug}/profilo#piano-di-zona"), state.secure_cookies))
}

/// The district's plan as it stands, in the template's form: to change in a spreadsheet and
/// import again.
async fn current(
    State(state): State<AppState>,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (_, profile_id) = writable(&state, &visitor, &slug).await?;
    let plan = state.store.zone_plan(&profile_id).await?.ok_or(AppError::NotFound)?;
    let sheets = agio_app::zone_plan::write_sheets(&plan.sheets);
    Ok(crate::kit::layout::csv_download(&format!("piano-di-zona-{slug}.csv"), sheets))
}

/// The template to fill in (semicolons, as a spreadsheet in Italian writes them).
async fn template() -> Response {
    crate::kit::layout::csv_download("piano-di-zona-modello.csv", TEMPLATE)
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/territori/{slug}/profilo/piano-di-zona",
            get(form).post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)),
        )
        .route("/territori/{slug}/profilo/piano-di-zona/modello.csv", get(template))
        .route("/territori/{slug}/profilo/piano-di-zona/attuale.csv", get(current))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_template_reads_whole() {
        let groups = |code: &str| agio_domain::model::Term {
            code: code.into(),
            label_it: "Solitudine e isolamento sociale".into(),
            label_en: "Loneliness".into(),
        };
        let terms = [groups("long_term_care"), groups("caregivers"), groups("social_isolation")];
        let sheets = agio_app::zone_plan::read_sheets(super::TEMPLATE.as_bytes(), &terms).unwrap();
        assert_eq!(sheets.len(), 2);
        assert_eq!(sheets[0].target_groups, ["long_term_care", "caregivers"]);
        assert_eq!(sheets[1].target_groups, ["long_term_care"], "a name stands for its code");
    }
}
