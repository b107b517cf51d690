//! Versioni: the approved versions of an agenda, and what changed between two of them (or
//! between the latest and the working draft, for those who write the agenda).

use agio_store::{AgendaSnapshot, VersionInfo};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::agenda::editing::tools;
use crate::kit::auth::Visitor;
use crate::kit::error::{AppError, ParamProblem};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::{render, Comparison, Difference, SelectField};
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};

/// The working draft, as the second term of a comparison.
const DRAFT: &str = "bozza";

#[derive(Template)]
#[template(path = "agenda/versions.html")]
struct VersionsPage {
    ctx: PageContext,
    slug: String,
    versions: Vec<VersionInfo>,
    fields: Vec<SelectField>,
    /// The comparison asked for.
    comparison: Option<Comparison>,
}

/// Everything a version shows, as (readable place, value) pairs in page order.
fn flatten(s: &AgendaSnapshot, c: &Catalogue, lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let a = &s.detail.agenda;
    let agenda = c.t("version.agenda");
    out.push((format!("{agenda} · {}", c.t("agenda.title_field")), a.title.clone()));
    out.push((format!("{agenda} · {}", c.t("agenda.period")), format!("{}–{}", a.period_start, a.period_end)));
    out.push((format!("{agenda} · {}", c.t("agenda.status")), c.label(&a.status.label_key()).to_string()));
    out.push((format!("{agenda} · {}", c.t("agenda.vision")), a.vision.clone()));
    out.push((format!("{agenda} · {}", c.t("agenda.context")), a.context.clone()));
    for o in &s.detail.objectives {
        let objective = format!("{} {}", c.t("action.objective"), o.objective.code);
        out.push((format!("{objective} · {}", c.t("agenda.title_field")), o.objective.title.clone()));
        out.push((format!("{objective} · {}", c.t("action.description")), o.objective.description.clone()));
    }
    for x in &s.actions {
        let action = format!("{} {}", c.t("action.title"), x.summary.code);
        let field = |label: &str| format!("{action} · {label}");
        out.push((field(c.t("action.title_field")), x.summary.title.clone()));
        out.push((field(c.t("action.description")), x.description.clone()));
        out.push((field(c.t("action.status")), c.label(&x.summary.status.label_key()).to_string()));
        out.push((field(c.t("action.term")), c.label(&x.summary.term.label_key()).to_string()));
        let dates = format!(
            "{} → {}",
            x.summary.start_date.as_deref().unwrap_or("—"),
            x.summary.end_date.as_deref().unwrap_or("—")
        );
        out.push((field(c.t("action.dates")), dates));
        out.push((field(c.t("action.zone_plan")), x.zone_plan_ref.clone().unwrap_or_default()));
        out.push((field(c.t("action.budget")), crate::kit::i18n::euros(lang, x.budget_total_cents)));
        let partners: Vec<&str> = x.partners.iter().map(|p| p.organization.name.as_str()).collect();
        out.push((field(c.t("action.partners")), partners.join(", ")));
        for i in x.results.iter().flat_map(|r| &r.indicators) {
            let value = |v: Option<f64>, y: Option<i64>| {
                let v = v.map(|v| crate::kit::i18n::decimal(lang, v)).unwrap_or_else(|| "—".into());
                y.map(|y| format!("{v} ({y})")).unwrap_or(v)
            };
            let indicator = format!("{} «{}»", c.t("indicator.name"), i.name);
            out.push((
                field(&format!("{indicator} · {}", c.t("indicator.baseline_value"))),
                value(i.baseline_value, i.baseline_year),
            ));
            out.push((
                field(&format!("{indicator} · {}", c.t("indicator.target_value"))),
                value(i.target_value, i.target_year),
            ));
        }
    }
    out
}

/// The places whose values differ, added or removed between two versions, in page order.
fn compare(before: &[(String, String)], after: &[(String, String)], c: &Catalogue) -> Vec<Difference> {
    let absent = c.t("version.absent");
    let find = |list: &[(String, String)], what: &str| list.iter().find(|(w, _)| w == what).map(|(_, v)| v.clone());
    let mut out: Vec<Difference> = after
        .iter()
        .filter_map(|(what, value)| match find(before, what) {
            Some(old) if old == *value => None,
            old => Some(Difference {
                what: what.clone(),
                before: old.unwrap_or_else(|| absent.into()),
                after: value.clone(),
            }),
        })
        .collect();
    out.extend(before.iter().filter(|(what, _)| find(after, what).is_none()).map(|(what, value)| Difference {
        what: what.clone(),
        before: value.clone(),
        after: absent.into(),
    }));
    out
}

/// A version number, or `bozza` (only for those who write the agenda), from the query.
fn side(params: &Params, name: &str, member: bool, versions: &[VersionInfo]) -> Result<Option<Option<i64>>, AppError> {
    let Some(raw) = params.get(name) else { return Ok(None) };
    if raw == DRAFT && member {
        return Ok(Some(None));
    }
    match raw.parse::<i64>() {
        Ok(n) if versions.iter().any(|v| v.number == n) => Ok(Some(Some(n))),
        _ => {
            let mut allowed: Vec<String> = versions.iter().map(|v| v.number.to_string()).collect();
            if member {
                allowed.push(DRAFT.into());
            }
            Err(AppError::BadParam {
                name: name.into(),
                problem: ParamProblem::NotOneOf { value: raw.into(), allowed },
            })
        }
    }
}

async fn snapshot(
    state: &AppState,
    slug: &str,
    agenda_id: &str,
    which: Option<i64>,
) -> Result<AgendaSnapshot, AppError> {
    match which {
        Some(n) => Ok(state.store.agenda_version(agenda_id, Some(n)).await?.ok_or(AppError::NotFound)?.1),
        None => state.store.agenda_snapshot(slug).await?.ok_or(AppError::NotFound),
    }
}

async fn versions(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Response, AppError> {
    let tools = tools(&state, lang, &visitor, &slug, None).await?;
    let agenda = state.store.agenda(&slug).await?.ok_or(AppError::NotFound)?;
    let list = state.store.agenda_versions(&tools.agenda_id).await?;
    let c = lang.catalogue();
    let (from, to) = (side(&params, "da", tools.member, &list)?, side(&params, "a", tools.member, &list)?);
    let comparison = match (from, to) {
        (Some(from), Some(to)) => {
            let name = |v: Option<i64>| {
                v.map(|n| c.fmt("version.number", &[("n", &n.to_string())]))
                    .unwrap_or_else(|| c.t("version.draft_name").into())
            };
            let title = c.fmt("version.comparison", &[("from", &name(from)), ("to", &name(to))]);
            let before = flatten(&snapshot(&state, &slug, &tools.agenda_id, from).await?, c, lang);
            let after = flatten(&snapshot(&state, &slug, &tools.agenda_id, to).await?, c, lang);
            Some(Comparison { title, rows: compare(&before, &after, c) })
        }
        _ => None,
    };
    let mut choices: Vec<(String, String)> =
        list.iter().map(|v| (v.number.to_string(), c.fmt("version.number", &[("n", &v.number.to_string())]))).collect();
    if tools.member {
        choices.insert(0, (DRAFT.into(), c.t("version.draft_name").into()));
    }
    let fields = vec![
        SelectField::new("da", c.t("version.from"), &params, choices.clone()),
        SelectField::new("a", c.t("version.to"), &params, choices),
    ];
    let here = crate::kit::layout::here(&format!("/agende/{slug}/versioni"), &params, &["da", "a"]);
    let ctx = PageContext::new(lang, &here, "agendas", c.t("version.title"))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(agenda.title.clone(), format!("/agende/{slug}"))
        .last_crumb()
        .demo(agenda.is_demo);
    Ok(render(VersionsPage { ctx, slug, versions: list, fields, comparison })?.into_response())
}

/// What the working draft changes from approved version `n`: shown before publishing it.
pub(crate) async fn draft_changes(
    state: &AppState,
    slug: &str,
    agenda_id: &str,
    n: i64,
    lang: Lang,
) -> Result<Comparison, AppError> {
    let c = lang.catalogue();
    let before = flatten(&snapshot(state, slug, agenda_id, Some(n)).await?, c, lang);
    let after = flatten(&snapshot(state, slug, agenda_id, None).await?, c, lang);
    let title = c.fmt("workflow.compare", &[("number", &n.to_string())]);
    Ok(Comparison { title, rows: compare(&before, &after, c) })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/agende/{slug}/versioni", get(versions))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_lists_changed_added_and_removed_places() {
        let c = Lang::It.catalogue();
        let pairs = |p: &[(&str, &str)]| p.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<Vec<_>>();
        let before = pairs(&[("A", "1"), ("B", "2"), ("C", "3")]);
        let after = pairs(&[("A", "1"), ("B", "22"), ("D", "4")]);
        let d = compare(&before, &after, c);
        let lines: Vec<(&str, &str, &str)> =
            d.iter().map(|x| (x.what.as_str(), x.before.as_str(), x.after.as_str())).collect();
        assert_eq!(lines, [("B", "2", "22"), ("D", "assente", "4"), ("C", "3", "assente")]);
    }
}
