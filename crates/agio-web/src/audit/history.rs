//! Cronologia: the changes to one agenda or action, and the administrators' search of the whole
//! audit log. Each record shows who, when, through which channel, and field by field what
//! changed.

use agio_domain::access::{Operation, Target};
use agio_store::{AuditEntry, AuditFilter};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::audit::fields::{self, Label};
use crate::kit::auth::SignedInVisitor;
use crate::kit::error::AppError;
use crate::kit::i18n::{date, Lang};
use crate::kit::layout::{here, page_base, render};
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};

/// One change of one field.
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// An audit record ready to show.
pub struct EntryView {
    pub at: String,
    pub who: String,
    pub channel: &'static str,
    pub address: String,
    pub entity: String,
    pub operation: String,
    pub note: String,
    pub changes: Vec<Change>,
}

/// The fields whose values differ between the before and after JSON objects of a record of
/// `entity`, labelled and formatted as its page shows them; bookkeeping left out.
fn changes(entity: &str, before: Option<&str>, after: Option<&str>, lang: Lang) -> Vec<Change> {
    let object = |json: Option<&str>| match json.and_then(|j| serde_json::from_str(j).ok()) {
        Some(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    let (before, after) = (object(before), object(after));
    let mut seen = std::collections::HashSet::new();
    let c = lang.catalogue();
    after
        .keys()
        .chain(before.keys())
        .filter(|f| seen.insert(*f) && before.get(*f) != after.get(*f))
        .filter_map(|f| {
            let field = match fields::label(entity, f) {
                Label::Key(key) => c.t(key).to_string(),
                Label::Hidden => return None,
                Label::Unknown => f.clone(),
            };
            let (was, is) =
                (fields::shown(entity, f, before.get(f), lang), fields::shown(entity, f, after.get(f), lang));
            (was != is).then_some(Change { field, before: was, after: is })
        })
        .collect()
}

fn view(e: AuditEntry, lang: Lang) -> EntryView {
    let c = lang.catalogue();
    let channel = c.label(&e.channel.label_key());
    let published = (e.operation == "version")
        .then(|| e.after_json.as_deref().and_then(|j| serde_json::from_str::<serde_json::Value>(j).ok()))
        .flatten()
        .and_then(|a| a.get("version").and_then(serde_json::Value::as_i64));
    EntryView {
        at: format!("{} {}", date(lang, &e.at), e.at.get(11..16).unwrap_or_default()),
        who: match (&e.person_id, e.person_name.is_empty()) {
            (None, _) => channel.to_string(),
            (Some(_), true) => c.t("history.closed_account").to_string(),
            (Some(_), false) => e.person_name.clone(),
        },
        channel,
        address: e.address.clone(),
        entity: format!("{} {}", c.label(&format!("audit.entity.{}", e.entity_type)), e.entity_label),
        operation: match published {
            Some(n) => c.fmt("history.version_published", &[("number", &n.to_string())]),
            None => c.t(&format!("audit.op.{}", e.operation)).to_string(),
        },
        note: e.note.clone(),
        changes: changes(&e.entity_type, e.before_json.as_deref(), e.after_json.as_deref(), lang),
    }
}

#[derive(Template)]
#[template(path = "audit/history.html")]
struct HistoryPage {
    ctx: PageContext,
    entries: Vec<EntryView>,
    back: (String, String),
    /// Entries about more than one record.
    mixed: bool,
}

async fn agenda_history(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let here = format!("/agende/{slug}/cronologia");
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ReadHistory, &Target::Agenda(&facts))?;
    let (agenda, _) = state.store.agenda_for_edit(&slug).await?.ok_or(AppError::NotFound)?;
    let entries = state.store.agenda_history(&agenda.id).await?;
    history_page(lang, &here, entries, (format!("/agende/{slug}"), agenda.label))
}

async fn action_history(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let here = format!("/agende/{slug}/azioni/{code}/cronologia");
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    let (action, lead) = state.store.action_for_edit(&slug, &code).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ReadHistory, &Target::Action(&facts, lead.as_deref()))?;
    let entries = state.store.history("action", &action.id).await?;
    history_page(lang, &here, entries, (format!("/agende/{slug}/azioni/{code}"), action.label))
}

async fn organization_history(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let here = format!("/soggetti/{slug}/cronologia");
    let organization = state.store.organization_for_edit(&slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ReadHistory, &Target::Organization(&organization.id))?;
    let entries = state.store.history("organization", &organization.id).await?;
    history_page(lang, &here, entries, (format!("/soggetti/{slug}"), organization.label))
}

async fn objective_history(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let here = format!("/agende/{slug}/obiettivi/{code}/cronologia");
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ReadHistory, &Target::Agenda(&facts))?;
    let objective = state.store.objective_for_edit(&slug, &code).await?.ok_or(AppError::NotFound)?;
    let entries = state.store.history("objective", &objective.id).await?;
    history_page(lang, &here, entries, (format!("/agende/{slug}#obj-{code}"), objective.label))
}

async fn service_history(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let here = format!("/servizi/{slug}/cronologia");
    let service = agio_app::editors::ServiceEditor::load(&state, &slug).await?;
    visitor.require(Operation::ReadHistory, &Target::Services(service.owner.as_deref()))?;
    let entries = state.store.history("service", &service.stored.id).await?;
    history_page(lang, &here, entries, (format!("/servizi/{slug}"), service.fields.name.clone()))
}

async fn asset_history(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let here = format!("/asset-digitali/{slug}/cronologia");
    let asset = state.store.asset_for_edit(&slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ReadHistory, &Target::Asset)?;
    let entries = state.store.history("asset", &asset.id).await?;
    history_page(lang, &here, entries, (format!("/asset-digitali/{slug}"), asset.label))
}

async fn union_history(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let here = format!("/territori/unioni/{slug}/cronologia");
    let union = state.store.union_for_edit(&slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ReadHistory, &Target::Region)?;
    let entries = state.store.history("territory", &union.id).await?;
    history_page(lang, &here, entries, (format!("/territori/unioni/{slug}"), union.label))
}

fn history_page(
    lang: Lang,
    here: &str,
    entries: Vec<AuditEntry>,
    back: (String, String),
) -> Result<Response, AppError> {
    let c = lang.catalogue();
    // The trail starts from the list the record belongs to: Home › Agende › the agenda › Cronologia.
    let (section, list_title, list) = [
        ("/agende/", ("agendas", "agendas.title", "/agende")),
        ("/soggetti/", ("organizations", "organizations.title", "/soggetti")),
        ("/servizi/", ("services", "services.title", "/servizi")),
        ("/asset-digitali/", ("assets", "assets.title", "/asset-digitali")),
        ("/territori/", ("territories", "territories.title", "/territori")),
    ]
    .into_iter()
    .find(|(prefix, _)| here.starts_with(prefix))
    .map(|(_, list)| list)
    .unwrap_or(("", "nav.home", "/"));
    let ctx = PageContext::new(lang, here, section, c.fmt("history.title", &[("name", &back.1)]))
        .crumb(c.t(list_title), list)
        .crumb(back.1.clone(), back.0.clone())
        .last_crumb();
    // An agenda's history holds its objectives', actions' and indicators' changes too: then each
    // entry names what it is about.
    let mixed =
        entries.windows(2).any(|w| (&w[0].entity_type, &w[0].entity_id) != (&w[1].entity_type, &w[1].entity_id));
    let entries = entries.into_iter().map(|e| view(e, lang)).collect();
    Ok(render(HistoryPage { ctx, entries, back, mixed })?.into_response())
}

#[derive(Template)]
#[template(path = "audit/audit_log.html")]
struct AuditLogPage {
    ctx: PageContext,
    person: String,
    entity: String,
    from: String,
    to: String,
    entries: Vec<EntryView>,
    entity_kinds: &'static [agio_domain::EntityKind],
    /// Entries matching the filters, in all pages.
    total: i64,
    /// The first page, when this is an older one.
    newest: Option<String>,
    /// The next, older page, if any.
    older: Option<String>,
}

const LOG_FILTERS: &[&str] = &["person", "entity", "from", "to"];
/// Entries per page of the audit log.
const LOG_PAGE: i64 = 50;

/// A `YYYY-MM-DD` query parameter.
fn date_param(params: &Params, name: &str) -> Result<Option<String>, AppError> {
    match params.text(name)? {
        Some(d)
            if d.len() == 10
                && d.as_bytes()[4] == b'-'
                && d.as_bytes()[7] == b'-'
                && d.replace('-', "").bytes().all(|b| b.is_ascii_digit()) =>
        {
            Ok(Some(d))
        }
        Some(d) => Err(AppError::BadParam {
            name: name.to_string(),
            problem: crate::kit::error::ParamProblem::NotADate { value: d },
        }),
        None => Ok(None),
    }
}

async fn audit_log(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    params: Params,
) -> Result<Response, AppError> {
    let here_path = here("/amministrazione/registro", &params, LOG_FILTERS);
    visitor.require(Operation::Administer, &Target::Region)?;
    let filter = AuditFilter {
        person: params.text("person")?,
        entity_type: params.code::<agio_domain::EntityKind>("entity")?.map(|k| k.code().to_string()),
        entity_id: None,
        from: date_param(&params, "from")?,
        to: date_param(&params, "to")?,
    };
    let before = params.whole_number("prima", 1, i64::MAX)?;
    let found = state.store.search_audit(&filter, before, LOG_PAGE).await?;
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, &here_path, "", c.t("audit.title"))
        .crumb(c.t("account.title"), "/area-personale")
        .last_crumb();
    let text = |n: &str| params.get(n).unwrap_or_default().to_string();
    Ok(render(AuditLogPage {
        ctx,
        person: text("person"),
        entity: text("entity"),
        from: text("from"),
        to: text("to"),
        entries: found.items.into_iter().map(|e| view(e, lang)).collect(),
        entity_kinds: agio_domain::EntityKind::ALL,
        total: found.total,
        newest: before.map(|_| here("/amministrazione/registro", &params, LOG_FILTERS)),
        older: found
            .older
            .map(|seq| format!("{}prima={seq}", page_base("/amministrazione/registro", &params, LOG_FILTERS))),
    })?
    .into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/cronologia", get(agenda_history))
        .route("/agende/{slug}/azioni/{code}/cronologia", get(action_history))
        .route("/soggetti/{slug}/cronologia", get(organization_history))
        .route("/asset-digitali/{slug}/cronologia", get(asset_history))
        .route("/servizi/{slug}/cronologia", get(service_history))
        .route("/agende/{slug}/obiettivi/{code}/cronologia", get(objective_history))
        .route("/territori/unioni/{slug}/cronologia", get(union_history))
        .route("/amministrazione/registro", get(audit_log))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_list_only_the_differing_fields() {
        let changes = changes(
            "action",
            Some(r#"{"title":"A","status":"planned","version":1,"zone_plan_ref":null}"#),
            Some(r#"{"title":"B","status":"planned","version":2,"zone_plan_ref":""}"#),
            Lang::It,
        );
        assert_eq!(changes.len(), 1, "the version is bookkeeping; null and empty read the same");
        assert_eq!(
            (changes[0].field.as_str(), changes[0].before.as_str(), changes[0].after.as_str()),
            ("Titolo", "A", "B")
        );
        let created = super::changes("indicator", None, Some(r#"{"name":"N"}"#), Lang::It);
        assert_eq!((created[0].before.as_str(), created[0].after.as_str()), ("—", "N"));
    }
}
