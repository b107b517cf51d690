//! The monitoring forms: a period's value (`…/indicatori/{id}/{period}/valore`, the referents
//! of the action's lead organisation and the coordinators), its moves along the workflow
//! (`…/{period}/invia`, `…/approva`, `…/restituisci` with the coordinators' comment), and a
//! coordinator's judgement of an action's standing (`…/azioni/{code}/andamento`).

use agio_app::monitoring::{MeasurementEditor, ReviewEditor, StandingEditor};
use agio_domain::access::Principal;
use agio_domain::monitoring::Review;
use agio_domain::Standing;
use axum::Router;
use serde::Deserialize;

use super::agenda::period_label;
use super::indicator_href;
use crate::kit::edit_page::{edit_route, EditPage, FromPath};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::state::AppState;

#[derive(Deserialize)]
pub(crate) struct PeriodPath {
    slug: String,
    id: String,
    period: String,
}

impl FromPath for MeasurementEditor {
    type Params = PeriodPath;
    async fn load(state: &AppState, who: Option<&Principal>, p: PeriodPath) -> Result<Self, AppError> {
        let e = MeasurementEditor::load(state, who, &p.slug, &p.id, &p.period).await?;
        // A form is offered only for the periods the indicator has; the API names a wrong one.
        e.at.period(&e.period).ok_or(AppError::NotFound)?;
        Ok(e)
    }
}

impl EditPage for MeasurementEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let form = if self.is_percentage() {
            form.field("numerator", c.t("monitoring.numerator"), Kind::Number, true)
                .hint(c.t("monitoring.numerator_hint"))
                .field("denominator", c.t("monitoring.denominator"), Kind::Number, true)
                .hint(c.t("monitoring.denominator_hint"))
        } else {
            form.field(
                "value",
                &format!("{} ({})", c.t("monitoring.value"), self.at.indicator().unit),
                Kind::Number,
                true,
            )
            .hint(c.t("monitoring.value_hint"))
        };
        form.field("note", c.t("monitoring.note"), Kind::Text, false).field(
            "source",
            c.t("monitoring.source"),
            Kind::Line,
            false,
        )
    }

    fn title(&self, c: &Catalogue) -> String {
        let period = period_label(c, &self.period);
        c.fmt("monitoring.enter_title", &[("indicator", &self.at.indicator().name), ("period", &period)])
    }

    fn record(&self) -> &str {
        &self.at.indicator().name
    }

    fn done(&self) -> String {
        indicator_href(&self.at.slug, &self.at.indicator().id)
    }

    fn here(&self) -> String {
        format!("{}/{}/valore", self.done(), self.period)
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("monitoring.enter_intro").to_string()
    }

    fn notes(&self, lang: Lang) -> Vec<String> {
        let c = lang.catalogue();
        match self.stored.as_ref().map(|m| m.status) {
            Some(agio_domain::MeasurementStatus::Approved) => vec![c.t("monitoring.note_approved").to_string()],
            Some(agio_domain::MeasurementStatus::Submitted) => vec![c.t("monitoring.note_submitted").to_string()],
            _ => vec![c.t("monitoring.note_draft").to_string()],
        }
    }

    /// A new value starts empty, not at zero.
    fn shown(&self, field: &str, record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        record(field).filter(|_| !self.is_new())
    }
}

#[derive(Deserialize)]
pub(crate) struct MovePath {
    slug: String,
    id: String,
    period: String,
    #[serde(rename = "move")]
    step: String,
}

impl FromPath for ReviewEditor {
    type Params = MovePath;
    async fn load(state: &AppState, who: Option<&Principal>, p: MovePath) -> Result<Self, AppError> {
        let review = match p.step.as_str() {
            "invia" => Review::Submit,
            "approva" => Review::Approve,
            "restituisci" => Review::Return,
            _ => return Err(AppError::NotFound),
        };
        Ok(ReviewEditor::load(state, who, &p.slug, &p.id, &p.period, review).await?)
    }
}

impl EditPage for ReviewEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let required = self.review == Review::Return;
        form.field("comment", c.t("monitoring.comment"), Kind::Line, required).hint(c.t("monitoring.comment_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        let key = match self.review {
            Review::Submit => "monitoring.submit_title",
            Review::Approve => "monitoring.approve_title",
            Review::Return => "monitoring.return_title",
        };
        let period = period_label(c, &self.measurement.period);
        c.fmt(key, &[("indicator", &self.at.indicator().name), ("period", &period)])
    }

    fn record(&self) -> &str {
        &self.at.indicator().name
    }

    fn done(&self) -> String {
        indicator_href(&self.at.slug, &self.at.indicator().id)
    }

    fn here(&self) -> String {
        let step = match self.review {
            Review::Submit => "invia",
            Review::Approve => "approva",
            Review::Return => "restituisci",
        };
        format!("{}/{}/{step}", self.done(), self.measurement.period)
    }

    /// The form starts empty: a comment is about this move, not the last one.
    fn shown(&self, _field: &str, _record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        None
    }
}

#[derive(Deserialize)]
pub(crate) struct ActionPath {
    slug: String,
    code: String,
}

impl FromPath for StandingEditor {
    type Params = ActionPath;
    async fn load(state: &AppState, who: Option<&Principal>, p: ActionPath) -> Result<Self, AppError> {
        Ok(StandingEditor::load(state, who, &p.slug, &p.code).await?)
    }
}

impl EditPage for StandingEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let rules = c.label(&self.computed.label_key());
        let by_rules = (String::new(), c.fmt("monitoring.by_rules", &[("standing", rules)]));
        let judged = Standing::ALL.iter().map(|s| (s.code().to_string(), c.label(&s.label_key()).to_string()));
        let choices = std::iter::once(by_rules).chain(judged).collect();
        form.field("standing", c.t("monitoring.standing"), Kind::Select(choices), false)
            .field("reason", c.t("monitoring.reason"), Kind::Line, false)
            .hint(c.t("monitoring.reason_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.fmt("monitoring.judge_title", &[("action", &self.action_label)])
    }

    fn record(&self) -> &str {
        &self.action_label
    }

    fn done(&self) -> String {
        format!("/agende/{}/monitoraggio", self.slug)
    }

    fn here(&self) -> String {
        format!("/agende/{}/azioni/{}/andamento", self.slug, self.action_code)
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/indicatori/{id}/{period}/valore", edit_route::<MeasurementEditor>())
        .route("/agende/{slug}/indicatori/{id}/{period}/{move}", edit_route::<ReviewEditor>())
        .route("/agende/{slug}/azioni/{code}/andamento", edit_route::<StandingEditor>())
}
