//! The page frame every feature uses: rendering a template, the message and error pages, the
//! generic form page, filter fields and the addresses of list pages.

use askama::Template;
use axum::response::Html;

use crate::kit::error::AppError;
use crate::kit::forms::Form;
use crate::kit::i18n::Lang;
use crate::kit::query::Params;
use crate::kit::state::PageContext;

pub(crate) fn render(template: impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}

/// A page with a form for visitors not signed in, with the form cookie when it is new.
pub(crate) fn with_form_cookie(
    cookie: Option<axum::http::HeaderValue>,
    page: Html<String>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match cookie {
        Some(cookie) => ([(axum::http::header::SET_COOKIE, cookie)], page).into_response(),
        None => page.into_response(),
    }
}

#[derive(Template)]
#[template(path = "kit/message.html")]
pub(crate) struct MessagePage {
    pub ctx: PageContext,
    pub text: String,
    pub link: Option<(String, String)>,
}

/// A page with one form: an introduction, the form, a way back.
#[derive(Template)]
#[template(path = "kit/form_page.html")]
pub(crate) struct FormPage {
    pub ctx: PageContext,
    pub intro: String,
    pub form: Form,
    pub back: Option<(String, String)>,
    /// Another way to do it, offered above the form: (address, link text).
    pub alternative: Option<(String, String)>,
    /// What submitting will do, a paragraph each, under the lead.
    pub notes: Vec<String>,
    /// What to read before submitting (the changes a publication would make).
    pub see_first: Option<Comparison>,
    /// More links below the form (after `back`): (address, label).
    pub more: Vec<(String, String)>,
}

/// One line of a comparison: a readable place, its value before and after.
pub struct Difference {
    pub what: String,
    pub before: String,
    pub after: String,
}

/// A titled before/after table; empty rows say "no difference".
pub struct Comparison {
    pub title: String,
    pub rows: Vec<Difference>,
}

/// A choice in a filter form.
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A `<select>` of a filter form.
pub struct SelectField {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<SelectOption>,
}

impl SelectField {
    /// A field whose current value is read from the query parameters.
    pub fn new<L: AsRef<str>>(
        name: &'static str,
        label: &str,
        params: &Params,
        options: impl IntoIterator<Item = (String, L)>,
    ) -> Self {
        let current = params.get(name);
        SelectField {
            name,
            label: label.to_string(),
            options: options
                .into_iter()
                .map(|(value, label)| SelectOption {
                    selected: current == Some(value.as_str()),
                    value,
                    label: label.as_ref().to_string(),
                })
                .collect(),
        }
    }
}

/// Territory filter choices: the districts, with the province (two are called Sud-Est), and
/// the chosen territory when it is not a district (a comune, from a link or the API).
pub async fn territory_options(
    store: &agio_store::Store,
    current: Option<&str>,
) -> Result<Vec<(String, String)>, AppError> {
    let label = |t: &agio_domain::model::Territory| match &t.province_code {
        Some(p) => format!("{} ({p})", t.name),
        None => t.name.clone(),
    };
    let mut options: Vec<(String, String)> =
        store.districts().await?.iter().map(|d| (d.slug.clone(), label(d))).collect();
    if let Some(key) = current.filter(|k| !options.iter().any(|(slug, _)| slug == k)) {
        if let Some(t) = store.territory(key).await? {
            options.insert(0, (key.to_string(), label(&t)));
        }
    }
    Ok(options)
}

/// What the filtered lists (agendas, organisations, assets) share around their items: where they
/// live, the filter fields, the words searched and the base of the paging links.
pub struct ListFrame {
    pub path: &'static str,
    pub fields: Vec<SelectField>,
    pub q: String,
    pub page_base: String,
}

impl ListFrame {
    /// The frame of a list page at `path`, and its context: navigation section `section`, titled
    /// by the catalogue's `{section}.title`, marked demo when an item on it is.
    pub fn new(
        lang: Lang,
        (path, section): (&'static str, &'static str),
        (params, filters): (&Params, &[&str]),
        fields: Vec<SelectField>,
        any_demo: bool,
    ) -> (PageContext, ListFrame) {
        let title = lang.catalogue().t(&format!("{section}.title")).to_string();
        let ctx = PageContext::new(lang, &here(path, params, filters), section, title).last_crumb().demo(any_demo);
        let q = params.get("q").unwrap_or_default().to_string();
        (ctx, ListFrame { path, fields, q, page_base: page_base(path, params, filters) })
    }
}

/// Path and query of a list page with its filters and page, for the language switch.
pub fn here(path: &str, params: &Params, filters: &[&str]) -> String {
    let base = page_base(path, params, &[filters, &["page"]].concat());
    base.trim_end_matches(['?', '&']).to_string()
}

/// `path?filters&` without `page`, for the pagination links to append `page=N`.
pub fn page_base(path: &str, params: &Params, names: &[&str]) -> String {
    let pairs: Vec<(&str, Option<String>)> = names.iter().map(|n| (*n, params.get(n).map(str::to_string))).collect();
    let query = crate::kit::query::build(&pairs);
    if query.is_empty() {
        format!("{path}?")
    } else {
        format!("{path}?{query}&")
    }
}

#[derive(Template)]
#[template(path = "kit/error.html")]
struct ErrorPage {
    ctx: PageContext,
    message: String,
}

/// The error page in the visitor's language.
pub fn error_page(lang: Lang, error: &AppError, path: &str) -> Result<Html<String>, AppError> {
    let c = lang.catalogue();
    let title = match error {
        AppError::NotFound => c.t("error.not_found.title"),
        AppError::BadParam { .. } => c.t("error.bad_request.title"),
        AppError::MethodNotAllowed => c.t("error.method.title"),
        AppError::Forbidden | AppError::BadCsrf | AppError::Unauthenticated => c.t("error.forbidden.title"),
        AppError::TooManyAttempts { .. } => c.t("error.too_many.title"),
        AppError::UnreadableBody(_) | AppError::Invalid(_) => c.t("error.bad_request.title"),
        AppError::Stale { .. } => c.t("form.conflict_title"),
        AppError::Conflict(_) => c.t("error.conflict.title"),
        AppError::Refused(_) => c.t("lab.refused.title"),
        AppError::TooLarge { .. } => c.t("error.too_large.title"),
        AppError::Unavailable | AppError::Unreachable => c.t("error.unavailable.title"),
        AppError::Upstream { .. } => c.t("error.upstream.title"),
        AppError::Internal(_) => c.t("error.internal.title"),
    };
    render(ErrorPage { ctx: PageContext::new(lang, path, "", title).last_crumb(), message: error.message(lang) })
}

/// The edit links a page shows to the people allowed to follow them, and whether the visitor
/// is one of those who write the agenda (who see its working draft).
#[derive(Debug, Default)]
pub(crate) struct Tools {
    /// The page's tools, the main one first and the destructive ones last (see `Tools::add`).
    pub links: Vec<Tool>,
    /// Whether each indicator gets its own edit link.
    pub edit_indicators: bool,
    pub agenda_id: String,
    /// Administrators, coordinators and referents of lead organisations: they see the draft.
    pub member: bool,
    /// Set when the record is archived: the banner, and the restore button for those who may.
    pub archived: Option<ArchivedNote>,
    /// Whether each objective gets its own archive link (the agenda's coordinators).
    pub archive_objectives: bool,
}

/// How much a tool weighs: the main action stands out, destructive ones look it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum ToolKind {
    Main,
    Other,
    Destructive,
}

#[derive(Debug)]
pub(crate) struct Tool {
    pub href: String,
    pub label: String,
    pub kind: ToolKind,
}

impl Tool {
    /// The button's style.
    pub fn class(&self) -> &'static str {
        match self.kind {
            ToolKind::Main => "btn-primary",
            ToolKind::Other => "btn-outline-primary",
            ToolKind::Destructive => "btn-outline-danger",
        }
    }
}

impl Tools {
    /// Adds a tool, keeping the main ones first and the destructive ones last.
    pub(crate) fn add(&mut self, kind: ToolKind, href: impl Into<String>, label: impl Into<String>) {
        let at = self.links.partition_point(|t| t.kind <= kind);
        self.links.insert(at, Tool { href: href.into(), label: label.into(), kind });
    }

    /// An archived record's page: the banner instead of the archive link.
    pub(crate) fn archived(&mut self, note: Option<ArchivedNote>) {
        if note.is_some() {
            self.links.retain(|t| !t.href.ends_with("/archivia"));
        }
        self.archived = note;
    }
}

/// What an archived record's page says, and the restore button for those who may.
#[derive(Debug, Default)]
pub(crate) struct ArchivedNote {
    pub text: String,
    /// Where the restore button posts, with the form token.
    pub restore: Option<(String, String)>,
}

/// A CSV file to download, named `filename`.
pub(crate) fn csv_download(filename: &str, body: impl axum::response::IntoResponse) -> axum::response::Response {
    download(filename, "text/csv; charset=utf-8", body)
}

/// A file to save, never to open in the page: `filename` in ASCII for old clients and whole
/// (percent-encoded UTF-8) for the others.
pub(crate) fn download(
    filename: &str,
    content_type: &str,
    body: impl axum::response::IntoResponse,
) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    let ascii: String = filename
        .chars()
        .map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' })
        .collect();
    let encoded = percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let headers = [(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)];
    (headers, body).into_response()
}

/// The rows written by `write` as CSV (with a header row among them).
pub(crate) fn csv_bytes(
    write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>,
) -> Result<Vec<u8>, crate::kit::error::AppError> {
    use crate::kit::error::AppError;
    let mut out = csv::Writer::from_writer(Vec::new());
    write(&mut out).map_err(|e| AppError::Internal(e.to_string()))?;
    out.into_inner().map_err(|e| AppError::Internal(e.to_string()))
}
