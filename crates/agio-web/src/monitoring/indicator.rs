//! An indicator's history (`/agende/{slug}/indicatori/{id}`): its baseline and target, the
//! chart of its approved values with the target line, and the table of its periods — with, for
//! its referents and coordinators, the values not yet approved and what they may do with each.

use agio_app::monitoring::{monitoring, Monitoring};
use agio_domain::monitoring::{decimal_of, IndicatorProgress, Measurement, Period};
use agio_domain::MeasurementStatus;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use super::agenda::{indicator_line, period_label, IndicatorLine};
use super::charts::{series, Series};
use super::{indicator_href, shown};
use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};

/// One period of the table.
struct PeriodRow {
    label: String,
    value: String,
    /// "12 / 48" for a percentage.
    parts: Option<String>,
    status: String,
    note: String,
    source: String,
    review_note: String,
    /// The referent's form for the period's value.
    enter: Option<String>,
    /// Inline moves: (address, label, version).
    moves: Vec<(String, String, i64)>,
    /// The coordinator's return form.
    return_href: Option<String>,
    /// The value's documents, when it has a value.
    documents: Option<String>,
}

#[derive(Template)]
#[template(path = "monitoring/indicator.html")]
struct IndicatorPage {
    ctx: PageContext,
    line: IndicatorLine,
    action: (String, String),
    direction: String,
    frequency: String,
    chart: Series,
    rows: Vec<PeriodRow>,
    csrf: Option<String>,
    monitoring_href: String,
}

/// The periods shown: those begun by `today` and those with a value.
fn periods_shown(all: Vec<Period>, values: &[Measurement], today: &str) -> Vec<Period> {
    all.into_iter()
        .filter(|p| {
            let started = format!("{}-{:02}-01", p.year, first_month(p));
            started.as_str() <= today || values.iter().any(|m| m.period == p.code())
        })
        .collect()
}

fn first_month(p: &Period) -> u32 {
    let months = match p.frequency {
        agio_domain::Frequency::Quarter => 3,
        agio_domain::Frequency::Semester => 6,
        agio_domain::Frequency::Year => 12,
    };
    months * (u32::from(p.index) - 1) + 1
}

fn period_row(
    lang: Lang,
    base: &str,
    period: &Period,
    stored: Option<&Measurement>,
    enters: bool,
    reviews: bool,
) -> PeriodRow {
    let c = lang.catalogue();
    let code = period.code();
    let here = format!("{base}/{code}");
    let status = stored.map(|m| m.status);
    let mut moves = Vec::new();
    if let Some(m) = stored {
        if enters && matches!(m.status, MeasurementStatus::Draft | MeasurementStatus::Returned) {
            moves.push((format!("{here}/invia"), c.t("monitoring.submit").to_string(), m.version));
        }
        if reviews && m.status == MeasurementStatus::Submitted {
            moves.push((format!("{here}/approva"), c.t("monitoring.approve").to_string(), m.version));
        }
    }
    let returnable = matches!(status, Some(MeasurementStatus::Submitted | MeasurementStatus::Approved));
    PeriodRow {
        label: period_label(c, &code),
        value: stored.map(|m| shown(lang, m.fields.value)).unwrap_or_else(|| "—".into()),
        parts: stored.and_then(|m| {
            Some(format!("{} / {}", shown(lang, m.fields.numerator?), shown(lang, m.fields.denominator?)))
        }),
        status: status
            .map(|s| c.label(&s.label_key()).to_string())
            .unwrap_or_else(|| c.t("monitoring.no_value").into()),
        note: stored.map(|m| m.fields.note.clone()).unwrap_or_default(),
        source: stored.map(|m| m.fields.source.clone()).unwrap_or_default(),
        review_note: stored.map(|m| m.review_note.clone()).unwrap_or_default(),
        enter: enters.then(|| format!("{here}/valore")),
        moves,
        return_href: (reviews && returnable).then(|| format!("{here}/restituisci")),
        documents: stored.map(|_| format!("{here}/documenti")),
    }
}

fn today() -> String {
    let now = time::OffsetDateTime::now_utc().date();
    format!("{:04}-{:02}-{:02}", now.year(), u8::from(now.month()), now.day())
}

/// The indicator `id` of the monitoring's tree, with its action's code, title and lead.
fn find<'m>(
    m: &'m Monitoring,
    id: &str,
) -> Option<(&'m IndicatorProgress, &'m agio_domain::monitoring::ActionProgress)> {
    m.progress
        .objectives
        .iter()
        .flat_map(|o| &o.actions)
        .find_map(|a| a.indicators.iter().find(|i| i.indicator.id == id).map(|i| (i, a)))
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let m = monitoring(&state, visitor.principal(), &slug).await?;
    let (i, action) = find(&m, &id).ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let here = indicator_href(&slug, &id);
    let enters = Monitoring::enters(visitor.principal(), &m.facts, action.lead_organization.as_deref());
    let editor = enters || m.reviews;
    let periods = periods_shown(m.span.periods(i.indicator.frequency), &i.measurements, &today());
    let stored = |p: &Period| i.measurements.iter().find(|v| v.period == p.code());
    let rows: Vec<PeriodRow> = periods
        .iter()
        .filter(|p| editor || stored(p).is_some())
        .map(|p| period_row(lang, &here, p, stored(p), enters, m.reviews))
        .collect();
    let approved = |p: &Period| stored(p).filter(|v| v.status == MeasurementStatus::Approved).map(|v| v.fields.value);
    let points: Vec<(String, Option<_>)> = periods.iter().map(|p| (p.code(), approved(p))).collect();
    let chart = series(
        &points,
        i.indicator.baseline_value.and_then(decimal_of),
        i.indicator.target_value.and_then(decimal_of),
        |v| shown(lang, v),
    );
    let demo = state.store.agenda_is_demo(&slug).await?;
    let ctx = PageContext::new(lang, &here, "agendas", i.indicator.name.clone())
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(m.title.clone(), format!("/agende/{slug}"))
        .crumb(c.t("monitoring.short"), format!("/agende/{slug}/monitoraggio"))
        .last_crumb()
        .demo(demo);
    let csrf = editor.then(|| visitor.csrf_token(state.secure_cookies).0);
    render(IndicatorPage {
        ctx,
        line: indicator_line(lang, &slug, i),
        action: (format!("/agende/{slug}/azioni/{}", action.code), format!("{} — {}", action.code, action.title)),
        direction: c.label(&i.indicator.direction.label_key()).to_string(),
        frequency: c.label(&i.indicator.frequency.label_key()).to_string(),
        chart,
        rows,
        csrf,
        monitoring_href: format!("/agende/{slug}/monitoraggio"),
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/agende/{slug}/indicatori/{id}", get(show))
}
