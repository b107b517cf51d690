//! `/servizi` (find a service: words, filters with their counts, a place) and
//! `/servizi/{slug}` (one service, and its one-page print view). Both work without JavaScript.

use std::collections::BTreeMap;

use agio_directory::schedule::{italian_time, open_state, OpenState};
use agio_directory::service::{Location, Service};
use agio_domain::{Page, PageRequest};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::auth::Visitor;
use crate::kit::error::{AppError, ParamProblem};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::{here, page_base, render};
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use agio_app::directory::{is_facilitation, Ask};

const FILTERS: &[&str] = &["q", "need", "stage", "group", "place", "language", "channel", "free", "open"];
const PER_PAGE: u32 = 10;

/// A filter menu: its values with how many results each would give.
pub struct Facet {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<FacetOption>,
}

pub struct FacetOption {
    pub value: String,
    pub label: String,
    pub count: u64,
    pub selected: bool,
}

/// A text as shown, with the language it is in when that is not the page's.
pub struct Shown {
    pub text: String,
    /// `Some("it")` when the text is in another language than the page.
    pub other_lang: Option<String>,
    /// Says so, in the page's language ("in Italian").
    pub note: Option<String>,
}

/// One result of a search, ready to show.
pub struct ResultCard {
    pub slug: String,
    pub name: Shown,
    pub summary: Option<Shown>,
    pub who: Option<Shown>,
    pub place: String,
    pub distance: Option<String>,
    pub open: OpenLine,
    pub online: bool,
    pub in_person: bool,
    pub free: bool,
    pub facilitation: bool,
    pub demo: bool,
}

/// "Aperto ora · chiude alle 12:30" and its kind (for the badge colour).
pub struct OpenLine {
    pub text: String,
    pub open: bool,
}

#[derive(Template)]
#[template(path = "directory/services.html")]
struct ServicesPage {
    ctx: PageContext,
    q: String,
    facets: Vec<Facet>,
    places: Vec<FacetOption>,
    free: FacetOption,
    open_now: FacetOption,
    results: Page<ResultCard>,
    page_base: String,
    /// Why there is nothing to show, when there is nothing.
    empty_reason: Option<String>,
    /// No service has every word asked: the results have some of them.
    relaxed: bool,
    /// Something was asked (words or a filter): the results come first, the filters fold away.
    searched: bool,
    /// The filters in force, each with the link that drops it.
    active: Vec<ActiveFilter>,
    /// The comune searched near: each result's link carries it, so its page says how far it is.
    near: Option<String>,
}

/// A filter in force, as the summary line shows it: "Bisogno: Casa", and the search without it.
pub struct ActiveFilter {
    pub label: String,
    pub remove_href: String,
}

/// The filters in force among `facets`, `places` and the two check boxes, each removable.
fn active_filters(
    params: &Params,
    facets: &[Facet],
    places: &[FacetOption],
    checks: [(&str, &FacetOption); 2],
    c: &Catalogue,
) -> Vec<ActiveFilter> {
    let without = |name: &str| {
        let kept: Vec<&str> = FILTERS.iter().copied().filter(|f| *f != name).collect();
        here("/servizi", params, &kept)
    };
    let mut active = Vec::new();
    if let Some(place) = places.iter().find(|o| o.selected) {
        active.push(ActiveFilter {
            label: format!("{}: {}", c.t("services.place"), place.label),
            remove_href: without("place"),
        });
    }
    for f in facets {
        if let Some(o) = f.options.iter().find(|o| o.selected) {
            active.push(ActiveFilter { label: format!("{}: {}", f.label, o.label), remove_href: without(f.name) });
        }
    }
    for (name, check) in checks.into_iter().filter(|(_, check)| check.selected) {
        active.push(ActiveFilter { label: check.label.clone(), remove_href: without(name) });
    }
    active
}

/// Reads the search from the query string; unknown codes are a 400 that names the parameter.
fn ask_of(state: &AppState, params: &Params, lang: Lang) -> Result<(Ask, PageRequest), AppError> {
    let v = &state.vocabularies;
    let mut filters = BTreeMap::new();
    for (name, terms) in [("need", &v.need), ("stage", &v.life_stage), ("group", &v.target_group)] {
        if let Some(code) = params.term(name, terms)? {
            filters.insert(name, code);
        }
    }
    if let Some(language) = params.key("language")? {
        filters.insert("language", language);
    }
    if let Some(channel) = params.get("channel") {
        if channel != "online" && channel != "in_person" {
            return Err(AppError::BadParam {
                name: "channel".into(),
                problem: ParamProblem::NotOneOf {
                    value: channel.into(),
                    allowed: vec!["online".into(), "in_person".into()],
                },
            });
        }
        filters.insert("channel", channel.to_string());
    }
    if params.get("free").is_some() {
        filters.insert("cost", "free".to_string());
    }
    let mut comune = None;
    if let Some(place) = params.key("place")? {
        if state.directory.comuni.contains_key(&place) {
            comune = Some(place);
        } else if state.directory.comuni.values().any(|c| c.district_code == place) {
            filters.insert("district", place);
        } else {
            return Err(AppError::BadParam { name: "place".into(), problem: ParamProblem::NoSuch { value: place } });
        }
    }
    let page = PageRequest::new(params.get("page").map(|p| p.parse().unwrap_or(0)), Some(PER_PAGE as i64))
        .map_err(|_| AppError::BadParam { name: "page".into(), problem: ParamProblem::Unreadable })?;
    let ask = Ask {
        text: params.text("q")?.unwrap_or_default(),
        lang: Some(search_lang(lang)),
        filters,
        comune,
        open_now: params.get("open").is_some(),
        offset: page.offset() as usize,
        limit: PER_PAGE as usize,
        facets: true,
    };
    Ok((ask, page))
}

fn search_lang(lang: Lang) -> agio_search::Lang {
    match lang {
        Lang::En => agio_search::Lang::En,
        Lang::It => agio_search::Lang::It,
    }
}

async fn services(State(state): State<AppState>, lang: Lang, params: Params) -> Result<Html<String>, AppError> {
    let (ask, page) = ask_of(&state, &params, lang)?;
    let now = time::OffsetDateTime::now_utc();
    let directory = &state.directory;
    let results = directory.search(&ask, now)?;
    let open_count = directory
        .index
        .count_open(&directory.request(&ask, now), agio_app::directory::open_at(now))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let c = lang.catalogue();
    let ids: Vec<String> = results.hits.iter().map(|h| h.id.clone()).collect();
    let stored = state.store.directory_services_by_id(&ids).await?;
    let local_now = italian_time(now);
    let mut cards = Vec::new();
    for (stored, hit) in stored.iter().zip(&results.hits) {
        let Ok(s) = Service::from_document(&stored.document) else { continue };
        cards.push(card(&s, &stored.slug, stored.is_demo, hit.distance_m, lang, local_now));
    }
    let count =
        |dimension: &str, value: &str| results.facets.get(dimension).and_then(|m| m.get(value)).copied().unwrap_or(0);
    let facet = |name: &'static str, dimension: &str, label: &str, values: Vec<(String, String)>| Facet {
        name,
        label: label.to_string(),
        options: values
            .into_iter()
            .map(|(value, label)| FacetOption {
                count: count(dimension, &value),
                selected: params.get(name) == Some(value.as_str()),
                value,
                label,
            })
            .filter(|o| o.count > 0 || o.selected)
            .collect(),
    };
    let v = &state.vocabularies;
    let terms = |terms: &[agio_domain::model::Term]| {
        terms.iter().map(|t| (t.code.clone(), t.label(lang.code()).to_string())).collect()
    };
    let languages: Vec<(String, String)> = results
        .facets
        .get("language")
        .map(|m| m.keys().map(|code| (code.clone(), language_name(c, code))).collect())
        .unwrap_or_default();
    let facets = vec![
        facet("need", "need", c.t("services.need"), terms(&v.need)),
        facet("stage", "stage", c.t("services.stage"), terms(&v.life_stage)),
        facet("group", "group", c.t("services.group"), terms(&v.target_group)),
        facet("language", "language", c.t("services.language"), languages),
        facet(
            "channel",
            "channel",
            c.t("services.channel"),
            vec![
                ("online".into(), c.t("services.online").to_string()),
                ("in_person".into(), c.t("services.in_person").to_string()),
            ],
        ),
    ];
    let places = place_options(&state, &results.facets, params.get("place"), c);
    let free = FacetOption {
        value: "1".into(),
        label: c.t("services.free").into(),
        count: count("cost", "free"),
        selected: params.get("free").is_some(),
    };
    let open_now = FacetOption {
        value: "1".into(),
        label: c.t("services.open_now").into(),
        count: open_count,
        selected: ask.open_now,
    };
    let results_page = Page::new(cards, page, results.total as i64);
    let empty_reason = if results.total == 0 {
        Some(c.t("services.none").to_string())
    } else if results_page.items.is_empty() {
        Some(c.fmt(
            "services.page_beyond",
            &[("page", &page.page.to_string()), ("pages", &results_page.total_pages.to_string())],
        ))
    } else {
        None
    };
    let ctx = PageContext::new(lang, &here("/servizi", &params, FILTERS), "services", c.t("services.title"))
        .last_crumb()
        .demo(results_page.items.iter().any(|r| r.demo));
    let active = active_filters(&params, &facets, &places, [("free", &free), ("open", &open_now)], c);
    // Only spaces in the search box is no search.
    let searched = !ask.text.is_empty() || FILTERS.iter().any(|name| *name != "q" && params.get(name).is_some());
    render(ServicesPage {
        ctx,
        searched,
        active,
        q: ask.text.clone(),
        facets,
        places,
        free,
        open_now,
        results: results_page,
        page_base: page_base("/servizi", &params, FILTERS),
        empty_reason,
        relaxed: results.relaxed,
        near: ask.comune.clone(),
    })
}

/// The place menu: districts, then comuni, each with its count (those with results, and the
/// chosen one).
fn place_options(
    state: &AppState,
    facets: &BTreeMap<&'static str, BTreeMap<String, u64>>,
    current: Option<&str>,
    c: &Catalogue,
) -> Vec<FacetOption> {
    let mut options = Vec::new();
    let mut districts: Vec<(&String, &String)> =
        state.directory.comuni.values().map(|c| (&c.district_code, &c.district_name)).collect();
    districts.sort_by(|a, b| a.1.cmp(b.1));
    districts.dedup();
    for (code, name) in districts {
        let count = facets.get("district").and_then(|m| m.get(code.as_str())).copied().unwrap_or(0);
        let selected = current == Some(code.as_str());
        if count > 0 || selected {
            options.push(FacetOption {
                value: code.clone(),
                label: c.fmt("services.district_of", &[("name", name)]),
                count,
                selected,
            });
        }
    }
    let mut comuni: Vec<_> = state.directory.comuni.values().collect();
    comuni.sort_by(|a, b| a.name.cmp(&b.name));
    for comune in comuni {
        let count = facets.get("comune").and_then(|m| m.get(&comune.istat)).copied().unwrap_or(0);
        let selected = current == Some(comune.istat.as_str());
        if count > 0 || selected {
            options.push(FacetOption { value: comune.istat.clone(), label: comune.name.clone(), count, selected });
        }
    }
    options
}

/// The closures still to come or under way (`today`: Italian date), with their reasons.
fn closures(s: &Service, today: time::Date, lang: Lang) -> Vec<ClosureView> {
    let c = lang.catalogue();
    let today = today.to_string();
    s.agio_closures
        .iter()
        .filter(|cl| cl.to >= today)
        .map(|cl| ClosureView {
            dates: if cl.from == cl.to {
                c.fmt("service.closed_on", &[("day", &crate::kit::i18n::date(lang, &cl.from))])
            } else {
                c.fmt(
                    "service.closed_between",
                    &[("from", &crate::kit::i18n::date(lang, &cl.from)), ("to", &crate::kit::i18n::date(lang, &cl.to))],
                )
            },
            reason: cl
                .reason
                .as_deref()
                .map(|text| shown(agio_directory::Localized { text, lang: &s.agio_language }, lang)),
        })
        .collect()
}

fn shown(text: agio_directory::Localized, lang: Lang) -> Shown {
    let other_lang = text.is_other_than(lang.code()).then(|| text.lang.to_string());
    let note = other_lang.as_ref().map(|l| {
        let c = lang.catalogue();
        c.fmt("services.text_in", &[("language", &language_name(c, l))])
    });
    Shown { text: text.text.to_string(), other_lang, note }
}

fn card(
    s: &Service,
    slug: &str,
    demo: bool,
    distance_m: Option<f64>,
    lang: Lang,
    now: time::PrimitiveDateTime,
) -> ResultCard {
    let c = lang.catalogue();
    let l = lang.code();
    let place = s.first_address().map(|a| format!("{}, {}", a.address_1, a.city)).unwrap_or_default();
    ResultCard {
        slug: slug.to_string(),
        name: shown(s.name_in(l), lang),
        summary: s.translated("agio_summary", s.agio_summary.as_ref(), l).map(|t| shown(t, lang)),
        who: s.translated("eligibility_description", s.eligibility_description.as_ref(), l).map(|t| shown(t, lang)),
        place,
        distance: distance_m.map(|d| c.fmt("services.distance", &[("km", &kilometres(d, lang))])),
        open: open_line(s, now, c),
        online: s.is_online(),
        in_person: s.is_in_person(),
        free: s.is_free(),
        facilitation: is_facilitation(s),
        demo,
    }
}

fn open_line(s: &Service, now: time::PrimitiveDateTime, c: &Catalogue) -> OpenLine {
    let hm = |t: time::Time| format!("{}:{:02}", t.hour(), t.minute());
    match open_state(s.all_schedules(), &s.agio_closures, now) {
        OpenState::OpenUntil(t) => OpenLine { text: c.fmt("services.open_until", &[("time", &hm(t))]), open: true },
        OpenState::ClosedUntil(_, t, true) => {
            OpenLine { text: c.fmt("services.opens_today", &[("time", &hm(t))]), open: false }
        }
        OpenState::ClosedUntil(day, t, false) => OpenLine {
            text: c.fmt(
                "services.opens_on",
                &[("day", c.label(&format!("day.{}", agio_directory::schedule::day_code(day)))), ("time", &hm(t))],
            ),
            open: false,
        },
        OpenState::Closed => OpenLine { text: c.t("services.closed_for_now").to_string(), open: false },
        OpenState::Unknown => OpenLine { text: c.t("services.hours_unknown").to_string(), open: false },
    }
}

/// A language's name in the page's language, or its own name for the less common ones.
fn language_name(c: &Catalogue, code: &str) -> String {
    match c.label(&format!("language.{code}")) {
        "" => code.to_string(),
        name => name.to_string(),
    }
}

/// One weekly line of opening hours: "lun, mar, mer 8:30–12:30".
pub struct HoursLine {
    pub days: String,
    pub hours: String,
}

/// A place where the service is delivered.
pub struct Place {
    pub name: String,
    pub address: String,
    /// (latitude, longitude), for the distance from the comune the person searched near.
    pub position: Option<(f64, f64)>,
    pub accessibility: Vec<Shown>,
    pub hours: Vec<HoursLine>,
    pub notes: Vec<Shown>,
}

/// A point of digital facilitation near a service that asks for SPID or CIE.
pub struct Helper {
    pub slug: String,
    pub name: Shown,
    pub place: String,
}

#[derive(Template)]
#[template(path = "directory/service.html")]
struct ServicePageView {
    ctx: PageContext,
    v: ServiceView,
    /// The edit form, for those who may edit the service.
    edit: Option<String>,
    /// How far its first place is from the comune the person searched near ("a 3,2 km da Guastalla").
    distance: Option<String>,
}

#[derive(Template)]
#[template(path = "directory/service_print.html")]
struct ServicePrintView {
    ctx: PageContext,
    v: ServiceView,
}

/// Everything the service page shows, in the page's language.
pub struct ServiceView {
    pub id: String,
    pub slug: String,
    pub name: Shown,
    pub description: Option<Shown>,
    pub who: Option<Shown>,
    pub ages: Option<String>,
    pub for_whom: Vec<String>,
    pub needs: Vec<String>,
    pub steps: Vec<String>,
    /// The language of the steps when it is not the page's, and the note that says so.
    pub steps_lang: Option<Shown>,
    pub online: Option<Shown>,
    pub in_person: Option<Shown>,
    pub digital_level: Option<String>,
    pub assets: Vec<String>,
    pub documents: Vec<Shown>,
    pub fees: Option<Shown>,
    pub costs: Vec<String>,
    pub free: bool,
    pub open: OpenLine,
    pub places: Vec<Place>,
    pub phones: Vec<(String, String)>,
    pub email: Option<String>,
    pub website: Option<String>,
    pub languages: Vec<String>,
    pub organization: Option<String>,
    pub action: Option<(String, String)>,
    pub last_modified: String,
    pub helpers: Vec<Helper>,
    pub needs_identity: bool,
    /// Say that offices close on public holidays: only where no place's own notes say when it closes.
    pub holiday_note: bool,
    /// Closures that have not ended yet.
    pub closures: Vec<ClosureView>,
}

pub struct ClosureView {
    pub dates: String,
    pub reason: Option<Shown>,
}

async fn service_view(state: &AppState, slug: &str, lang: Lang) -> Result<(ServiceView, bool), AppError> {
    let stored = state.store.directory_service(slug).await?.ok_or(AppError::NotFound)?;
    if stored.slug != slug {
        return Err(AppError::NotFound);
    }
    let s = Service::from_document(&stored.document).map_err(|e| AppError::Internal(e.to_string()))?;
    let c = lang.catalogue();
    let l = lang.code();
    let now = time::OffsetDateTime::now_utc();
    let labels = |vocabulary: &str| -> Vec<String> {
        s.term_codes(vocabulary)
            .iter()
            .filter_map(|code| state.directory.label(vocabulary, code).map(|t| t.label(l).to_string()))
            .collect()
    };
    let mut for_whom = labels("life_stage");
    for_whom.extend(labels("target_group"));
    let process = s.translated("application_process", s.application_process.as_ref(), l);
    let steps: Vec<String> = process
        .as_ref()
        .map(|p| agio_directory::editing::steps(p.text).lines().map(str::to_string).collect())
        .unwrap_or_default();
    let places: Vec<Place> = s
        .service_at_locations
        .iter()
        .enumerate()
        .filter_map(|(i, sal)| sal.location.as_ref().map(|loc| place(&s, i, loc, &sal.schedules, lang)))
        .collect();
    let ages = match (s.minimum_age, s.maximum_age) {
        (Some(min), Some(max)) => {
            Some(c.fmt("service.ages_between", &[("min", &min.to_string()), ("max", &max.to_string())]))
        }
        (Some(min), None) => Some(c.fmt("service.ages_from", &[("min", &min.to_string())])),
        (None, Some(max)) => Some(c.fmt("service.ages_to", &[("max", &max.to_string())])),
        (None, None) => None,
    };
    let mut phones: Vec<(String, String)> = s
        .phones
        .iter()
        .chain(s.service_at_locations.iter().flat_map(|sal| sal.phones.iter()))
        .chain(s.contacts.iter().flat_map(|contact| contact.phones.iter()))
        .map(|p| (p.number.clone(), p.number.chars().filter(|c| c.is_ascii_digit() || *c == '+').collect()))
        .collect();
    phones.dedup();
    let helpers = if s.needs_digital_identity() { facilitation_near(state, &s, lang, now).await? } else { Vec::new() };
    let view = ServiceView {
        id: s.id.clone(),
        slug: stored.slug.clone(),
        name: shown(s.name_in(l), lang),
        description: s.translated("description", s.description.as_ref(), l).map(|t| shown(t, lang)),
        who: s.translated("eligibility_description", s.eligibility_description.as_ref(), l).map(|t| shown(t, lang)),
        ages,
        for_whom,
        needs: labels("need"),
        steps_lang: process.clone().filter(|p| p.is_other_than(l)).map(|p| shown(p, lang)),
        steps,
        online: s.translated("agio_access.online", s.agio_access.online.as_ref(), l).map(|t| shown(t, lang)),
        in_person: s.translated("agio_access.in_person", s.agio_access.in_person.as_ref(), l).map(|t| shown(t, lang)),
        digital_level: s.agio_digital_level.map(|d| c.label(&format!("digital_level.{d}")).to_string()),
        assets: s
            .agio_assets
            .iter()
            .map(|a| c.label(&format!("service.asset.{a}")).to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        documents: s
            .required_documents
            .iter()
            .enumerate()
            .filter_map(|(i, d)| s.translated(&format!("required_documents.{i}.document"), d.document.as_ref(), l))
            .map(|t| shown(t, lang))
            .collect(),
        fees: s.translated("fees_description", s.fees_description.as_ref(), l).map(|t| shown(t, lang)),
        costs: s
            .cost_options
            .iter()
            .filter_map(|o| {
                o.amount.filter(|a| *a > 0.0).map(|a| crate::kit::i18n::euros(lang, (a * 100.0).round() as i64))
            })
            .collect(),
        free: s.is_free(),
        open: open_line(&s, italian_time(now), c),
        holiday_note: places.iter().all(|p| p.notes.is_empty()),
        places,
        phones,
        email: s.email.clone(),
        website: s.url.clone().filter(|u| u.starts_with("https://") || u.starts_with("http://")),
        languages: s.language_codes().iter().map(|code| language_name(c, code)).collect(),
        organization: s.organization.as_ref().map(|o| o.name.clone()),
        action: s.agio_action.as_ref().map(|a| (format!("/agende/{}/azioni/{}", a.agenda, a.code), a.title.clone())),
        last_modified: s.last_modified.as_deref().map(|d| crate::kit::i18n::date(lang, d)).unwrap_or_default(),
        helpers,
        needs_identity: s.needs_digital_identity(),
        closures: closures(&s, italian_time(now).date(), lang),
    };
    Ok((view, stored.is_demo))
}

fn place(s: &Service, i: usize, loc: &Location, schedules: &[agio_directory::schedule::Schedule], lang: Lang) -> Place {
    let c = lang.catalogue();
    let l = lang.code();
    let hours = schedules
        .iter()
        .filter_map(|sc| sc.opening().ok().flatten())
        .map(|o| HoursLine {
            days: o
                .days
                .iter()
                .map(|d| c.label(&format!("day.{}", agio_directory::schedule::day_code(*d))))
                .collect::<Vec<_>>()
                .join(", "),
            hours: format!("{}:{:02}–{}:{:02}", o.opens.hour(), o.opens.minute(), o.closes.hour(), o.closes.minute()),
        })
        .collect();
    let mut notes: Vec<Shown> = Vec::new();
    for (j, schedule) in schedules.iter().enumerate() {
        let field = format!("service_at_locations.{i}.schedules.{j}.description");
        let Some(note) = s.translated(&field, schedule.description.as_ref(), l).map(|t| shown(t, lang)) else {
            continue;
        };
        if !notes.iter().any(|n| n.text == note.text) {
            notes.push(note);
        }
    }
    Place {
        name: loc.name.clone().unwrap_or_default(),
        address: loc
            .addresses
            .first()
            .map(|a| format!("{}, {} {} ({})", a.address_1, a.postal_code, a.city, a.state_province))
            .unwrap_or_default(),
        position: loc.latitude.zip(loc.longitude),
        accessibility: loc
            .accessibility
            .iter()
            .enumerate()
            .filter_map(|(j, a)| {
                s.translated(
                    &format!("service_at_locations.{i}.location.accessibility.{j}.description"),
                    a.description.as_ref(),
                    l,
                )
            })
            .map(|t| shown(t, lang))
            .collect(),
        hours,
        notes,
    }
}

/// The nearest points of digital facilitation to a service (same district first).
async fn facilitation_near(
    state: &AppState,
    s: &Service,
    lang: Lang,
    now: time::OffsetDateTime,
) -> Result<Vec<Helper>, AppError> {
    let comune = s.first_address().and_then(|a| state.directory.comune_of_city(&a.city)).map(|c| c.istat.clone());
    let mut filters = BTreeMap::new();
    filters.insert("need", agio_directory::taxonomy::DIGITAL_FACILITATION.to_string());
    let ask = Ask { filters, comune, limit: 3, lang: Some(search_lang(lang)), ..Default::default() };
    let hits = state.directory.search(&ask, now)?.hits;
    let ids: Vec<String> = hits.iter().map(|h| h.id.clone()).filter(|id| *id != s.id).collect();
    let mut helpers = Vec::new();
    for stored in state.store.directory_services_by_id(&ids).await? {
        let Ok(h) = Service::from_document(&stored.document) else { continue };
        let place = h.first_address().map(|a| format!("{}, {}", a.address_1, a.city)).unwrap_or_default();
        helpers.push(Helper { slug: stored.slug.clone(), name: shown(h.name_in(lang.code()), lang), place });
    }
    Ok(helpers)
}

/// Metres as kilometres to one decimal, in the page's language.
fn kilometres(metres: f64, lang: Lang) -> String {
    crate::kit::i18n::decimal(lang, (metres / 100.0).round() / 10.0)
}

/// "a 3,2 km da Guastalla": from the comune a search was made near (`place`, as the search's
/// link carries it) to the service's first place with a position.
fn distance_from(state: &AppState, params: &Params, v: &ServiceView, lang: Lang) -> Result<Option<String>, AppError> {
    let Some(istat) = params.key("place")? else { return Ok(None) };
    let Some(comune) = state.directory.comuni.get(&istat) else {
        return Err(AppError::BadParam { name: "place".into(), problem: ParamProblem::NoSuch { value: istat } });
    };
    let Some((lat, lon)) = v.places.first().and_then(|p| p.position) else { return Ok(None) };
    let km = kilometres(agio_directory::geo::distance_m(comune.lat, comune.lon, lat, lon), lang);
    Ok(Some(lang.catalogue().fmt("service.distance_from", &[("km", &km), ("comune", &comune.name)])))
}

async fn service(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Html<String>, AppError> {
    use agio_app::editors::Editor;
    let (v, demo) = service_view(&state, &slug, lang).await?;
    let distance = distance_from(&state, &params, &v, lang)?;
    let edit = match visitor.principal() {
        Some(who) => {
            let editor = agio_app::editors::ServiceEditor::load(&state, &slug).await?;
            editor.allowed(Some(who)).is_ok().then(|| format!("/servizi/{slug}/modifica"))
        }
        None => None,
    };
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, &format!("/servizi/{slug}"), "services", v.name.text.clone())
        .crumb(c.t("services.title"), "/servizi")
        .last_crumb()
        .demo(demo);
    render(ServicePageView { ctx, v, edit, distance })
}

async fn service_print(
    State(state): State<AppState>,
    lang: Lang,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let (v, demo) = service_view(&state, &slug, lang).await?;
    let ctx = PageContext::new(lang, &format!("/servizi/{slug}/stampa"), "services", v.name.text.clone()).demo(demo);
    render(ServicePrintView { ctx, v })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/servizi", get(services))
        .route("/servizi/{slug}", get(service))
        .route("/servizi/{slug}/stampa", get(service_print))
}
