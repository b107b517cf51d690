//! The forms of the Community Lab: the process (`…/percorso/modifica`, which starts it when the
//! agenda has none), a phase's dates (`…/percorso/fasi/{kind}/modifica`), the active phase
//! (`…/percorso/fase`), a new idea (`…/percorso/idee/nuova`) and the coordinators' answer
//! (`…/percorso/idee/{n}/risposta`). The rules are `agio_app::lab`'s editors.

use agio_app::lab::{ActivePhaseEditor, AdmittedEditor, AnswerEditor, IdeaEditor, PhaseEditor, ProcessEditor};
use agio_app::lab_meetings::{AttendanceEditor, MeetingEditor};
use agio_app::lab_pacts::{PactEditor, PactReportEditor};
use agio_domain::access::Principal;
use agio_domain::lab::{AnswerEdit, MeetingEdit};
use agio_domain::{IdeaAnswer, PhaseKind, VoteMethod};
use agio_domain::{MeetingKind, Notification, PactStatus};

use super::notify::notify;
use axum::Router;

use crate::kit::edit_page::{edit_route, loads_from_path, options, EditPage, FromPath};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::state::AppState;
use crate::profile::page::gap_label;

/// The process's page, where its forms lead back to.
fn process_page(slug: &str) -> String {
    format!("/agende/{slug}/percorso")
}

impl EditPage for ProcessEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("title", c.t("lab.process_title"), Kind::Line, true)
            .field("description", c.t("lab.description"), Kind::Text, false)
            .hint(c.t("lab.description_hint"))
            .field(
                "vote_method",
                c.t("lab.vote_method"),
                options(VoteMethod::ALL, VoteMethod::code, VoteMethod::label_key, c),
                true,
            )
            .field("vote_points", c.t("lab.vote_points"), Kind::Number, false)
            .hint(c.t("lab.vote_points_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        match self.is_new() {
            true => c.t("lab.start").to_string(),
            false => c.fmt("lab.edit_title", &[("record", &self.stored.label)]),
        }
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t(if self.is_new() { "lab.start_intro" } else { "edit.intro" }).to_string()
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        process_page(&self.slug)
    }

    fn here(&self) -> String {
        format!("/agende/{}/percorso/modifica", self.slug)
    }
}

impl EditPage for PhaseEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("starts_on", c.t("lab.starts_on"), Kind::Date, false)
            .field("ends_on", c.t("lab.ends_on"), Kind::Date, false)
            .hint(c.t("lab.dates_hint"))
            .field("description", c.t("lab.phase_description"), Kind::Text, false)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("lab.phase_edit_title", &[("phase", c.label(&self.kind.label_key()))])
    }

    fn record(&self) -> &str {
        &self.process_title
    }

    fn done(&self) -> String {
        format!("{}#fase-{}", process_page(&self.slug), self.kind.code())
    }

    fn here(&self) -> String {
        format!("/agende/{}/percorso/fasi/{}/modifica", self.slug, self.kind.code())
    }
}

impl EditPage for ActivePhaseEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field(
            "active_phase",
            c.t("lab.active_phase"),
            options(PhaseKind::ALL, PhaseKind::code, PhaseKind::label_key, c),
            true,
        )
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("lab.phase_move").to_string()
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("lab.phase_move_intro").to_string()
    }

    fn record(&self) -> &str {
        &self.process.title
    }

    fn done(&self) -> String {
        process_page(&self.slug)
    }

    fn here(&self) -> String {
        format!("/agende/{}/percorso/fase", self.slug)
    }
}

impl FromPath for IdeaEditor {
    type Params = String;
    async fn load(state: &AppState, who: Option<&Principal>, slug: String) -> Result<Self, AppError> {
        Ok(IdeaEditor::load(state, who, &slug).await?)
    }
}

impl EditPage for IdeaEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let needs = &self.choices.needs;
        let gaps = self.choices.gaps.iter().map(|g| (g.key.clone(), gap_label(needs, lang, g))).collect();
        let terms = |terms: &[agio_domain::model::Term]| {
            terms.iter().map(|t| (t.code.clone(), t.label(lang.code()).to_string())).collect()
        };
        let form = form
            .field("title", c.t("lab.idea_title"), Kind::Line, true)
            .field("body", c.t("lab.idea_body"), Kind::Text, true)
            .hint(c.t("lab.idea_body_hint"))
            .field("gap_key", c.t("lab.idea_gap"), Kind::Select(gaps), false)
            .hint(c.t("lab.idea_gap_hint"))
            .field("comune", c.t("lab.idea_comune"), Kind::Select(self.choices.comuni.clone()), false)
            .field(
                "target_groups",
                c.t("vocabulary.target_group"),
                Kind::Choices(terms(&self.choices.target_groups)),
                false,
            )
            .field("life_stages", c.t("vocabulary.life_stage"), Kind::Choices(terms(&self.choices.life_stages)), false);
        // A confirmed representative may propose it for their organisation.
        match self.organizations.is_empty() {
            true => form,
            false => form
                .field("on_behalf_of", c.t("lab.on_behalf_of"), Kind::Select(self.organizations.clone()), false)
                .hint(c.t("lab.on_behalf_of_hint")),
        }
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("lab.propose").to_string()
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("lab.propose_intro").to_string()
    }

    /// Empty: a new record, whose notice says it was created.
    fn record(&self) -> &str {
        ""
    }

    fn done(&self) -> String {
        match self.created() {
            Some(n) => format!("/agende/{}/percorso/idee/{n}", self.slug),
            None => format!("/agende/{}/percorso/idee", self.slug),
        }
    }

    fn here(&self) -> String {
        format!("/agende/{}/percorso/idee/nuova", self.slug)
    }
}

/// The address of an idea: its agenda and number.
#[derive(serde::Deserialize)]
pub(crate) struct IdeaPath {
    slug: String,
    number: String,
}

impl FromPath for AnswerEditor {
    type Params = IdeaPath;
    async fn load(state: &AppState, who: Option<&Principal>, p: IdeaPath) -> Result<Self, AppError> {
        Ok(AnswerEditor::load(state, who, &p.slug, super::number(&p.number)?).await?)
    }
}

impl EditPage for AnswerEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let actions = self.actions.iter().map(|(code, _, title)| (code.clone(), format!("{code} — {title}"))).collect();
        let ideas = self.others.iter().map(|n| (n.clone(), c.fmt("lab.idea_number", &[("n", n)]))).collect();
        form.field(
            "answer",
            c.t("lab.answer"),
            options(IdeaAnswer::ALL, IdeaAnswer::code, IdeaAnswer::label_key, c),
            true,
        )
        .field("action_code", c.t("lab.answer_action"), Kind::Select(actions), false)
        .hint(c.t("lab.answer_action_hint"))
        .field("merged_into", c.t("lab.answer_merged"), Kind::Select(ideas), false)
        .field("answer_note", c.t("lab.answer_note"), Kind::Text, false)
        .hint(c.t("lab.answer_note_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("lab.answer_title", &[("n", &self.idea.summary.number.to_string())])
    }

    /// The idea's author is told of the answer.
    async fn after_save(&self, state: &AppState, saved: &AnswerEdit) -> Result<(), AppError> {
        let Some(author) = self.idea.author_id.clone() else { return Ok(()) };
        let c = Lang::It.catalogue();
        let answer = saved.answer.map(|a| c.label(&a.label_key())).unwrap_or_default();
        let n = self.idea.summary.number.to_string();
        let args = [("n", n.as_str()), ("title", self.idea.summary.title.as_str()), ("answer", answer)];
        notify(state, &[author], Notification::IdeaAnswered, &self.done(), &args).await
    }

    fn record(&self) -> &str {
        &self.idea.summary.title
    }

    fn done(&self) -> String {
        format!("/agende/{}/percorso/idee/{}", self.slug, self.idea.summary.number)
    }

    fn here(&self) -> String {
        format!("{}/risposta", self.done())
    }
}

impl EditPage for AdmittedEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("admitted", c.t("lab.admitted"), Kind::Choices(self.ideas.clone()), false)
            .hint(c.t("lab.admitted_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("lab.admitted_tool").to_string()
    }

    fn record(&self) -> &str {
        &self.process.title
    }

    fn done(&self) -> String {
        format!("/agende/{}/percorso/voto", self.slug)
    }

    fn here(&self) -> String {
        format!("{}/ammesse", self.done())
    }
}

/// The address of a meeting's form: `{number}` absent for a new one.
#[derive(serde::Deserialize)]
pub(crate) struct MeetingPath {
    slug: String,
    number: Option<String>,
}

impl FromPath for MeetingEditor {
    type Params = MeetingPath;
    async fn load(state: &AppState, who: Option<&Principal>, p: MeetingPath) -> Result<Self, AppError> {
        let number = p.number.as_deref().map(super::number).transpose()?;
        Ok(MeetingEditor::load(state, who, &p.slug, number).await?)
    }
}

impl EditPage for MeetingEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let ideas = self.ideas.iter().map(|(n, _, title)| (n.clone(), format!("n. {n} — {title}"))).collect();
        form.field(
            "kind",
            c.t("lab.meeting_kind"),
            options(MeetingKind::ALL, MeetingKind::code, MeetingKind::label_key, c),
            true,
        )
        .field("title", c.t("lab.meeting_title"), Kind::Line, true)
        .field("date", c.t("lab.meeting_date"), Kind::Date, true)
        .field("starts", c.t("lab.meeting_starts"), Kind::Line, false)
        .hint(c.t("lab.time_hint"))
        .field("ends", c.t("lab.meeting_ends"), Kind::Line, false)
        .hint(c.t("lab.time_hint"))
        .field("place", c.t("lab.place"), Kind::Line, false)
        .hint(c.t("lab.place_hint"))
        .field("online_url", c.t("lab.online"), Kind::Line, false)
        .field("capacity", c.t("lab.capacity"), Kind::Number, false)
        .hint(c.t("lab.capacity_hint"))
        .field("agenda", c.t("lab.meeting_agenda"), Kind::Text, false)
        .field("members", c.t("lab.members"), Kind::Text, false)
        .hint(c.t("lab.members_hint"))
        .field("ideas", c.t("lab.ideas_discussed"), Kind::Choices(ideas), false)
        .field("minutes", c.t("lab.minutes"), Kind::Text, false)
        .hint(c.t("lab.minutes_hint"))
        .field("decisions", c.t("lab.decisions"), Kind::Text, false)
    }

    fn title(&self, c: &Catalogue) -> String {
        match self.is_new() {
            true => c.t("lab.new_meeting").to_string(),
            false => c.fmt("lab.edit_title", &[("record", &self.stored.label)]),
        }
    }

    /// Those registered are told that the meeting changed.
    async fn after_save(&self, state: &AppState, saved: &MeetingEdit) -> Result<(), AppError> {
        if self.is_new() {
            return Ok(());
        }
        let people = state.store.meeting_people(&self.stored.id).await?;
        let when = super::meetings::when(Lang::It, &saved.date, &saved.starts, &saved.ends);
        let place = saved.place.clone().or(saved.online_url.clone()).unwrap_or_default();
        let args = [("title", saved.title.as_str()), ("when", when.as_str()), ("place", place.as_str())];
        notify(state, &people, Notification::MeetingChanged, &self.done(), &args).await
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        match self.number() {
            Some(n) => format!("/agende/{}/percorso/incontri/{n}", self.slug),
            None => process_page(&self.slug),
        }
    }

    fn here(&self) -> String {
        match self.number() {
            Some(n) => format!("/agende/{}/percorso/incontri/{n}/modifica", self.slug),
            None => format!("/agende/{}/percorso/incontri/nuovo", self.slug),
        }
    }
}

impl FromPath for AttendanceEditor {
    type Params = IdeaPath;
    async fn load(state: &AppState, who: Option<&Principal>, p: IdeaPath) -> Result<Self, AppError> {
        Ok(AttendanceEditor::load(state, who, &p.slug, super::number(&p.number)?).await?)
    }
}

impl EditPage for AttendanceEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("attended", c.t("lab.attended"), Kind::Choices(self.registered.clone()), false)
            .hint(c.t("lab.attended_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("lab.attendance_title", &[("record", &self.meeting.summary.title)])
    }

    fn record(&self) -> &str {
        &self.meeting.summary.title
    }

    fn done(&self) -> String {
        format!("/agende/{}/percorso/incontri/{}", self.slug, self.meeting.summary.number)
    }

    fn here(&self) -> String {
        format!("{}/presenze", self.done())
    }
}

impl FromPath for PactEditor {
    type Params = MeetingPath;
    async fn load(state: &AppState, who: Option<&Principal>, p: MeetingPath) -> Result<Self, AppError> {
        let number = p.number.as_deref().map(super::number).transpose()?;
        Ok(PactEditor::load(state, who, &p.slug, number).await?)
    }
}

impl EditPage for PactEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let actions = self.actions.iter().map(|(code, _, title)| (code.clone(), format!("{code} — {title}"))).collect();
        form.field("title", c.t("lab.pact_title"), Kind::Line, true)
            .field(
                "status",
                c.t("lab.pact_status"),
                options(PactStatus::ALL, PactStatus::code, PactStatus::label_key, c),
                true,
            )
            .field("parties", c.t("lab.pact_parties"), Kind::Text, true)
            .hint(c.t("lab.pact_parties_hint"))
            .field("object", c.t("lab.pact_object"), Kind::Text, true)
            .field("good", c.t("lab.pact_good"), Kind::Line, false)
            .field("commitments", c.t("lab.pact_commitments"), Kind::Text, false)
            .hint(c.t("lab.pact_commitments_hint"))
            .field("starts_on", c.t("lab.starts_on"), Kind::Date, false)
            .field("ends_on", c.t("lab.ends_on"), Kind::Date, false)
            .field("reporting_dates", c.t("lab.pact_reporting_dates"), Kind::Text, false)
            .hint(c.t("lab.pact_reporting_hint"))
            .field("action_code", c.t("lab.pact_action"), Kind::Select(actions), false)
    }

    fn title(&self, c: &Catalogue) -> String {
        match self.is_new() {
            true => c.t("lab.new_pact").to_string(),
            false => c.fmt("lab.edit_title", &[("record", &self.stored.label)]),
        }
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        match self.number() {
            Some(n) => format!("/agende/{}/percorso/patti/{n}", self.slug),
            None => process_page(&self.slug),
        }
    }

    fn here(&self) -> String {
        match self.number() {
            Some(n) => format!("/agende/{}/percorso/patti/{n}/modifica", self.slug),
            None => format!("/agende/{}/percorso/patti/nuovo", self.slug),
        }
    }
}

impl FromPath for PactReportEditor {
    type Params = IdeaPath;
    async fn load(state: &AppState, who: Option<&Principal>, p: IdeaPath) -> Result<Self, AppError> {
        Ok(PactReportEditor::load(state, who, &p.slug, super::number(&p.number)?).await?)
    }
}

impl EditPage for PactReportEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("date", c.t("lab.report_date"), Kind::Date, true).field(
            "text",
            c.t("lab.report_text"),
            Kind::Text,
            true,
        )
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("lab.report_title", &[("record", &self.pact.title)])
    }

    fn record(&self) -> &str {
        &self.pact.title
    }

    fn done(&self) -> String {
        format!("/agende/{}/percorso/patti/{}", self.slug, self.pact.number)
    }

    fn here(&self) -> String {
        format!("{}/rendiconti/nuovo", self.done())
    }
}

loads_from_path! {
    AdmittedEditor(slug);
    ProcessEditor(slug);
    PhaseEditor(slug, kind);
    ActivePhaseEditor(slug);
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/percorso/modifica", edit_route::<ProcessEditor>())
        .route("/agende/{slug}/percorso/fasi/{kind}/modifica", edit_route::<PhaseEditor>())
        .route("/agende/{slug}/percorso/fase", edit_route::<ActivePhaseEditor>())
        .route("/agende/{slug}/percorso/voto/ammesse", edit_route::<AdmittedEditor>())
        .route("/agende/{slug}/percorso/incontri/nuovo", edit_route::<MeetingEditor>())
        .route("/agende/{slug}/percorso/incontri/{number}/modifica", edit_route::<MeetingEditor>())
        .route("/agende/{slug}/percorso/incontri/{number}/presenze", edit_route::<AttendanceEditor>())
        .route("/agende/{slug}/percorso/patti/nuovo", edit_route::<PactEditor>())
        .route("/agende/{slug}/percorso/patti/{number}/modifica", edit_route::<PactEditor>())
        .route("/agende/{slug}/percorso/patti/{number}/rendiconti/nuovo", edit_route::<PactReportEditor>())
        .route("/agende/{slug}/percorso/idee/nuova", edit_route::<IdeaEditor>())
        .route("/agende/{slug}/percorso/idee/{number}/risposta", edit_route::<AnswerEditor>())
}
