//! An agenda's monitoring page (`/agende/{slug}/monitoraggio`): its progress, each objective's
//! and each action's, the actions' standing, and every indicator's latest approved value; each
//! figure links to what it is made of, and each chart has its table.

use agio_app::delivery::agenda_financial;
use agio_app::monitoring::{monitoring, Monitoring};
use agio_domain::delivery::Financial;
use agio_domain::monitoring::{ActionProgress, IndicatorProgress, Period, AT_RISK_GAP, LATE_GAP};
use agio_domain::MeasurementStatus;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use super::charts::{bars, Bar};
use super::delivery::delivery_href;
use super::{indicator_href, percent, shown};
use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};

pub(crate) struct IndicatorLine {
    pub name: String,
    pub href: String,
    pub unit: String,
    pub baseline: String,
    pub target: String,
    /// "1.234 (2º trimestre 2026)", or a dash.
    pub latest: String,
    pub progress: String,
    /// Values sent and waiting for approval.
    pub waiting: usize,
}

struct ActionView {
    code: String,
    title: String,
    href: String,
    progress: String,
    standing: String,
    /// What the rules say, when a coordinator judged otherwise.
    computed: Option<String>,
    reason: Option<String>,
    judge_href: Option<String>,
    /// Its results, milestones and financial progress.
    delivery_href: String,
    /// Paid of its budget, or a dash.
    paid: String,
    indicators: Vec<IndicatorLine>,
}

struct ObjectiveView {
    code: String,
    title: String,
    progress: String,
    bars: Vec<Bar>,
    actions: Vec<ActionView>,
}

#[derive(Template)]
#[template(path = "monitoring/agenda.html")]
struct AgendaMonitoringPage {
    ctx: PageContext,
    progress: String,
    /// Paid of the agenda's budget, or a dash.
    paid: String,
    /// (standing's label, how many actions).
    standings: Vec<(String, i64)>,
    waiting: Option<i64>,
    objectives: Vec<ObjectiveView>,
    /// The standing's rules, with their thresholds.
    how_standing: String,
    /// The spreadsheet's addresses (XLSX, CSV, import), for those who work on the agenda.
    sheet: Option<(String, String, String)>,
}

/// A period's label: "2º trimestre 2026".
pub(crate) fn period_label(c: &Catalogue, code: &str) -> String {
    match Period::parse(code) {
        Some(p) => c.fmt(p.label_key(), &[("n", &p.index.to_string()), ("year", &p.year.to_string())]),
        None => code.to_string(),
    }
}

fn opt_value(lang: Lang, value: Option<f64>, year: Option<i64>) -> String {
    match (value.and_then(agio_domain::monitoring::decimal_of), year) {
        (Some(v), Some(y)) => format!("{} ({y})", shown(lang, v)),
        (Some(v), None) => shown(lang, v),
        _ => "—".to_string(),
    }
}

pub(crate) fn indicator_line(lang: Lang, slug: &str, i: &IndicatorProgress) -> IndicatorLine {
    let latest = match (i.latest_value, &i.latest_period) {
        (Some(v), Some(p)) => format!("{} ({})", shown(lang, v), period_label(lang.catalogue(), p)),
        _ => "—".to_string(),
    };
    IndicatorLine {
        name: i.indicator.name.clone(),
        href: indicator_href(slug, &i.indicator.id),
        unit: i.indicator.unit.clone(),
        baseline: opt_value(lang, i.indicator.baseline_value, i.indicator.baseline_year),
        target: opt_value(lang, i.indicator.target_value, i.indicator.target_year),
        latest,
        progress: percent(lang, i.progress),
        waiting: i.measurements.iter().filter(|m| m.status == MeasurementStatus::Submitted).count(),
    }
}

fn action_view(lang: Lang, m: &Monitoring, a: &ActionProgress, money: Option<&Financial>) -> ActionView {
    let c = lang.catalogue();
    let judged = a.standing_reason.is_some();
    ActionView {
        code: a.code.clone(),
        title: a.title.clone(),
        href: format!("/agende/{}/azioni/{}", m.slug, a.code),
        progress: percent(lang, a.progress),
        standing: c.label(&a.standing.label_key()).to_string(),
        computed: judged.then(|| c.label(&a.computed_standing.label_key()).to_string()),
        reason: a.standing_reason.clone(),
        judge_href: m.reviews.then(|| format!("/agende/{}/azioni/{}/andamento", m.slug, a.code)),
        delivery_href: delivery_href(&m.slug, &a.code),
        paid: percent(lang, money.and_then(Financial::paid_share)),
        indicators: a.indicators.iter().map(|i| indicator_line(lang, &m.slug, i)).collect(),
    }
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let m = monitoring(&state, visitor.principal(), &slug).await?;
    let (by_action, financial) = agenda_financial(&state, &m).await?;
    let c = lang.catalogue();
    let here = format!("/agende/{slug}/monitoraggio");
    let objectives = m
        .progress
        .objectives
        .iter()
        .map(|o| ObjectiveView {
            code: o.code.clone(),
            title: o.title.clone(),
            progress: percent(lang, o.progress),
            bars: bars(o.actions.iter().map(|a| (a.code.clone(), a.progress, percent(lang, a.progress)))),
            actions: o.actions.iter().map(|a| action_view(lang, &m, a, by_action.get(&a.id))).collect(),
        })
        .collect();
    let demo = state.store.agenda_is_demo(&slug).await?;
    let ctx = PageContext::new(lang, &here, "agendas", c.fmt("monitoring.title", &[("agenda", &m.title)]))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(m.title.clone(), format!("/agende/{slug}"))
        .last_crumb()
        .demo(demo);
    render(AgendaMonitoringPage {
        ctx,
        progress: percent(lang, m.progress.progress),
        paid: percent(lang, financial.paid_share()),
        standings: m.progress.standings.iter().map(|(s, n)| (c.label(&s.label_key()).to_string(), *n)).collect(),
        waiting: m.reviews.then_some(m.progress.waiting),
        objectives,
        sheet: m.works_on.then(|| {
            let base = format!("/agende/{slug}/monitoraggio");
            (format!("{base}/valori.xlsx"), format!("{base}/valori.csv"), format!("{base}/importa"))
        }),
        how_standing: c
            .fmt("monitoring.how_standing", &[("risk", &AT_RISK_GAP.to_string()), ("late", &LATE_GAP.to_string())]),
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/agende/{slug}/monitoraggio", get(show))
}
