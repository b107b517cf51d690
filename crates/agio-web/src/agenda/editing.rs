//! An agenda's edit pages: the agenda, its workflow, its objectives, an action and the lines of
//! its lists (partners, budget, results, indicators), on the flow of `kit::edit_page`; the tools
//! of the agenda and action pages; the fields of each form.

use agio_domain::access::{AgendaFacts, Operation, Target};
use agio_domain::{ActionStatus, ActionTerm, AgendaStatus, Direction, Frequency, PartnerRole, ResultKind};
use axum::Router;

use crate::kit::auth::Visitor;
use crate::kit::edit_page::{edit_route, loads_from_path, options, EditPage};
use crate::kit::error::AppError;
use crate::kit::forms::{cents_in_euros, Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::{Comparison, ToolKind, Tools};
use crate::kit::state::AppState;
use agio_app::editors::{
    ActionEditor, AgendaEditor, BudgetLineEditor, IndicatorEditor, ObjectiveEditor, PartnerEditor, ResultEditor,
    StatusEditor,
};
use agio_app::parts::Part;

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

/// What moving to `to` is called, as an action: the workflow screen names actions, not states
/// ("Pubblica la bozza come versione approvata n. 3").
fn move_action(e: &StatusEditor, to: AgendaStatus, c: &Catalogue) -> String {
    c.fmt(&format!("workflow.action.{}", to.code()), &[("number", &e.next_version().to_string())])
}

impl EditPage for StatusEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let choices = self.moves().into_iter().map(|to| (to.code().to_string(), move_action(self, to, c))).collect();
        let mut form = form
            .field("status", c.t("workflow.to"), Kind::Select(choices), true)
            .field("note", c.t("workflow.note"), Kind::Text, true)
            .hint(c.t("workflow.note_hint"));
        form.submit = c.t("workflow.change").to_string();
        form
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("workflow.title").to_string()
    }

    fn intro(&self, c: &Catalogue) -> String {
        let current = c.fmt("workflow.current", &[("status", c.label(&self.from.status.label_key()))]);
        match self.published {
            Some(n) => format!("{current} {}", c.fmt("workflow.published", &[("number", &n.to_string())])),
            None => format!("{current} {}", c.t("workflow.never_published")),
        }
    }

    /// Each possible move: what it does and who will see what.
    fn notes(&self, lang: Lang) -> Vec<String> {
        let c = lang.catalogue();
        let number = self.next_version().to_string();
        let effect = |to: AgendaStatus| c.fmt(&format!("workflow.effect.{}", to.code()), &[("number", &number)]);
        self.moves().into_iter().map(|to| format!("{}: {}", move_action(self, to, c), effect(to))).collect()
    }

    /// Before publishing: what the draft changes from the published version.
    async fn see_first(&self, state: &AppState, lang: Lang) -> Result<Option<Comparison>, AppError> {
        let Some(n) = self.published else { return Ok(None) };
        let slug = &self.agenda.slug;
        Ok(Some(crate::agenda::versions::draft_changes(state, slug, &self.agenda.facts.agenda_id, n, lang).await?))
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

/// The action's Piano di Zona reference: a sheet of its district's plan, or (no plan yet) a line.
fn zone_plan_kind(e: &ActionEditor) -> Kind {
    match e.sheets.is_empty() {
        true => Kind::Line,
        false => Kind::Select(e.sheets.iter().map(|s| (s.clone(), s.clone())).collect()),
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
            .field("zone_plan_ref", c.t("action.zone_plan_ref"), zone_plan_kind(self), false)
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

    /// The amount is stored in cents and written in euros.
    fn shown(&self, field: &str, record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        match field {
            "amount" => cents_in_euros(record("amount_cents")),
            _ => record(field),
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

loads_from_path! {
    AgendaEditor(slug);
    StatusEditor(slug);
    ActionEditor(slug, code);
    IndicatorEditor(slug, code, id);
    PartnerEditor(slug, code, item);
    BudgetLineEditor(slug, code, item);
    ResultEditor(slug, code, id);
    ObjectiveEditor(slug, code);
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/modifica", edit_route::<AgendaEditor>())
        .route("/agende/{slug}/stato", edit_route::<StatusEditor>())
        .route("/agende/{slug}/azioni/{code}/modifica", edit_route::<ActionEditor>())
        .route("/agende/{slug}/azioni/{code}/indicatori/{id}/modifica", edit_route::<IndicatorEditor>())
        .route("/agende/{slug}/azioni/{code}/risultati/{id}/modifica", edit_route::<ResultEditor>())
        .route("/agende/{slug}/azioni/{code}/soggetti/{item}/modifica", edit_route::<PartnerEditor>())
        .route("/agende/{slug}/azioni/{code}/budget/{item}/modifica", edit_route::<BudgetLineEditor>())
        .route("/agende/{slug}/obiettivi/{code}/modifica", edit_route::<ObjectiveEditor>())
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
    let facts = state.cache.read(format!("agenda_facts {slug}"), state.store.agenda_facts(slug)).await?;
    let facts = facts.as_ref().as_ref().ok_or(AppError::NotFound)?;
    tools_for(state, lang, visitor, facts, slug, action).await
}

/// `tools` for an agenda whose facts are already read.
pub(crate) async fn tools_for(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    facts: &AgendaFacts,
    slug: &str,
    action: Option<&str>,
) -> Result<Tools, AppError> {
    let c = lang.catalogue();
    visitor.require(Operation::ReadDraft, &Target::Agenda(facts))?;
    let mut tools = Tools { agenda_id: facts.agenda_id.clone(), ..Tools::default() };
    if action.is_none() {
        tools.add(ToolKind::Other, format!("/agende/{slug}/versioni"), c.t("version.title"));
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
        tools.add(ToolKind::Main, format!("{base}/modifica"), c.t("edit.edit"));
        if action.is_none() {
            tools.add(ToolKind::Other, format!("{base}/percorso/modifica"), c.t("lab.tool"));
        }
        if action.is_some() {
            tools.add(ToolKind::Other, format!("{base}/lacune"), c.t("gap.tool"));
            for (part, key) in [
                (Part::Partners, "parts.partners_tool"),
                (Part::BudgetLines, "parts.budget_tool"),
                (Part::Assets, "parts.assets_tool"),
            ] {
                tools.add(ToolKind::Other, format!("{base}/{}", part.segment()), c.t(key));
            }
        }
    }
    if action.is_some() && visitor.may(Operation::EditResults, &target) {
        for (part, key) in [(Part::Results, "parts.results_tool"), (Part::Indicators, "parts.indicators_tool")] {
            tools.add(ToolKind::Other, format!("{base}/{}", part.segment()), c.t(key));
        }
    }
    if action.is_none() && visitor.may(Operation::Create, &target) {
        tools.add(ToolKind::Other, format!("{base}/obiettivi/nuovo"), c.t("create.objective_title"));
        tools.add(ToolKind::Other, format!("{base}/azioni/nuova"), c.t("create.action_title"));
    }
    if action.is_none() && visitor.may(Operation::ChangeStatus, &target) {
        tools.add(ToolKind::Main, format!("{base}/stato"), c.t("workflow.change"));
    }
    if visitor.may(Operation::ReadHistory, &target) {
        tools.add(ToolKind::Other, format!("{base}/cronologia"), c.t("edit.history"));
    }
    if action.is_none() && visitor.may(Operation::ManageRoles, &target) {
        tools.add(ToolKind::Other, format!("{base}/persone"), c.t("people.tool"));
    }
    if visitor.may(Operation::Archive, &target) {
        match action {
            Some(_) => tools.add(ToolKind::Destructive, format!("{base}/archivia"), c.t("archive.tool")),
            None => {
                tools.add(ToolKind::Destructive, format!("{base}/archivio"), c.t("archive.agenda_tool"));
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
        .field(
            "frequency",
            c.t("indicator.frequency"),
            options(Frequency::ALL, Frequency::code, Frequency::label_key, c),
            true,
        )
        .field("weight", c.t("indicator.weight"), Kind::Number, false)
        .hint(c.t("indicator.weight_hint"))
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
