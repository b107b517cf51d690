//! Edit pages: an agenda, its workflow, an action, an indicator. Each is a form under the
//! record's address (`…/modifica`); all follow one flow (see [`EditPage`]): sign in, decide,
//! show the form at the stored version; on submit check the token, decide again, read every
//! field, save against the version, and on a conflict show both versions and save nothing.

use agio_domain::access::{AgendaFacts, Operation, Target};
use agio_domain::edit::{can_move, ActionEdit, AgendaEdit, FieldError, IndicatorEdit, Reader};
use agio_domain::{ActionStatus, ActionTerm, AgendaStatus, Channel, Direction};
use agio_store::{Editable, Saved, WriteTx};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Serialize;

use super::account::{signed_in_or_redirect, FormPage};
use super::render;
use crate::auth::Visitor;
use crate::error::AppError;
use crate::forms::{values_of, Form, FormBody, Kind};
use crate::i18n::{Catalogue, Lang};
use crate::web::{AppState, PageContext};

/// What differs from one edit page to another.
pub(crate) trait EditPage: Send + Sync {
    type Fields: Serialize + Send + Sync;
    /// The operation and target the authorisation module is asked about.
    fn allowed(&self, visitor: &Visitor) -> Result<(), AppError>;
    /// The form's fields (no values yet).
    fn fields(&self, form: Form, c: &Catalogue, lang: Lang) -> Form;
    fn read(reader: &mut Reader) -> Option<Self::Fields>;
    fn save(
        &self,
        w: &mut WriteTx,
        fields: &Self::Fields,
        version: i64,
    ) -> impl std::future::Future<Output = agio_store::Result<Saved<Self::Fields>>> + Send;
    /// The page title.
    fn title(&self, c: &Catalogue) -> String;
    /// The name of the record the page edits (the breadcrumb step back to it).
    fn record(&self) -> &str;
    /// Title and breadcrumb: Agende › the record › this page.
    fn context(&self, lang: Lang, here: &str) -> PageContext {
        let c = lang.catalogue();
        PageContext::new(lang, here, "agendas", self.title(c))
            .crumb(c.t("agendas.title"), "/agende")
            .crumb(self.record(), self.done())
            .last_crumb()
    }
    /// Where to go after saving.
    fn done(&self) -> String;
}

fn options<T: Copy>(all: &[T], code: impl Fn(T) -> &'static str, key: impl Fn(T) -> String, c: &Catalogue) -> Kind {
    Kind::Select(all.iter().map(|v| (code(*v).to_string(), c.label(&key(*v)).to_string())).collect())
}

fn page<E: EditPage>(e: &E, lang: Lang, here: &str, form: Form) -> FormPage {
    let c = lang.catalogue();
    FormPage {
        ctx: e.context(lang, here),
        intro: c.t("edit.intro").to_string(),
        form,
        back: Some((e.done(), c.t("edit.cancel").to_string())),
    }
}

/// GET: the form filled with the stored record.
async fn show<E: EditPage>(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    here: &str,
    e: &E,
    stored: &E::Fields,
    version: i64,
) -> Result<Response, AppError> {
    if let Err(redirect) = signed_in_or_redirect(visitor, here) {
        return Ok(redirect.into_response());
    }
    e.allowed(visitor)?;
    let c = lang.catalogue();
    let (csrf, _) = visitor.csrf_token(state.secure_cookies);
    let form = e.fields(Form::new(here, csrf, c.t("edit.save")), c, lang).version(version).values(&values_of(stored));
    Ok(render(page(e, lang, here, form))?.into_response())
}

/// POST: validate, save against the version, or show what is wrong or what changed meanwhile.
async fn submit<E: EditPage>(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    here: &str,
    e: &E,
    body: &FormBody,
) -> Result<Response, AppError> {
    if visitor.signed_in.is_none() {
        return Err(AppError::Forbidden);
    }
    visitor.check_csrf(body.csrf().as_deref())?;
    e.allowed(visitor)?;
    let c = lang.catalogue();
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let fields = E::read(&mut reader);
    let version = reader.version();
    let (csrf, _) = visitor.csrf_token(state.secure_cookies);
    let form = e.fields(Form::new(here, csrf, c.t("edit.save")), c, lang).values(&input);
    let fields = match reader.finish(|| fields) {
        Ok(Some(fields)) => fields,
        Ok(None) => return Err(AppError::Internal("a reader gave no value and no error".into())),
        Err(errors) => {
            let form = form.version(version).errors(&errors, c);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page(e, lang, here, form))?).into_response());
        }
    };
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    match e.save(&mut w, &fields, version).await? {
        Saved::Done { .. } => {
            w.commit().await?;
            state.after_write().await?;
            Ok(Redirect::to(&e.done()).into_response())
        }
        Saved::Stale { current, version } => {
            drop(w);
            let stale = [FieldError { field: String::new(), problem: agio_domain::edit::FieldProblem::Stale }];
            let form = form.version(version).conflict(&values_of(&current)).errors(&stale, c);
            Ok((StatusCode::CONFLICT, render(page(e, lang, here, form))?).into_response())
        }
    }
}

async fn facts(state: &AppState, slug: &str) -> Result<AgendaFacts, AppError> {
    state.store.agenda_facts(slug).await?.ok_or(AppError::NotFound)
}

// --- the agenda --------------------------------------------------------------------------

struct AgendaEditor {
    slug: String,
    facts: AgendaFacts,
    stored: Editable<AgendaEdit>,
}

impl EditPage for AgendaEditor {
    type Fields = AgendaEdit;

    fn allowed(&self, visitor: &Visitor) -> Result<(), AppError> {
        visitor.require(Operation::Edit, &Target::Agenda(&self.facts))
    }

    fn fields(&self, form: Form, c: &Catalogue, _lang: Lang) -> Form {
        form.field("title", c.t("agenda.title_field"), Kind::Line, true)
            .field("period_start", c.t("agenda.period_start"), Kind::Year, true)
            .hint(c.t("edit.year_hint"))
            .field("period_end", c.t("agenda.period_end"), Kind::Year, true)
            .hint(c.t("edit.year_hint"))
            .field("vision", c.t("agenda.vision"), Kind::Text, false)
            .hint(c.t("edit.markdown_hint"))
            .field("context", c.t("agenda.context"), Kind::Text, false)
            .hint(c.t("edit.markdown_hint"))
    }

    fn read(reader: &mut Reader) -> Option<AgendaEdit> {
        AgendaEdit::read(reader)
    }

    async fn save(&self, w: &mut WriteTx, fields: &AgendaEdit, version: i64) -> agio_store::Result<Saved<AgendaEdit>> {
        w.update_agenda(&self.stored.id, fields, version).await
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("edit.agenda_title").to_string()
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/agende/{}", self.slug)
    }
}

async fn agenda_editor(state: &AppState, slug: &str) -> Result<AgendaEditor, AppError> {
    let facts = facts(state, slug).await?;
    let (stored, _) = state.store.agenda_for_edit(slug).await?.ok_or(AppError::NotFound)?;
    Ok(AgendaEditor { slug: slug.to_string(), facts, stored })
}

async fn agenda_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let e = agenda_editor(&state, &slug).await?;
    show(&state, lang, &visitor, &format!("/agende/{slug}/modifica"), &e, &e.stored.fields, e.stored.version).await
}

async fn agenda_post(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
    body: FormBody,
) -> Result<Response, AppError> {
    let e = agenda_editor(&state, &slug).await?;
    submit(&state, lang, &visitor, &format!("/agende/{slug}/modifica"), &e, &body).await
}

// --- the agenda's workflow ---------------------------------------------------------------

/// The workflow form: the next status and a note.
#[derive(Debug, Clone, Serialize)]
struct StatusMove {
    status: AgendaStatus,
    note: String,
}

struct StatusEditor {
    agenda: AgendaEditor,
    from: AgendaStatus,
}

impl EditPage for StatusEditor {
    type Fields = StatusMove;

    fn allowed(&self, visitor: &Visitor) -> Result<(), AppError> {
        visitor.require(Operation::ChangeStatus, &Target::Agenda(&self.agenda.facts))
    }

    fn fields(&self, form: Form, c: &Catalogue, _lang: Lang) -> Form {
        let moves: Vec<AgendaStatus> =
            AgendaStatus::ALL.iter().copied().filter(|to| can_move(self.from, *to)).collect();
        let current = c.fmt("workflow.current", &[("status", c.label(&self.from.label_key()))]);
        form.field("status", c.t("workflow.to"), options(&moves, AgendaStatus::code, AgendaStatus::label_key, c), true)
            .hint(&current)
            .field("note", c.t("workflow.note"), Kind::Text, true)
            .hint(c.t("workflow.note_hint"))
    }

    fn read(reader: &mut Reader) -> Option<StatusMove> {
        let status = reader.code::<AgendaStatus>("status");
        let note = reader.text("note");
        if note.is_empty() && !reader.errors.iter().any(|e| e.field == "note") {
            reader.fail("note", agio_domain::edit::FieldProblem::Required);
        }
        Some(StatusMove { status: status?, note })
    }

    async fn save(&self, w: &mut WriteTx, fields: &StatusMove, version: i64) -> agio_store::Result<Saved<StatusMove>> {
        let saved = w.move_agenda(&self.agenda.stored.id, fields.status, &fields.note, version).await?;
        Ok(match saved {
            Saved::Done { version } => Saved::Done { version },
            Saved::Stale { current, version } => {
                Saved::Stale { current: StatusMove { status: current, note: String::new() }, version }
            }
        })
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("workflow.title").to_string()
    }

    fn record(&self) -> &str {
        &self.agenda.stored.label
    }

    fn done(&self) -> String {
        self.agenda.done()
    }
}

async fn status_editor(state: &AppState, slug: &str) -> Result<StatusEditor, AppError> {
    let agenda = agenda_editor(state, slug).await?;
    let (_, from) = state.store.agenda_for_edit(slug).await?.ok_or(AppError::NotFound)?;
    Ok(StatusEditor { agenda, from })
}

async fn status_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let e = status_editor(&state, &slug).await?;
    let blank = StatusMove { status: e.from, note: String::new() };
    show(&state, lang, &visitor, &format!("/agende/{slug}/stato"), &e, &blank, e.agenda.stored.version).await
}

async fn status_post(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
    body: FormBody,
) -> Result<Response, AppError> {
    let e = status_editor(&state, &slug).await?;
    // A move the workflow does not allow from here is an invalid choice, like an unknown code.
    if let Some(to) = body.get("status").and_then(|s| s.parse::<AgendaStatus>().ok()) {
        if !can_move(e.from, to) {
            let mut body = body.clone();
            body.0.retain(|(name, _)| name != "status");
            return submit(&state, lang, &visitor, &format!("/agende/{slug}/stato"), &e, &body).await;
        }
    }
    submit(&state, lang, &visitor, &format!("/agende/{slug}/stato"), &e, &body).await
}

// --- an action -----------------------------------------------------------------------------

struct ActionEditor {
    slug: String,
    code: String,
    facts: AgendaFacts,
    lead: Option<String>,
    stored: Editable<ActionEdit>,
}

impl EditPage for ActionEditor {
    type Fields = ActionEdit;

    fn allowed(&self, visitor: &Visitor) -> Result<(), AppError> {
        visitor.require(Operation::Edit, &Target::Action(&self.facts, self.lead.as_deref()))
    }

    fn fields(&self, form: Form, c: &Catalogue, _lang: Lang) -> Form {
        form.field("title", c.t("action.title_field"), Kind::Line, true)
            .field("description", c.t("action.description"), Kind::Text, false)
            .hint(c.t("edit.markdown_hint"))
            .field(
                "term",
                c.t("action.term"),
                options(ActionTerm::ALL, ActionTerm::code, ActionTerm::label_key, c),
                true,
            )
            .field(
                "status",
                c.t("action.status"),
                options(ActionStatus::ALL, ActionStatus::code, ActionStatus::label_key, c),
                true,
            )
            .field("start_date", c.t("action.start"), Kind::Date, false)
            .hint(c.t("edit.date_hint"))
            .field("end_date", c.t("action.end"), Kind::Date, false)
            .hint(c.t("edit.date_hint"))
            .field("zone_plan_ref", c.t("action.zone_plan_ref"), Kind::Line, false)
    }

    fn read(reader: &mut Reader) -> Option<ActionEdit> {
        ActionEdit::read(reader)
    }

    async fn save(&self, w: &mut WriteTx, fields: &ActionEdit, version: i64) -> agio_store::Result<Saved<ActionEdit>> {
        w.update_action(&self.stored.id, fields, version).await
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.action_title", &[("action", &self.stored.label)])
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/agende/{}/azioni/{}", self.slug, self.code)
    }
}

async fn action_editor(state: &AppState, slug: &str, code: &str) -> Result<ActionEditor, AppError> {
    let facts = facts(state, slug).await?;
    let (stored, lead) = state.store.action_for_edit(slug, code).await?.ok_or(AppError::NotFound)?;
    Ok(ActionEditor { slug: slug.to_string(), code: code.to_string(), facts, lead, stored })
}

async fn action_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let e = action_editor(&state, &slug, &code).await?;
    let here = format!("/agende/{slug}/azioni/{code}/modifica");
    show(&state, lang, &visitor, &here, &e, &e.stored.fields, e.stored.version).await
}

async fn action_post(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, code)): Path<(String, String)>,
    body: FormBody,
) -> Result<Response, AppError> {
    let e = action_editor(&state, &slug, &code).await?;
    submit(&state, lang, &visitor, &format!("/agende/{slug}/azioni/{code}/modifica"), &e, &body).await
}

// --- an indicator of an action -------------------------------------------------------------

struct IndicatorEditor {
    action: ActionEditor,
    indicator_id: String,
    stored: IndicatorEdit,
}

impl EditPage for IndicatorEditor {
    type Fields = IndicatorEdit;

    fn allowed(&self, visitor: &Visitor) -> Result<(), AppError> {
        visitor.require(Operation::EditResults, &Target::Action(&self.action.facts, self.action.lead.as_deref()))
    }

    fn fields(&self, form: Form, c: &Catalogue, _lang: Lang) -> Form {
        form.field("name", c.t("indicator.name"), Kind::Line, true)
            .field("unit", c.t("indicator.unit"), Kind::Line, true)
            .field("baseline_value", c.t("indicator.baseline_value"), Kind::Number, false)
            .hint(c.t("edit.number_hint"))
            .field("baseline_year", c.t("indicator.baseline_year"), Kind::Year, false)
            .field("target_value", c.t("indicator.target_value"), Kind::Number, false)
            .hint(c.t("edit.number_hint"))
            .field("target_year", c.t("indicator.target_year"), Kind::Year, false)
            .field(
                "direction",
                c.t("indicator.direction"),
                options(Direction::ALL, Direction::code, Direction::label_key, c),
                true,
            )
    }

    fn read(reader: &mut Reader) -> Option<IndicatorEdit> {
        IndicatorEdit::read(reader)
    }

    async fn save(
        &self,
        w: &mut WriteTx,
        fields: &IndicatorEdit,
        version: i64,
    ) -> agio_store::Result<Saved<IndicatorEdit>> {
        w.update_indicator(&self.action.stored.id, &self.indicator_id, fields, version).await
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.indicator_title", &[("indicator", &self.stored.name)])
    }

    fn record(&self) -> &str {
        &self.action.stored.label
    }

    fn done(&self) -> String {
        self.action.done()
    }
}

async fn indicator_editor(state: &AppState, slug: &str, code: &str, id: &str) -> Result<IndicatorEditor, AppError> {
    let action = action_editor(state, slug, code).await?;
    let stored = state.store.indicator_for_edit(&action.stored.id, id).await?.ok_or(AppError::NotFound)?;
    Ok(IndicatorEditor { action, indicator_id: id.to_string(), stored })
}

async fn indicator_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, code, id)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let e = indicator_editor(&state, &slug, &code, &id).await?;
    let here = format!("/agende/{slug}/azioni/{code}/indicatori/{id}/modifica");
    show(&state, lang, &visitor, &here, &e, &e.stored, e.action.stored.version).await
}

async fn indicator_post(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, code, id)): Path<(String, String, String)>,
    body: FormBody,
) -> Result<Response, AppError> {
    let e = indicator_editor(&state, &slug, &code, &id).await?;
    submit(&state, lang, &visitor, &format!("/agende/{slug}/azioni/{code}/indicatori/{id}/modifica"), &e, &body).await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/modifica", get(agenda_get).post(agenda_post))
        .route("/agende/{slug}/stato", get(status_get).post(status_post))
        .route("/agende/{slug}/azioni/{code}/modifica", get(action_get).post(action_post))
        .route("/agende/{slug}/azioni/{code}/indicatori/{id}/modifica", get(indicator_get).post(indicator_post))
}

/// The edit links a page shows to the people allowed to follow them.
#[derive(Debug, Default)]
pub(crate) struct Tools {
    pub links: Vec<(String, String)>,
    /// Whether each indicator gets its own edit link.
    pub edit_indicators: bool,
}

/// For the agenda page (and, with an action code, the action page): hides drafts from those
/// outside their circle (404), and lists what the signed-in visitor may do here.
pub(crate) async fn tools(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    draft: bool,
    action: Option<&str>,
) -> Result<Tools, AppError> {
    if !draft && visitor.signed_in.is_none() {
        return Ok(Tools::default());
    }
    let c = lang.catalogue();
    let facts = facts(state, slug).await?;
    visitor.require(Operation::ReadDraft, &Target::Agenda(&facts))?;
    let mut tools = Tools::default();
    let base = match action {
        Some(code) => format!("/agende/{slug}/azioni/{code}"),
        None => format!("/agende/{slug}"),
    };
    let lead = match action {
        Some(code) => state.store.action_for_edit(slug, code).await?.ok_or(AppError::NotFound)?.1,
        None => None,
    };
    let target = match action {
        Some(_) => Target::Action(&facts, lead.as_deref()),
        None => Target::Agenda(&facts),
    };
    if visitor.may(Operation::Edit, &target) {
        tools.links.push((format!("{base}/modifica"), c.t("edit.edit").to_string()));
    }
    if action.is_none() && visitor.may(Operation::ChangeStatus, &target) {
        tools.links.push((format!("{base}/stato"), c.t("workflow.change").to_string()));
    }
    if visitor.may(Operation::ReadHistory, &target) {
        tools.links.push((format!("{base}/cronologia"), c.t("edit.history").to_string()));
    }
    tools.edit_indicators = action.is_some() && visitor.may(Operation::EditResults, &target);
    Ok(tools)
}
