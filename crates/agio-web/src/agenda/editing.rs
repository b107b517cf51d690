//! Edit pages: an agenda, its workflow, an action, an indicator. Each is a form under the
//! record's address (`…/modifica`); all follow one flow: sign in, decide, show the form at the
//! stored version; on submit check the token, decide again, read every field, save against the
//! version, and on a conflict show both versions and save nothing. What is edited, and the
//! rules, are in `crate::editors` (shared with the write API); this module is the HTML side.

use agio_app::Context;
use agio_domain::access::{Operation, Principal, Target};
use agio_domain::edit::{FieldError, FieldProblem, Reader};
use agio_domain::{ActionStatus, ActionTerm, AgendaStatus, Channel, Direction, PartnerRole, ResultKind};
use agio_store::Saved;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::kit::auth::{SignedInForm, SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::{values_of, Form, FormBody, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::render;
use crate::kit::layout::FormPage;
use crate::kit::state::{AppState, PageContext};
use agio_app::editors::{
    ActionEditor, AgendaEditor, BudgetLineEditor, Editor, IndicatorEditor, ObjectiveEditor, OrganizationEditor,
    PartnerEditor, ResultEditor, ServiceEditor, StatusEditor,
};
use agio_app::parts::Part;

/// The HTML side of an editor: its form, its title and where it leads back to.
pub(crate) trait EditPage: Editor {
    /// The form's fields (no values yet), labelled in `lang`.
    fn fields(&self, form: Form, lang: Lang) -> Form;
    /// The page title.
    fn title(&self, c: &Catalogue) -> String;
    /// The name of the record the page edits (the breadcrumb step back to it; none when creating).
    fn record(&self) -> &str;
    /// The record's page, where a save leads.
    fn done(&self) -> String;
    /// The address of the form.
    fn here(&self) -> String;

    /// The site section: its navigation key, the i18n key of its list's title, the list's address.
    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("agendas", "agendas.title", "/agende")
    }

    /// How a stored value shows in the form (lists of comuni by name, say).
    fn shown(&self, _field: &str, stored: Option<String>) -> Option<String> {
        stored
    }

    /// Title and breadcrumb: the list › the record › this page.
    fn context(&self, lang: Lang) -> PageContext {
        let c = lang.catalogue();
        let (section, list_title, list) = self.section();
        let ctx = PageContext::new(lang, &self.here(), section, self.title(c)).crumb(c.t(list_title), list);
        match self.record() {
            "" => ctx.last_crumb(),
            record => ctx.crumb(record, self.done()).last_crumb(),
        }
    }
}

/// A select of the codes of a closed set, labelled in the visitor's language.
pub(crate) fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> String,
    c: &Catalogue,
) -> Kind {
    Kind::Select(all.iter().map(|v| (code(*v).to_string(), c.label(&key(*v)).to_string())).collect())
}

fn page<E: EditPage>(e: &E, lang: Lang, form: Form) -> FormPage {
    let c = lang.catalogue();
    FormPage {
        ctx: e.context(lang),
        intro: c.t("edit.intro").to_string(),
        form,
        back: Some((e.done(), c.t("edit.cancel").to_string())),
        alternative: None,
    }
}

fn empty_form<E: EditPage>(e: &E, visitor: &Visitor, state: &AppState, lang: Lang) -> Form {
    let (csrf, _) = visitor.csrf_token(state.secure_cookies);
    let c = lang.catalogue();
    e.fields(Form::new(e.here(), csrf, c.t("edit.save")).numbers_in(lang), lang)
}

/// GET: the form filled with the stored record.
async fn show<E: EditPage>(state: &AppState, lang: Lang, visitor: &Visitor, e: &E) -> Result<Response, AppError> {
    e.allowed(visitor.principal())?;
    let (stored, version) = e.current();
    let stored = values_of(stored);
    let form = empty_form(e, visitor, state, lang).version(version).values(&|name: &str| e.shown(name, stored(name)));
    Ok(render(page(e, lang, form))?.into_response())
}

/// POST: validate, save against the version, or show what is wrong or what changed meanwhile.
async fn submit<E: EditPage>(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    e: &E,
    body: &FormBody,
) -> Result<Response, AppError> {
    e.allowed(visitor.principal())?;
    let c = lang.catalogue();
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let fields = e.read(&mut reader);
    let version = reader.version();
    let form = empty_form(e, visitor, state, lang).values(&input);
    let fields = match reader.conclude(fields) {
        Ok(fields) => fields,
        Err(errors) => {
            let form = form.version(version).errors(&errors, c);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page(e, lang, form))?).into_response());
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
            let stale = [FieldError { field: String::new(), problem: FieldProblem::Stale }];
            let form = form.version(version).conflict(&values_of(&current)).errors(&stale, c);
            Ok((StatusCode::CONFLICT, render(page(e, lang, form))?).into_response())
        }
    }
}

impl EditPage for AgendaEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        agenda_fields(form, lang.catalogue())
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

    fn here(&self) -> String {
        format!("/agende/{}/modifica", self.slug)
    }
}

impl EditPage for StatusEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let current = c.fmt("workflow.current", &[("status", c.label(&self.from.status.label_key()))]);
        form.field(
            "status",
            c.t("workflow.to"),
            options(&self.moves(), AgendaStatus::code, AgendaStatus::label_key, c),
            true,
        )
        .hint(&current)
        .field("note", c.t("workflow.note"), Kind::Text, true)
        .hint(c.t("workflow.note_hint"))
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

    fn here(&self) -> String {
        format!("/agende/{}/stato", self.agenda.slug)
    }
}

impl EditPage for ActionEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        action_fields(form, c)
            .field("start_date", c.t("action.start"), Kind::Date, false)
            .hint(c.t("edit.date_hint"))
            .field("end_date", c.t("action.end"), Kind::Date, false)
            .hint(c.t("edit.date_hint"))
            .field("zone_plan_ref", c.t("action.zone_plan_ref"), Kind::Line, false)
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

    fn here(&self) -> String {
        format!("/agende/{}/azioni/{}/modifica", self.slug, self.code)
    }
}

impl EditPage for IndicatorEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        indicator_fields(form, lang.catalogue())
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

    fn here(&self) -> String {
        format!("/agende/{}/azioni/{}/indicatori/{}/modifica", self.action.slug, self.action.code, self.indicator_id)
    }
}

impl EditPage for PartnerEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        partner_fields(form, lang.catalogue())
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.partner_title", &[("action", &self.action.stored.label)])
    }

    fn record(&self) -> &str {
        &self.action.stored.label
    }

    fn done(&self) -> String {
        format!("{}/soggetti", self.action.done())
    }

    fn here(&self) -> String {
        format!("{}/soggetti/{}/modifica", self.action.done(), self.slug)
    }
}

impl EditPage for BudgetLineEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        budget_fields(form, lang, &self.sources)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.budget_line_title", &[("action", &self.action.stored.label)])
    }

    fn record(&self) -> &str {
        &self.action.stored.label
    }

    fn done(&self) -> String {
        format!("{}/budget", self.action.done())
    }

    fn here(&self) -> String {
        format!("{}/budget/{}/modifica", self.action.done(), self.line_id)
    }

    /// The amount is stored in cents and written in euros (with a decimal comma, which the
    /// reader takes in either language).
    fn shown(&self, field: &str, stored: Option<String>) -> Option<String> {
        match field {
            "amount" => {
                let cents = self.stored.amount_cents;
                Some(format!("{},{:02}", cents / 100, cents % 100))
            }
            _ => stored,
        }
    }
}

impl EditPage for ResultEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        result_fields(form, lang.catalogue())
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.result_title", &[("result", &self.stored.description)])
    }

    fn record(&self) -> &str {
        &self.action.stored.label
    }

    fn done(&self) -> String {
        self.action.done()
    }

    fn here(&self) -> String {
        format!("/agende/{}/azioni/{}/risultati/{}/modifica", self.action.slug, self.action.code, self.result_id)
    }
}

impl EditPage for ObjectiveEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        objective_fields(form, lang.catalogue())
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.objective_title", &[("objective", &self.stored.label)])
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/agende/{}#obj-{}", self.slug, self.code)
    }

    fn here(&self) -> String {
        format!("/agende/{}/obiettivi/{}/modifica", self.slug, self.code)
    }
}

impl EditPage for OrganizationEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        organization_fields(form, lang, &self.org_types)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("edit.organization_title", &[("name", &self.stored.label)])
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/soggetti/{}", self.slug)
    }

    fn here(&self) -> String {
        format!("/soggetti/{}/modifica", self.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("organizations", "organizations.title", "/soggetti")
    }
}

impl EditPage for ServiceEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let levels = agio_domain::edit::DIGITAL_LEVELS
            .iter()
            .map(|l| (l.to_string(), c.label(&format!("digital_level.{l}")).to_string()))
            .collect();
        let form = form
            .field("name", c.t("service_edit.name"), Kind::Line, true)
            .field("summary", c.t("service_edit.summary"), Kind::Line, false)
            .hint(c.t("service_edit.summary_hint"))
            .field("description", c.t("service.what"), Kind::Text, true)
            .field("eligibility", c.t("service.for_whom"), Kind::Text, false)
            .field("application_process", c.t("service.steps"), Kind::Text, false)
            .hint(c.t("service_edit.steps_hint"))
            .field("online", c.t("service_edit.online"), Kind::Text, false)
            .field("in_person", c.t("service_edit.in_person"), Kind::Text, false)
            .field("fees", c.t("service.costs"), Kind::Line, false)
            .field("digital_level", c.t("service.digital_level"), Kind::Select(levels), true)
            .field("email", c.t("service.email"), Kind::Email, false);
        // Weekly hours only where a line can say them all (one place, plain weekly openings).
        let form = match agio_directory::editing::editable_hours(&self.stored.document) {
            Some(_) => {
                form.field("hours", c.t("service_edit.hours"), Kind::Text, false).hint(c.t("service_edit.hours_hint"))
            }
            None => form,
        };
        form.field("closures", c.t("service_edit.closures"), Kind::Text, false)
            .hint(c.t("service_edit.closures_hint"))
            .field("name_en", c.t("service_edit.name_en"), Kind::Line, false)
            .hint(c.t("service_edit.english_hint"))
            .field("summary_en", c.t("service_edit.summary_en"), Kind::Line, false)
            .field("description_en", c.t("service_edit.description_en"), Kind::Text, false)
            .field("eligibility_en", c.t("service_edit.eligibility_en"), Kind::Text, false)
            .field("application_process_en", c.t("service_edit.steps_en"), Kind::Text, false)
            .field("online_en", c.t("service_edit.online_en"), Kind::Text, false)
            .field("in_person_en", c.t("service_edit.in_person_en"), Kind::Text, false)
            .field("fees_en", c.t("service_edit.fees_en"), Kind::Line, false)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("service_edit.title", &[("name", &self.fields.name)])
    }

    fn record(&self) -> &str {
        &self.fields.name
    }

    fn done(&self) -> String {
        format!("/servizi/{}", self.stored.slug)
    }

    fn here(&self) -> String {
        format!("/servizi/{}/modifica", self.stored.slug)
    }

    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("services", "services.title", "/servizi")
    }
}

impl FromPath for ServiceEditor {
    type Params = String;
    async fn load(state: &AppState, _: Option<&Principal>, slug: String) -> Result<Self, AppError> {
        Ok(ServiceEditor::load(state, &slug).await?)
    }
}

/// An edit page found from its address's parameters.
pub(crate) trait FromPath: EditPage + Sized {
    type Params: serde::de::DeserializeOwned + Send;
    /// `who` is asking (a creator's choices depend on their scope).
    fn load(
        state: &AppState,
        who: Option<&Principal>,
        params: Self::Params,
    ) -> impl std::future::Future<Output = Result<Self, AppError>> + Send;
}

impl FromPath for AgendaEditor {
    type Params = String;
    async fn load(state: &AppState, _: Option<&Principal>, slug: String) -> Result<Self, AppError> {
        Ok(AgendaEditor::load(state, &slug).await?)
    }
}

impl FromPath for StatusEditor {
    type Params = String;
    async fn load(state: &AppState, _: Option<&Principal>, slug: String) -> Result<Self, AppError> {
        Ok(StatusEditor::load(state, &slug).await?)
    }
}

impl FromPath for ActionEditor {
    type Params = (String, String);
    async fn load(state: &AppState, _: Option<&Principal>, (slug, code): (String, String)) -> Result<Self, AppError> {
        Ok(ActionEditor::load(state, &slug, &code).await?)
    }
}

impl FromPath for IndicatorEditor {
    type Params = (String, String, String);
    async fn load(
        state: &AppState,
        _: Option<&Principal>,
        (slug, code, id): (String, String, String),
    ) -> Result<Self, AppError> {
        Ok(IndicatorEditor::load(state, &slug, &code, &id).await?)
    }
}

impl FromPath for PartnerEditor {
    type Params = (String, String, String);
    async fn load(
        state: &AppState,
        _: Option<&Principal>,
        (slug, code, item): (String, String, String),
    ) -> Result<Self, AppError> {
        Ok(PartnerEditor::load(state, &slug, &code, &item).await?)
    }
}

impl FromPath for BudgetLineEditor {
    type Params = (String, String, String);
    async fn load(
        state: &AppState,
        _: Option<&Principal>,
        (slug, code, item): (String, String, String),
    ) -> Result<Self, AppError> {
        Ok(BudgetLineEditor::load(state, &slug, &code, &item).await?)
    }
}

impl FromPath for ResultEditor {
    type Params = (String, String, String);
    async fn load(
        state: &AppState,
        _: Option<&Principal>,
        (slug, code, id): (String, String, String),
    ) -> Result<Self, AppError> {
        Ok(ResultEditor::load(state, &slug, &code, &id).await?)
    }
}

impl FromPath for ObjectiveEditor {
    type Params = (String, String);
    async fn load(state: &AppState, _: Option<&Principal>, (slug, code): (String, String)) -> Result<Self, AppError> {
        Ok(ObjectiveEditor::load(state, &slug, &code).await?)
    }
}

impl FromPath for OrganizationEditor {
    type Params = String;
    async fn load(state: &AppState, _: Option<&Principal>, slug: String) -> Result<Self, AppError> {
        Ok(OrganizationEditor::load(state, &slug).await?)
    }
}

async fn edit_get<E: FromPath>(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(params): Path<E::Params>,
) -> Result<Response, AppError> {
    show(&state, lang, &visitor, &E::load(&state, visitor.principal(), params).await?).await
}

async fn edit_post<E: FromPath>(
    State(state): State<AppState>,
    lang: Lang,
    Path(params): Path<E::Params>,
    SignedInForm { visitor, body, .. }: SignedInForm,
) -> Result<Response, AppError> {
    submit(&state, lang, &visitor, &E::load(&state, visitor.principal(), params).await?, &body).await
}

/// GET shows the form, POST saves it.
pub(crate) fn edit_route<E: FromPath + 'static>() -> axum::routing::MethodRouter<AppState> {
    get(edit_get::<E>).post(edit_post::<E>)
}

/// A creation form, at an address without parameters.
pub(crate) fn create_route<E: FromPath<Params = ()> + 'static>() -> axum::routing::MethodRouter<AppState> {
    get(|State(state): State<AppState>, lang: Lang, SignedInVisitor { visitor, .. }: SignedInVisitor| async move {
        show(&state, lang, &visitor, &E::load(&state, visitor.principal(), ()).await?).await
    })
    .post(
        |State(state): State<AppState>, lang: Lang, SignedInForm { visitor, body, .. }: SignedInForm| async move {
            submit(&state, lang, &visitor, &E::load(&state, visitor.principal(), ()).await?, &body).await
        },
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/soggetti/{slug}/modifica", edit_route::<OrganizationEditor>())
        .route("/servizi/{slug}/modifica", edit_route::<ServiceEditor>())
        .route("/agende/{slug}/modifica", edit_route::<AgendaEditor>())
        .route("/agende/{slug}/stato", edit_route::<StatusEditor>())
        .route("/agende/{slug}/azioni/{code}/modifica", edit_route::<ActionEditor>())
        .route("/agende/{slug}/azioni/{code}/indicatori/{id}/modifica", edit_route::<IndicatorEditor>())
        .route("/agende/{slug}/azioni/{code}/risultati/{id}/modifica", edit_route::<ResultEditor>())
        .route("/agende/{slug}/azioni/{code}/soggetti/{item}/modifica", edit_route::<PartnerEditor>())
        .route("/agende/{slug}/azioni/{code}/budget/{item}/modifica", edit_route::<BudgetLineEditor>())
        .route("/agende/{slug}/obiettivi/{code}/modifica", edit_route::<ObjectiveEditor>())
}

/// The edit links of an organisation's page, for its referents and the administrators.
pub(crate) fn organization_tools(lang: Lang, visitor: &Visitor, id: &str, slug: &str) -> Tools {
    let c = lang.catalogue();
    let mut tools = Tools::default();
    let target = Target::Organization(id);
    if visitor.may(Operation::Edit, &target) {
        tools.links.push((format!("/soggetti/{slug}/modifica"), c.t("edit.edit").to_string()));
    }
    if visitor.may(Operation::ReadHistory, &target) {
        tools.links.push((format!("/soggetti/{slug}/cronologia"), c.t("edit.history").to_string()));
    }
    if visitor.may(Operation::Archive, &target) {
        tools.links.push((format!("/soggetti/{slug}/archivia"), c.t("archive.tool").to_string()));
    }
    tools
}

/// The edit links a page shows to the people allowed to follow them, and whether the visitor
/// is one of those who write the agenda (who see its working draft).
#[derive(Debug, Default)]
pub(crate) struct Tools {
    pub links: Vec<(String, String)>,
    /// Whether each indicator gets its own edit link.
    pub edit_indicators: bool,
    pub agenda_id: String,
    /// Administrators, coordinators and referents of lead organisations: they see the draft.
    pub member: bool,
    /// Set when the record is archived: the banner, and the restore button for those who may.
    pub archived: Option<crate::archive::archiving::ArchivedNote>,
    /// Whether each objective gets its own archive link (the agenda's coordinators).
    pub archive_objectives: bool,
}

impl Tools {
    /// An archived record's page: the banner instead of the archive link.
    pub(crate) fn archived(&mut self, note: Option<crate::archive::archiving::ArchivedNote>) {
        if note.is_some() {
            self.links.retain(|(href, _)| !href.ends_with("/archivia"));
        }
        self.archived = note;
    }
}

/// For the agenda page (and, with an action code, the action page): hides drafts from those
/// outside their circle (404), and lists what the signed-in visitor may do here.
pub(crate) async fn tools(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    action: Option<&str>,
) -> Result<Tools, AppError> {
    let c = lang.catalogue();
    let facts = state.cache.read(format!("agenda_facts {slug}"), state.store.agenda_facts(slug)).await?;
    let facts = facts.as_ref().as_ref().ok_or(AppError::NotFound)?;
    visitor.require(Operation::ReadDraft, &Target::Agenda(facts))?;
    let mut tools = Tools { agenda_id: facts.agenda_id.clone(), ..Tools::default() };
    if action.is_none() {
        tools.links.push((format!("/agende/{slug}/versioni"), c.t("version.title").to_string()));
    }
    if visitor.signed_in.is_none() {
        return Ok(tools);
    }
    let private = agio_domain::access::AgendaFacts { public: false, ..facts.clone() };
    tools.member = visitor.may(Operation::ReadDraft, &Target::Agenda(&private));
    let base = match action {
        Some(code) => format!("/agende/{slug}/azioni/{code}"),
        None => format!("/agende/{slug}"),
    };
    let lead = match action {
        Some(code) => {
            let action =
                state.cache.read(format!("action_for_edit {slug} {code}"), state.store.action_for_edit(slug, code));
            action.await?.as_ref().as_ref().ok_or(AppError::NotFound)?.1.clone()
        }
        None => None,
    };
    let target = match action {
        Some(_) => Target::Action(facts, lead.as_deref()),
        None => Target::Agenda(facts),
    };
    if visitor.may(Operation::Edit, &target) {
        tools.links.push((format!("{base}/modifica"), c.t("edit.edit").to_string()));
        if action.is_some() {
            for (part, key) in [
                (Part::Partners, "parts.partners_tool"),
                (Part::BudgetLines, "parts.budget_tool"),
                (Part::Assets, "parts.assets_tool"),
            ] {
                tools.links.push((format!("{base}/{}", part.segment()), c.t(key).to_string()));
            }
        }
    }
    if action.is_some() && visitor.may(Operation::EditResults, &target) {
        for (part, key) in [(Part::Results, "parts.results_tool"), (Part::Indicators, "parts.indicators_tool")] {
            tools.links.push((format!("{base}/{}", part.segment()), c.t(key).to_string()));
        }
    }
    if action.is_none() && visitor.may(Operation::Create, &target) {
        tools.links.push((format!("{base}/obiettivi/nuovo"), c.t("create.objective_title").to_string()));
        tools.links.push((format!("{base}/azioni/nuova"), c.t("create.action_title").to_string()));
    }
    if action.is_none() && visitor.may(Operation::ChangeStatus, &target) {
        tools.links.push((format!("{base}/stato"), c.t("workflow.change").to_string()));
    }
    if visitor.may(Operation::ReadHistory, &target) {
        tools.links.push((format!("{base}/cronologia"), c.t("edit.history").to_string()));
    }
    if action.is_none() && visitor.may(Operation::ManageRoles, &target) {
        tools.links.push((format!("{base}/persone"), c.t("people.tool").to_string()));
    }
    if visitor.may(Operation::Archive, &target) {
        match action {
            Some(_) => tools.links.push((format!("{base}/archivia"), c.t("archive.tool").to_string())),
            None => {
                tools.links.push((format!("{base}/archivio"), c.t("archive.agenda_tool").to_string()));
                tools.archive_objectives = true;
            }
        }
    }
    tools.edit_indicators = action.is_some() && visitor.may(Operation::EditResults, &target);
    Ok(tools)
}

/// The fields of an organisation's part in an action (after the organisation, when adding).
pub(crate) fn partner_fields(form: Form, c: &Catalogue) -> Form {
    form.field(
        "role",
        c.t("action.role"),
        options(PartnerRole::ALL, PartnerRole::code, PartnerRole::label_key, c),
        true,
    )
    .field("role_description", c.t("action.contribution"), Kind::Line, false)
}

/// The fields of a budget line, for editing one or adding one.
pub(crate) fn budget_fields(form: Form, lang: Lang, sources: &[agio_domain::model::Term]) -> Form {
    let c = lang.catalogue();
    let sources = sources.iter().map(|t| (t.code.clone(), t.label(lang.code()).to_string())).collect();
    form.field("funding_source", c.t("parts.funding_source"), Kind::Select(sources), true)
        .field("amount", c.t("action.amount"), Kind::Number, true)
        .hint(c.t("parts.amount_hint"))
        .field("cup", c.t("parts.cup"), Kind::Line, false)
        .hint(c.t("parts.cup_hint"))
        .field("description", c.t("action.line"), Kind::Line, false)
}

/// The fields of an expected result, for editing one or adding one.
pub(crate) fn result_fields(form: Form, c: &Catalogue) -> Form {
    form.field(
        "kind",
        c.t("parts.result_kind"),
        options(ResultKind::ALL, ResultKind::code, ResultKind::label_key, c),
        true,
    )
    .field("description", c.t("parts.result_description"), Kind::Line, true)
}

/// The fields an action has from its creation: title, description, term, status.
pub(crate) fn action_fields(form: Form, c: &Catalogue) -> Form {
    form.field("title", c.t("action.title_field"), Kind::Line, true)
        .field("description", c.t("action.description"), Kind::Text, false)
        .hint(c.t("edit.markdown_hint"))
        .field("term", c.t("action.term"), options(ActionTerm::ALL, ActionTerm::code, ActionTerm::label_key, c), true)
        .field(
            "status",
            c.t("action.status"),
            options(ActionStatus::ALL, ActionStatus::code, ActionStatus::label_key, c),
            true,
        )
}

/// The fields of an objective, for editing one or adding one.
pub(crate) fn objective_fields(form: Form, c: &Catalogue) -> Form {
    form.field("title", c.t("agenda.title_field"), Kind::Line, true)
        .field("description", c.t("action.description"), Kind::Text, false)
        .hint(c.t("edit.markdown_hint"))
}

/// The fields of an indicator, for editing one or adding one.
pub(crate) fn indicator_fields(form: Form, c: &Catalogue) -> Form {
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

/// The fields of an agenda, for editing one or creating one.
pub(crate) fn agenda_fields(form: Form, c: &Catalogue) -> Form {
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

/// The fields of an organisation's profile, for editing one or creating one.
pub(crate) fn organization_fields(form: Form, lang: Lang, org_types: &[agio_domain::model::Term]) -> Form {
    let c = lang.catalogue();
    let org_types = org_types.iter().map(|t| (t.code.clone(), t.label(lang.code()).to_string())).collect();
    form.field("name", c.t("organization.name_field"), Kind::Line, true)
        .field("org_type", c.t("organization.type"), Kind::Select(org_types), true)
        .field("tax_code", c.t("organization.tax_code"), Kind::Line, false)
        .hint(c.t("edit.tax_code_hint"))
        .field("website", c.t("organization.website"), Kind::Line, false)
        .hint(c.t("edit.url_hint"))
        .field("description", c.t("organization.description"), Kind::Text, false)
}
