//! Each action's results and delivery (`/agende/{slug}/azioni/{code}/attuazione`): its
//! indicators' progress, its milestones and its financial progress (committed and paid of each
//! budget line) apart from the physical one; and the forms of its lead organisation's referents
//! and the coordinators for milestones (`…/tappe/…`) and spending (`…/budget/{line}/spesa`).

use agio_app::delivery::{delivery, MilestoneEditor, SpendingEditor};
use agio_domain::access::Principal;
use agio_domain::delivery::{Financial, MilestoneState};
use agio_domain::Channel;
use agio_domain::MilestoneStatus;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::Router;

use super::agenda::{indicator_line, IndicatorLine};
use super::charts::{bars, Bar};
use super::percent;
use crate::kit::auth::{SignedInForm, Visitor};
use crate::kit::edit_page::{edit_route, EditPage, FromPath};
use crate::kit::error::AppError;
use crate::kit::forms::{cents_in_euros, Form, Kind};
use crate::kit::i18n::{date, euros, Catalogue, Lang};
use crate::kit::layout::render;
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

/// The address of an action's delivery page.
pub(crate) fn delivery_href(slug: &str, code: &str) -> String {
    format!("/agende/{slug}/azioni/{code}/attuazione")
}

struct MilestoneLine {
    title: String,
    planned: String,
    actual: String,
    state: String,
    /// Overdue: the row stands out.
    overdue: bool,
    note: String,
    /// The edit form and the removal address, for those who record them.
    edit: Option<(String, String)>,
}

/// Budget, committed and paid, as shown.
pub(crate) struct Money {
    pub budget: String,
    pub committed: String,
    pub paid: String,
    pub committed_share: String,
    pub paid_share: String,
}

impl Money {
    pub(crate) fn of(lang: Lang, f: &Financial) -> Money {
        Money {
            budget: euros(lang, f.budget_cents),
            committed: euros(lang, f.committed_cents),
            paid: euros(lang, f.paid_cents),
            committed_share: percent(lang, f.committed_share()),
            paid_share: percent(lang, f.paid_share()),
        }
    }
}

struct SpendingLine {
    source: String,
    description: String,
    cup: String,
    money: Money,
    as_of: String,
    edit: Option<String>,
}

#[derive(Template)]
#[template(path = "monitoring/delivery.html")]
struct DeliveryPage {
    ctx: PageContext,
    progress: String,
    standing: String,
    indicators: Vec<IndicatorLine>,
    milestones: Vec<MilestoneLine>,
    /// The new milestone form, for those who record them.
    add_milestone: Option<String>,
    /// The form token for removals.
    csrf: Option<String>,
    lines: Vec<SpendingLine>,
    total: Money,
    /// Committed and paid as bars of the budget.
    money_bars: Vec<Bar>,
    monitoring: String,
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let d = delivery(&state, visitor.principal(), &slug, &code).await?;
    let c = lang.catalogue();
    let here = delivery_href(&slug, &code);
    let edit_base = format!("/agende/{slug}/azioni/{code}");
    let milestones = d
        .milestones
        .iter()
        .map(|m| {
            let f = &m.milestone.fields;
            MilestoneLine {
                title: f.title.clone(),
                planned: date(lang, &f.planned_date),
                actual: f.actual_date.as_deref().map(|a| date(lang, a)).unwrap_or_else(|| "—".into()),
                state: c.t(m.state.label_key()).to_string(),
                overdue: m.state == MilestoneState::Overdue,
                note: f.note.clone(),
                edit: d.records.then(|| {
                    let at = format!("{edit_base}/tappe/{}", m.milestone.id);
                    (format!("{at}/modifica"), format!("{at}/elimina"))
                }),
            }
        })
        .collect();
    let lines = d
        .lines
        .iter()
        .map(|l| SpendingLine {
            source: l.line.funding_source.label(lang.code()).to_string(),
            description: l.line.description.clone(),
            cup: l.line.cup.clone().unwrap_or_default(),
            money: Money::of(lang, &l.financial),
            as_of: l.recorded.as_ref().map(|r| date(lang, &r.as_of)).unwrap_or_else(|| "—".into()),
            edit: d.records.then(|| format!("{edit_base}/budget/{}/spesa", l.line.id)),
        })
        .collect();
    let f = d.financial;
    let money_bars = bars([
        (c.t("delivery.committed").to_string(), f.committed_share(), percent(lang, f.committed_share())),
        (c.t("delivery.paid").to_string(), f.paid_share(), percent(lang, f.paid_share())),
    ]);
    let a = &d.action;
    let title = c.fmt("delivery.title", &[("action", &format!("{} — {}", a.code, a.title))]);
    let demo = state.store.agenda_is_demo(&slug).await?;
    let monitoring = format!("/agende/{slug}/monitoraggio");
    let ctx = PageContext::new(lang, &here, "agendas", title)
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(d.monitoring.title.clone(), format!("/agende/{slug}"))
        .crumb(c.t("monitoring.short"), monitoring.clone())
        .last_crumb()
        .demo(demo);
    render(DeliveryPage {
        ctx,
        progress: percent(lang, a.progress),
        standing: c.label(&a.standing.label_key()).to_string(),
        indicators: a.indicators.iter().map(|i| indicator_line(lang, &slug, i)).collect(),
        milestones,
        add_milestone: d.records.then(|| format!("{edit_base}/tappe/nuova")),
        csrf: d.records.then(|| visitor.csrf_token(state.secure_cookies).0),
        lines,
        total: Money::of(lang, &f),
        money_bars,
        monitoring,
    })
}

impl FromPath for MilestoneEditor {
    /// `slug`, `code` and, but for a new milestone, its id as `item`.
    type Params = std::collections::HashMap<String, String>;
    async fn load(state: &AppState, who: Option<&Principal>, p: Self::Params) -> Result<Self, AppError> {
        let param = |name: &str| p.get(name).map(String::as_str).ok_or(AppError::NotFound);
        let item = p.get("item").map(String::as_str);
        Ok(MilestoneEditor::load(state, who, param("slug")?, param("code")?, item).await?)
    }
}

impl EditPage for MilestoneEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let statuses = MilestoneStatus::ALL.iter().map(|s| (s.code().to_string(), c.label(&s.label_key()).to_string()));
        form.field("title", c.t("delivery.milestone"), Kind::Line, true)
            .field("planned_date", c.t("delivery.planned_date"), Kind::Date, true)
            .field("status", c.t("delivery.status"), Kind::Select(statuses.collect()), true)
            .field("actual_date", c.t("delivery.actual_date"), Kind::Date, false)
            .hint(c.t("delivery.actual_date_hint"))
            .field("note", c.t("delivery.note"), Kind::Line, false)
    }

    fn title(&self, c: &Catalogue) -> String {
        match &self.stored {
            Some(m) => c.fmt("delivery.edit_milestone_title", &[("milestone", &m.fields.title)]),
            None => c.fmt("delivery.new_milestone_title", &[("action", &self.delivery.action.code)]),
        }
    }

    fn record(&self) -> &str {
        &self.delivery.action.title
    }

    fn done(&self) -> String {
        delivery_href(self.delivery.slug(), &self.delivery.action.code)
    }

    fn here(&self) -> String {
        let base = format!("/agende/{}/azioni/{}/tappe", self.delivery.slug(), self.delivery.action.code);
        match &self.stored {
            Some(m) => format!("{base}/{}/modifica", m.id),
            None => format!("{base}/nuova"),
        }
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("delivery.milestone_intro").to_string()
    }
}

impl FromPath for SpendingEditor {
    /// The agenda's slug, the action's code, the budget line's id.
    type Params = (String, String, String);
    async fn load(
        state: &AppState,
        who: Option<&Principal>,
        (slug, code, item): Self::Params,
    ) -> Result<Self, AppError> {
        Ok(SpendingEditor::load(state, who, &slug, &code, &item).await?)
    }
}

impl EditPage for SpendingEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let budget = euros(lang, self.line.line.amount_cents);
        form.field("committed", c.t("delivery.committed_field"), Kind::Line, true)
            .hint(&c.fmt("delivery.committed_hint", &[("budget", &budget)]))
            .field("paid", c.t("delivery.paid_field"), Kind::Line, true)
            .hint(c.t("delivery.paid_hint"))
            .field("as_of", c.t("delivery.as_of"), Kind::Date, true)
    }

    fn title(&self, c: &Catalogue) -> String {
        let source = &self.line.line.funding_source.label_it;
        c.fmt("delivery.spending_title", &[("line", source), ("action", &self.delivery.action.code)])
    }

    fn record(&self) -> &str {
        &self.delivery.action.title
    }

    fn done(&self) -> String {
        delivery_href(self.delivery.slug(), &self.delivery.action.code)
    }

    fn here(&self) -> String {
        let d = &self.delivery;
        format!("/agende/{}/azioni/{}/budget/{}/spesa", d.slug(), d.action.code, self.line.line.id)
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("delivery.spending_intro").to_string()
    }

    /// Amounts are stored in cents and written in euros; a line without figures (no date)
    /// starts empty.
    fn shown(&self, field: &str, record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        record("as_of").filter(|d| !d.is_empty())?;
        match field {
            "committed" => cents_in_euros(record("committed_cents")),
            "paid" => cents_in_euros(record("paid_cents")),
            _ => record(field),
        }
    }
}

async fn remove_milestone(
    State(state): State<AppState>,
    Path((slug, code, item)): Path<(String, String, String)>,
    SignedInForm { visitor, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let who = visitor.principal();
    let editor = MilestoneEditor::load(&state, who, &slug, &code, Some(&item)).await?;
    editor.remove(&state, who, &visitor.actor(Channel::Form)).await?;
    Ok(Notice::Saved.redirect(&delivery_href(&slug, &code), state.secure_cookies))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/azioni/{code}/attuazione", get(show))
        .route("/agende/{slug}/azioni/{code}/tappe/nuova", edit_route::<MilestoneEditor>())
        .route("/agende/{slug}/azioni/{code}/tappe/{item}/modifica", edit_route::<MilestoneEditor>())
        .route("/agende/{slug}/azioni/{code}/tappe/{item}/elimina", post(remove_milestone))
        .route("/agende/{slug}/azioni/{code}/budget/{item}/spesa", edit_route::<SpendingEditor>())
}
